from django.urls import path

from . import views

urlpatterns = [
    path("pairings/new/", views.pairing_create, name="pairing_create"),
    path("pairings/<int:pairing_id>/", views.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pairing_id>/edit/", views.pairing_edit, name="pairing_edit"),
    path("pairings/<int:pairing_id>/working-year/", views.pairing_working_year, name="pairing_working_year"),
    path("pairings/<int:pairing_id>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:agreement_id>/edit/", views.agreement_edit, name="agreement_edit"),
    path("pairing-documents/<int:pairing_document_id>/", views.pairing_document_file, name="pairing_document_file"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:org_id>/edit/", views.organisation_edit, name="organisation_edit"),
]
