from __future__ import annotations

from django.urls import path

from tpbis.reportcards import views

app_name = "reportcards"
urlpatterns = [
    path("rapor/<int:pk>/", views.report_card_view, name="report_card"),
    path("rapor/<int:pk>/pdf/", views.report_card_pdf, name="report_card_pdf"),
    path("laporan-gathering/", views.gathering_view, name="gathering"),
    path("laporan-gathering/pdf/", views.gathering_pdf, name="gathering_pdf"),
]
