from django.urls import path

from . import views

urlpatterns = [
    path("pairings/<int:pairing_id>/crosscheck/", views.check, name="crosscheck_check"),
    path("pairings/<int:pairing_id>/crosscheck/terms/", views.terms, name="crosscheck_terms"),
    path("pairings/<int:pairing_id>/crosscheck/terms/new/", views.term_create, name="crosscheck_term_create"),
    path("crosscheck/terms/<int:term_id>/edit/", views.term_edit, name="crosscheck_term_edit"),
    path("crosscheck/terms/<int:term_id>/delete/", views.term_delete, name="crosscheck_term_delete"),
]
urlpatterns += [
    path("pairings/<int:pairing_id>/briefings/", views.briefings, name="crosscheck_briefings"),
    path("briefings/<int:briefing_id>/", views.briefing, name="crosscheck_briefing"),
    path("briefings/<int:briefing_id>/docx/", views.briefing_docx, name="crosscheck_briefing_docx"),
]
