from __future__ import annotations

from django.urls import path

from tpbis.dashboards import views

app_name = "public"
urlpatterns = [
    path("", views.public_figures, name="figures"),
]
