from django.urls import path

from . import views

urlpatterns = [
    path("pairings/<int:pairing_id>/downloads/<slug:kind>/", views.download_start, name="download_start"),
    path("downloads/<int:download_id>/", views.download_detail, name="download_detail"),
    path("downloads/<int:download_id>/progress/", views.download_progress, name="download_progress"),
    path("downloads/<int:download_id>/retry/", views.download_retry, name="download_retry"),
    path("downloads/<int:download_id>/file/", views.download_file, name="download_file"),
]
