"""The real SIM's public endpoints (`/api/pelibatan3513`) and the REST API v1 (`/api/v1/`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _

from tpbis.api import compat_views
from tpbis.api.v1 import directory, kpi, records, stats
from tpbis.api.v1.base import api


def _has_nul(request: HttpRequest) -> bool:
    # PostgreSQL refuses NUL characters in text; such input must be a 422, never a 500.
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    body = request.body if request.method in ("POST", "PUT", "PATCH") else b""
    return b"\\u0000" in body or b"\x00" in body


def _guard(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _has_nul(request):
            return JsonResponse({"message": _("Teks tidak boleh berisi karakter NUL."), "errors": {}}, status=422)
        return view(request, *args, **kwargs)

    return wrapped


def _guarded(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _guard(pattern.callback)
    return patterns


if not api._routers[1:]:
    api.add_router("", directory.router)
    api.add_router("/records", records.router)
    api.add_router("", kpi.router)
    api.add_router("", stats.router)
_v1_patterns, _v1_app, _v1_namespace = api.urls

urlpatterns = [
    path("v1/", (_guarded(list(_v1_patterns)), _v1_app, _v1_namespace)),
    re_path(r"^(?P<name>[a-z]+)(?P<code>[0-9]+)/?$", compat_views.sim_endpoint, name="sim"),
    # Anything else under /api/ answers like the real system does to an unknown endpoint.
    re_path(r"^(?!v1/)(?P<name>.*)$", compat_views.sim_endpoint, name="sim_unknown"),
]
