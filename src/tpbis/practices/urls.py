"""URLs of the good-practice library, under /praktik-baik/."""

from __future__ import annotations

from django.urls import path

from tpbis.practices import views

app_name = "practices"

urlpatterns = [
    path("", views.practice_list, name="list"),
    path("baru/", views.practice_create_view, name="create"),
    path("publik/", views.public_list, name="public_list"),
    path("publik/<int:pk>/", views.public_detail, name="public_detail"),
    path("<int:pk>/", views.practice_detail, name="detail"),
    path("<int:pk>/ubah/", views.practice_edit, name="edit"),
    path("<int:pk>/kirim/", views.practice_submit_view, name="submit"),
    path("<int:pk>/tinjau/", views.practice_review, name="review"),
    path("<int:pk>/foto/<int:photo>/<str:size>/", views.practice_photo, name="photo"),
]
