"""URLs of the data-quality pages (*kualitas data*)."""

from __future__ import annotations

from django.urls import path

from tpbis.quality import views

app_name = "quality"

urlpatterns = [
    path("", views.flag_list, name="flags"),
    path("tanda/<int:pk>/", views.flag_mark, name="flag_mark"),
    path("pengaturan/", views.outlier_settings, name="settings"),
]
