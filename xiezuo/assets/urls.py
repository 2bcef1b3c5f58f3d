from django.urls import path

from . import views

urlpatterns = [
    path("pairings/<int:pairing_id>/assets/", views.asset_list, name="asset_list"),
    path("projects/<int:project_id>/assets/new/", views.asset_create, name="asset_create"),
    path("assets/<int:asset_id>/", views.asset_detail, name="asset_detail"),
    path("assets/<int:asset_id>/edit/", views.asset_edit, name="asset_edit"),
    path("assets/<int:asset_id>/step/", views.asset_step, name="asset_step"),
    path("assets/<int:asset_id>/care/new/", views.care_create, name="asset_care_create"),
    path("assets/<int:asset_id>/income/new/", views.income_create, name="asset_income_create"),
    path("assets/<int:asset_id>/handover-file/", views.handover_file, name="asset_handover_file"),
]
