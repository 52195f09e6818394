"""URLs of the notifications app: the list, opening one, marking all read, preferences."""

from __future__ import annotations

from django.urls import path

from tpbis.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("baca-semua/", views.mark_all_read, name="mark_all_read"),
    path("pengaturan/", views.preferences, name="preferences"),
    path("<int:pk>/", views.notification_open_view, name="open"),
]
