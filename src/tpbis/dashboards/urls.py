from __future__ import annotations

from django.urls import path

from tpbis.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="region"),
]
