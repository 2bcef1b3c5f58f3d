from django.urls import path

# Registers the `year` converter (2000–2100) used below.
from xiezuo.front import params  # noqa: F401

from . import views

app_name = "assessment"

urlpatterns = [
    path("assessment/pairings/<int:pairing_id>/", views.dashboard, name="dashboard"),
    path("assessment/pairings/<int:pairing_id>/self-evaluation/", views.self_evaluation_years, name="self_evaluations"),
    path("assessment/pairings/<int:pairing_id>/self-evaluation/<year:year>/", views.self_evaluation, name="self_evaluation"),
    *[path(f"assessment/pairings/<int:pairing_id>/self-evaluation/<year:year>/{action}/", views.self_evaluation_action,
           {"action": action}, name=f"self_evaluation_{action}")
      for action in ("draft", "refresh", "submit", "confirm", "return", "reopen")],
    path("assessment/pairings/<int:pairing_id>/report/<year:year>.docx", views.report_docx, name="report_docx"),
    path("assessment/pairings/<int:pairing_id>/report/<year:year>.xlsx", views.report_xlsx, name="report_xlsx"),
    path("assessment/pairings/<int:pairing_id>/manual/<year:year>/", views.manual_actuals, name="manual_actuals"),
    path("assessment/manual-actuals/<int:manual_actual_id>/evidence/", views.manual_actual_evidence,
         name="manual_actual_evidence"),
    path("assessment/rollup/", views.rollup_page, name="rollup"),
    path("assessment/indicators/", views.indicator_list, name="indicator_list"),
    path("assessment/indicators/new/", views.indicator_edit, name="indicator_create"),
    path("assessment/indicators/<int:indicator_id>/edit/", views.indicator_edit, name="indicator_edit"),
]
