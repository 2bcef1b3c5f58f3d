from django.urls import path

from . import views

urlpatterns = [
    path("pairings/<int:pairing_id>/notices/", views.notice_list, name="notice_list"),
    path("projects/<int:project_id>/notices/new/", views.notice_create, name="notice_create"),
    path("library/<int:library_entry_id>/notices/new/", views.entry_notice_create, name="notice_create_listing"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:notice_id>/edit/", views.notice_edit, name="notice_edit"),
    path("notices/<int:notice_id>/step/", views.notice_step, name="notice_step"),
    path("notices/<int:notice_id>/postings/", views.posting_add, name="notice_posting_add"),
    path("notices/<int:notice_id>/feedback/", views.feedback_add, name="notice_feedback_add"),
    path("notices/<int:notice_id>/docx/", views.notice_docx, name="notice_docx"),
    path("notice-postings/<int:notice_posting_id>/photo/", views.posting_photo, name="notice_posting_photo"),
    path("notice-feedback/<int:notice_feedback_id>/handle/", views.feedback_handle, name="notice_feedback_handle"),
]
