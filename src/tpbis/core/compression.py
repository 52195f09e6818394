"""Gzip for pages, JSON and CSV; never for photos and spreadsheets, which are compressed already."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE_TYPES = ("text/", "application/json", "application/javascript", "image/svg+xml")


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware limited to text, so a village phone on 3G downloads a third of each page.

    Django pads every gzip header with random bytes (its BREACH mitigation, "Heal The Breach") and masks
    the CSRF token anew on each response. Gzipping a JPEG or an XLSX would only cost CPU and drop its
    Content-Length, so those pass through untouched.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)
