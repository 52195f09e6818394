from __future__ import annotations

from django.urls import path

from tpbis.libraries import handover_views, import_views, views

app_name = "libraries"
urlpatterns = [
    path("", views.library_list, name="list"),
    path("baru/", views.library_create_view, name="create"),
    path("<int:pk>/", views.library_detail, name="detail"),
    path("<int:pk>/ubah/", views.library_edit_view, name="edit"),
    path("<int:pk>/status/", views.library_set_active_view, name="set_active"),
    path("<int:pk>/undang/", views.library_invite_view, name="invite"),
    path("<int:pk>/serah-terima/", handover_views.handover_view, name="handover"),
    path("<int:pk>/panduan/tutup/", handover_views.first_entry_dismiss, name="first_entry_dismiss"),
    path("akun/", views.onboarding, name="onboarding"),
    path("akun/lembar-qr/", views.qr_sheet, name="qr_sheet"),
    path("impor/", import_views.import_start, name="import"),
    path("impor/templat/<slug:kind>.<slug:ext>", import_views.import_template, name="import_template"),
    path("impor/<slug:kind>/pratinjau/", import_views.import_preview, name="import_preview"),
    path("impor/<slug:kind>/terapkan/", import_views.import_apply, name="import_apply"),
]
