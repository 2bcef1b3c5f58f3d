from django.urls import path

from . import views

urlpatterns = [
    path("pairings/<int:pairing_id>/rectifications/", views.task_list, name="rectification_list"),
    path("pairings/<int:pairing_id>/rectifications/new/", views.task_create, name="rectification_create"),
    path("rectifications/<int:rectification_id>/", views.task_detail, name="rectification_detail"),
    path("rectifications/<int:rectification_id>/edit/", views.task_edit, name="rectification_edit"),
    path("rectifications/<int:rectification_id>/step/", views.task_step, name="rectification_step"),
    path("rectifications/<int:rectification_id>/source-file/", views.task_file, {"which": "source"},
         name="rectification_source_file"),
    path("rectifications/<int:rectification_id>/evidence-file/", views.task_file, {"which": "evidence"},
         name="rectification_evidence_file"),
    path("procurement/findings/<int:finding_id>/rectification/", views.from_finding,
         name="rectification_from_finding"),
    path("projects/<int:project_id>/rectification/", views.from_health, name="rectification_from_health"),
]
