from __future__ import annotations

from django.urls import path

from tpbis.reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("aturan/<str:kind>/", views.rule_edit, name="rule_edit"),
    path("aturan/<str:kind>/hapus/", views.rule_reset, name="rule_reset"),
    path("pratinjau/", views.preview, name="preview"),
    path("log/", views.log, name="log"),
]
