from __future__ import annotations

from django.urls import path

from tpbis.surveys import views

app_name = "surveys"

urlpatterns = [
    path("kelola/wilayah/", views.region, name="region"),
    path("kelola/wilayah/<slug:what>.<slug:fmt>", views.region_export, name="region_export"),
    path("kelola/pelibatan/<int:pk>/", views.activity, name="activity"),
    path("kelola/pelibatan/<int:pk>/buka/", views.activity_open, name="open"),
    path("kelola/pelibatan/<int:pk>/tutup/", views.activity_close, name="close"),
    path("kelola/pelibatan/<int:pk>/<slug:what>.<slug:fmt>", views.activity_export, name="activity_export"),
    path("<str:code>/", views.answer, name="answer"),
]
