"""Indonesian unless the person chose otherwise; a database outage is a 503 saying to try again shortly."""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 30


class IgnoreBrowserLanguageMiddleware:
    """Drop Accept-Language before LocaleMiddleware reads it.

    Many phones in Indonesia run in English; the programme works in Indonesian, so the language
    comes from the person's own choice (the switch in the header, kept in a cookie) or the default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON for the API, a page (rendered without touching the database) elsewhere."""
    message = _("Layanan sedang gangguan, coba lagi sebentar lagi.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"code": "unavailable", "message": message, "errors": {}}, status=503)
    else:
        # No request context: its processors would ask the unreachable database who is signed in.
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _is_outage(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError | InterfaceError)


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database (restart, failover, network) answers 503, not 500.

    The request's transaction, if any, was rolled back with the error: nothing half-done is kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return database_unavailable(request) if _is_outage(exception) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the same 503 when the outage struck in a middleware (session, scope) before any view."""
    if _is_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)
