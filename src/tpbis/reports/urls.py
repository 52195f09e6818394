"""URLs of the reports app: records, their photos and the verification queue."""

from __future__ import annotations

from django.urls import path

from tpbis.reports import photo_views, views

app_name = "reports"

urlpatterns = [
    path("", views.record_list, name="list"),
    path("verifikasi/", views.queue, name="queue"),
    path("verifikasi/<str:record_type>/", views.queue, name="queue_type"),
    path("verifikasi/<str:record_type>/massal/", views.queue_bulk_verify, name="queue_bulk_verify"),
    path("foto/<int:pk>/<str:size>/", photo_views.photo_file, name="photo"),
    path("<str:record_type>/", views.record_list, name="list_type"),
    path("<str:record_type>/baru/", views.record_new, name="new"),
    path("<str:record_type>/<int:pk>/", views.record_detail, name="detail"),
    path("<str:record_type>/<int:pk>/ubah/", views.record_edit, name="edit"),
    path("<str:record_type>/<int:pk>/<str:action>/", views.record_action, name="action"),
]
