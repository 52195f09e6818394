"""Absolute links for texts that leave the site: activation links, WhatsApp texts, QR codes, emails, API photos.

SITE_URL wins when set. Unset, a link made while answering a request uses the address that request came
on, so `make run PORT=8123` (or a phone on the office network) gets links it can open; a link made
without a request (the worker's reminders, a command) uses BACKGROUND_SITE_URL.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# Links are built deep inside services (an invitation's text, a notification's email) that have no
# business taking a request; the request being answered is known here instead, per thread or task.
_current_request: ContextVar[HttpRequest | None] = ContextVar("tpbis_current_request", default=None)


def site_url() -> str:
    """Scheme and host that links start with, without a trailing slash."""
    if settings.SITE_URL:
        return str(settings.SITE_URL).rstrip("/")
    request = _current_request.get()
    if request is not None:
        # get_host() checks ALLOWED_HOSTS, so a forged Host header never ends up in a link.
        return request.build_absolute_uri("/").rstrip("/")
    return str(settings.BACKGROUND_SITE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    """A site-relative path as a link that works from a mailbox or a chat (full URLs pass unchanged)."""
    if path.startswith(("http://", "https://")):
        return path
    return site_url() + path


class RequestAddressMiddleware:
    """Makes the request being answered known to site_url() for the time of its answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
