from django.urls import path

from . import views

urlpatterns = [
    path("pairings/<int:pairing_id>/ledgers/", views.ledger_index, name="ledger_index"),
    path("pairings/<int:pairing_id>/ledgers/<slug:ledger>/template.xlsx", views.ledger_template,
         name="ledger_template"),
    path("pairings/<int:pairing_id>/ledgers/<slug:ledger>/export.xlsx", views.ledger_export, name="ledger_export"),
    path("pairings/<int:pairing_id>/ledgers/<slug:ledger>/import/", views.ledger_upload, name="ledger_upload"),
    path("ledger-imports/<int:importjob_id>/", views.job_detail, name="ledger_job"),
    path("ledger-imports/<int:importjob_id>/progress/", views.job_progress, name="ledger_job_progress"),
    path("ledger-imports/<int:importjob_id>/map/", views.job_map, name="ledger_job_map"),
    path("ledger-imports/<int:importjob_id>/sheets/", views.job_sheets, name="ledger_job_sheets"),
    path("ledger-imports/<int:importjob_id>/confirm/", views.job_confirm, name="ledger_job_confirm"),
    path("ledger-imports/<int:importjob_id>/rerun/", views.job_rerun, name="ledger_job_rerun"),
    path("ledger-imports/<int:importjob_id>/abandon/", views.job_abandon, name="ledger_job_abandon"),
]
