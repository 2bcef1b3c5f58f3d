from django.urls import path

from . import views

urlpatterns = [
    path("pairings/<int:pairing_id>/funds/", views.funds_overview, name="funds_overview"),
    path("pairings/<int:pairing_id>/funds/receipts/", views.receipt_list, name="receipt_list"),
    path("pairings/<int:pairing_id>/funds/receipts/new/", views.receipt_create, name="receipt_create"),
    path("funds/receipts/<int:fund_receipt_id>/edit/", views.receipt_edit, name="receipt_edit"),
    path("pairings/<int:pairing_id>/projects/", views.project_list, name="project_list"),
    path("pairings/<int:pairing_id>/projects/new/", views.project_create, name="project_create"),
    path("projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path("projects/<int:project_id>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:project_id>/progress/", views.project_progress, name="project_progress"),
    path("projects/<int:project_id>/transition/", views.project_transition, name="project_transition"),
    path("projects/<int:project_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:project_attachment_id>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:project_attachment_id>/delete/", views.attachment_delete, name="attachment_delete"),
    path("pairings/<int:pairing_id>/disbursements/", views.disbursement_list, name="disbursement_list"),
    path("projects/<int:project_id>/disbursements/new/", views.disbursement_create, name="disbursement_create"),
    path("disbursements/<int:disbursement_id>/edit/", views.disbursement_edit, name="disbursement_edit"),
    path("disbursements/<int:disbursement_id>/confirm/", views.disbursement_confirm, name="disbursement_confirm"),
    path("disbursements/<int:disbursement_id>/return/", views.disbursement_return, name="disbursement_return"),
    path("funds/health-rules/", views.health_rules, name="health_rules"),
    path("funds/categories/", views.categories, name="project_categories"),
    path("disclosure/", views.disclosure_index, name="disclosure_index"),
    path("disclosure/<int:pairing_id>/", views.disclosure, name="disclosure"),
]
