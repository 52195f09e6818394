from __future__ import annotations

from django.urls import path

from tpbis.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_page, name="list"),
]
