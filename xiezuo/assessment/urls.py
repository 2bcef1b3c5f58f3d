from django.urls import path, register_converter

# Registers the `year` converter (2000–2100) used below.
from xiezuo.front import params  # noqa: F401

from . import views


class SideConverter:
    """`<side:side>` in a URL: the side of a self-evaluation, east or west."""

    regex = "east|west"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(SideConverter, "side")

app_name = "assessment"

urlpatterns = [
    path("assessment/pairings/<int:pairing_id>/", views.dashboard, name="dashboard"),
    path("assessment/pairings/<int:pairing_id>/self-evaluation/", views.self_evaluation_years, name="self_evaluations"),
    # The year's page without a side is the west report's, as it was when
    # there was one report a year.
    path("assessment/pairings/<int:pairing_id>/self-evaluation/<year:year>/", views.self_evaluation_year,
         name="self_evaluation_year"),
    path("assessment/pairings/<int:pairing_id>/self-evaluation/<year:year>/cross-check/", views.cross_check,
         name="cross_check"),
    path("assessment/pairings/<int:pairing_id>/self-evaluation/<year:year>/<side:side>/", views.self_evaluation,
         name="self_evaluation"),
    *[path(f"assessment/pairings/<int:pairing_id>/self-evaluation/<year:year>/<side:side>/{action}/",
           views.self_evaluation_action, {"action": action}, name=f"self_evaluation_{action}")
      for action in ("draft", "refresh", "submit", "opinion", "finalise", "withdraw", "reopen")],
    path("assessment/pairings/<int:pairing_id>/report/<year:year>.docx", views.report_docx, {"side": "west"},
         name="report_docx"),
    path("assessment/pairings/<int:pairing_id>/report/<year:year>/<side:side>.docx", views.report_docx,
         name="report_side_docx"),
    path("assessment/pairings/<int:pairing_id>/report/<year:year>.xlsx", views.report_xlsx, name="report_xlsx"),
    path("assessment/pairings/<int:pairing_id>/manual/<year:year>/", views.manual_actuals, name="manual_actuals"),
    path("assessment/manual-actuals/<int:manual_actual_id>/evidence/", views.manual_actual_evidence,
         name="manual_actual_evidence"),
    path("assessment/rollup/", views.rollup_page, name="rollup"),
    path("assessment/indicators/", views.indicator_list, name="indicator_list"),
    path("assessment/indicators/new/", views.indicator_edit, name="indicator_create"),
    path("assessment/indicators/<int:indicator_id>/edit/", views.indicator_edit, name="indicator_edit"),
]
