from __future__ import annotations

from django.urls import path

from tpbis.kpi import views

app_name = "kpi"
urlpatterns = [
    path("", views.ranking_view, name="ranking"),
    path("skema/", views.scheme_list, name="schemes"),
    path("skema/baru/", views.scheme_edit, name="scheme_new"),
    path("skema/<int:pk>/", views.scheme_edit, name="scheme_edit"),
]
