from django.urls import path

from . import views

urlpatterns = [
    path("labour/settings/", views.settings_edit, name="labour_settings"),
    # A national setting, not a record: the year is a query parameter (?year=2022).
    path("labour/settings/year/", views.year_rule_edit, name="labour_year_rule"),
    path("pairings/<int:pairing_id>/labour/", views.overview, name="labour_overview"),
    # People
    path("pairings/<int:pairing_id>/labour/people/", views.person_list, name="labour_person_list"),
    path("pairings/<int:pairing_id>/labour/people/new/", views.person_create, name="labour_person_create"),
    path("pairings/<int:pairing_id>/labour/people/find/", views.person_find, name="labour_person_find"),
    path("labour/people/<int:person_id>/", views.person_detail, name="labour_person_detail"),
    path("labour/people/<int:person_id>/edit/", views.person_edit, name="labour_person_edit"),
    path("labour/people/<int:person_id>/reveal/", views.person_reveal, name="labour_person_reveal"),
    # Training classes and rosters
    path("pairings/<int:pairing_id>/labour/classes/", views.class_list, name="labour_class_list"),
    path("pairings/<int:pairing_id>/labour/classes/new/", views.class_create, name="labour_class_create"),
    path("labour/classes/<int:training_class_id>/", views.class_detail, name="labour_class_detail"),
    path("labour/classes/<int:training_class_id>/edit/", views.class_edit, name="labour_class_edit"),
    path("labour/classes/<int:training_class_id>/trainees/add/", views.trainee_add, name="labour_trainee_add"),
    path("labour/classes/<int:training_class_id>/roster.csv", views.roster_export, name="labour_roster_export"),
    path("labour/trainees/<int:trainee_id>/edit/", views.trainee_edit, name="labour_trainee_edit"),
    path("labour/trainees/<int:trainee_id>/remove/", views.trainee_remove, name="labour_trainee_remove"),
    # Employment
    path("pairings/<int:pairing_id>/labour/jobs/", views.employment_list, name="labour_employment_list"),
    path("pairings/<int:pairing_id>/labour/jobs/new/", views.employment_create, name="labour_employment_create"),
    path("labour/jobs/<int:employment_id>/", views.employment_detail, name="labour_employment_detail"),
    path("labour/jobs/<int:employment_id>/edit/", views.employment_edit, name="labour_employment_edit"),
    # Talent exchange
    path("pairings/<int:pairing_id>/talent/", views.talent_list, name="labour_talent_list"),
    path("pairings/<int:pairing_id>/talent/new/", views.talent_create, name="labour_talent_create"),
    path("pairings/<int:pairing_id>/talent/units/<int:org_id>/", views.talent_unit, name="labour_talent_unit"),
    path("labour/talent/<int:talent_exchange_id>/", views.talent_detail, name="labour_talent_detail"),
    path("labour/talent/<int:talent_exchange_id>/edit/", views.talent_edit, name="labour_talent_edit"),
]
