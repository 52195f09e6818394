from __future__ import annotations

from django.urls import path

from tpbis.gatherings import views

app_name = "gatherings"
urlpatterns = [
    path("", views.gathering_list, name="list"),
    path("baru/", views.gathering_create_view, name="create"),
    path("<int:pk>/", views.gathering_detail, name="detail"),
    path("<int:pk>/ubah/", views.gathering_edit, name="edit"),
    path("<int:pk>/undangan/", views.gathering_invitees, name="invitees"),
    path("<int:pk>/mulai/", views.gathering_start, name="start"),
    path("<int:pk>/daftar/", views.gathering_register_view, name="register"),
    path("<int:pk>/hadir/<str:token>/", views.gathering_checkin, name="checkin"),
    path("<int:pk>/kehadiran/", views.gathering_attendance, name="attendance"),
    path("<int:pk>/praktik/", views.practice_add_view, name="practice_add"),
    path("<int:pk>/tindak-lanjut/", views.followup_add_view, name="followup_add"),
    path("tindak-lanjut/<int:pk>/selesai/", views.followup_done_view, name="followup_done"),
    path("<int:pk>/materi/", views.material_add_view, name="material_add"),
    path("materi/<int:pk>/", views.material_download, name="material"),
    path("<int:pk>/laporan/", views.gathering_report, name="report"),
]
