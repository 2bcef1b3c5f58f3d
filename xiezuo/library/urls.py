from django.urls import path

from . import views

urlpatterns = [
    path("pairings/<int:pairing_id>/library/", views.entry_list, name="library_list"),
    path("pairings/<int:pairing_id>/library/new/", views.entry_create, name="library_create"),
    path("library/<int:library_entry_id>/", views.entry_detail, name="library_detail"),
    path("library/<int:library_entry_id>/edit/", views.entry_edit, name="library_edit"),
    path("library/<int:library_entry_id>/step/", views.entry_step, name="library_step"),
    path("library/<int:library_entry_id>/notice/", views.entry_notice, name="library_notice"),
]
