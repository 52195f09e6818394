from __future__ import annotations

from django.urls import path, register_converter

from tpbis.exports import views


class FormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "format")

app_name = "exports"
urlpatterns = [
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/unduh/", views.job_download, name="job_download"),
    path("<slug:kind>.<format:fmt>", views.export_download, name="download"),
]
