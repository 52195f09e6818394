"""URLs of the reports app: records, their photos and the verification queue."""

from __future__ import annotations

from django.urls import path

from tpbis.reports import photo_views, record_import_views, views

app_name = "reports"

urlpatterns = [
    path("", views.record_list, name="list"),
    path("verifikasi/", views.queue, name="queue"),
    path("verifikasi/<str:record_type>/", views.queue, name="queue_type"),
    path("verifikasi/<str:record_type>/massal/", views.queue_bulk_verify, name="queue_bulk_verify"),
    path("foto/<int:pk>/<str:size>/", photo_views.photo_file, name="photo"),
    path("foto/terlampir/<int:pk>/<str:size>/", photo_views.staged_photo_file, name="staged_photo"),
    path("impor/", record_import_views.import_start, name="import"),
    path("impor/pratinjau/", record_import_views.import_preview, name="import_preview"),
    path("impor/templat/<str:record_type>.<str:ext>", record_import_views.import_template, name="import_template"),
    path("impor/<str:record_type>/terapkan/", record_import_views.import_apply, name="import_apply"),
    path("<str:record_type>/", views.record_list, name="list_type"),
    path("<str:record_type>/baru/", views.record_new, name="new"),
    path("<str:record_type>/<int:pk>/", views.record_detail, name="detail"),
    path("<str:record_type>/<int:pk>/ubah/", views.record_edit, name="edit"),
    path("<str:record_type>/<int:pk>/<str:action>/", views.record_action, name="action"),
]
