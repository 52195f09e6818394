from __future__ import annotations

from django.urls import path

from tpbis.worklists import views

app_name = "worklists"
urlpatterns = [
    path("", views.home, name="home"),
    path("senyap/", views.silent, name="silent"),
    path("dikembalikan/", views.returned, name="returned"),
]
