from __future__ import annotations

from django.urls import path

from tpbis.regions import views

app_name = "regions"
urlpatterns = [path("cari/", views.region_search_view, name="search")]
