from django.urls import path

from . import views

P = "pairings/<int:pairing_id>/consumption/"

urlpatterns = [
    path(P + "sales/", views.sale_list, name="consumption_sales"),
    path(P + "sales/new/", views.sale_create, name="consumption_sale_create"),
    path(P + "sales/<int:sale_id>/edit/", views.sale_edit, name="consumption_sale_edit"),
    path("consumption/sales/<int:sale_id>/voucher/", views.sale_voucher, name="consumption_sale_voucher"),
    path(P + "sales/<int:sale_id>/delete/", views.sale_delete, name="consumption_sale_delete"),
    path(P + "suppliers/", views.supplier_list, name="consumption_suppliers"),
    path(P + "suppliers/new/", views.supplier_create, name="consumption_supplier_create"),
    path(P + "suppliers/<int:supplier_id>/edit/", views.supplier_edit, name="consumption_supplier_edit"),
    path(P + "products/", views.product_list, name="consumption_products"),
    path(P + "products/new/", views.product_create, name="consumption_product_create"),
    path(P + "products/<int:product_id>/edit/", views.product_edit, name="consumption_product_edit"),
    path(P + "buyers/", views.buyer_list, name="consumption_buyers"),
    path(P + "buyers/new/", views.buyer_create, name="consumption_buyer_create"),
    path(P + "buyers/<int:buyer_id>/edit/", views.buyer_edit, name="consumption_buyer_edit"),
    path(P + "channels/", views.channel_list, name="consumption_channels"),
    path(P + "channels/new/", views.channel_create, name="consumption_channel_create"),
    path(P + "channels/<int:channel_id>/edit/", views.channel_edit, name="consumption_channel_edit"),
    path(P + "share832/", views.share832, name="consumption_share832"),
    path(P + "share832/setting/", views.share832_setting, name="consumption_share832_setting"),
]
