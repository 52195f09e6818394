"""The installable app's files at the site root: the service worker must live at / to control every page."""

from __future__ import annotations

from django.urls import path

from tpbis.offline import views

app_name = "offline"

urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("luring/", views.offline_page, name="page"),
    path("favicon.ico", views.favicon, name="favicon"),
]
