"""Indonesian unless the person chose otherwise."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
