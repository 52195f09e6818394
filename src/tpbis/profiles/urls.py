from __future__ import annotations

from django.urls import path

from tpbis.profiles import views

app_name = "profiles"
urlpatterns = [
    path("", views.profile_list, name="list"),
    path("peta.json", views.map_data, name="map_data"),
    path("<int:pk>/", views.profile_edit, name="edit"),
]
