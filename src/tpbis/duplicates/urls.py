from __future__ import annotations

from django.urls import path

from tpbis.duplicates import views

app_name = "duplicates"

urlpatterns = [
    path("", views.pair_list, name="list"),
    path("<int:pk>/", views.pair_detail, name="detail"),
    path("<int:pk>/abaikan/", views.pair_dismiss_view, name="dismiss"),
    path("<int:pk>/gabung/", views.pair_merge_view, name="merge"),
]
