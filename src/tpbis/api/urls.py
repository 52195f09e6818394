"""The real SIM's public endpoints (`/api/pelibatan3513`) and the REST API v1 (`/api/v1/`)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _

from tpbis.api import compat_views
from tpbis.api.v1 import directory, kpi, quality, records, stats
from tpbis.api.v1.base import api

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _has_nul(request: HttpRequest) -> bool:
    # PostgreSQL refuses NUL characters in text; such input must be a 422, never a 500.
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    body = request.body if request.method in ("POST", "PUT", "PATCH") else b""
    return b"\\u0000" in body or b"\x00" in body


def _not_an_object(request: HttpRequest) -> bool:
    """A JSON body that is there but is not an object (`123`, `[null,null]`, `"x"`): every v1 write takes
    an object or nothing, and ninja would otherwise read some of these as an empty payload."""
    if request.method not in ("POST", "PUT", "PATCH") or request.content_type in FORM_TYPES:
        return False
    if not request.body.strip():
        return False
    try:
        data = json.loads(request.body)
    except ValueError:
        return False  # malformed JSON: ninja answers it
    return not isinstance(data, dict)


def _guard(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            request.GET  # noqa: B018 (parsed here so too many fields is answered in JSON)
            if _has_nul(request):
                return _refuse(422, _("Teks tidak boleh berisi karakter NUL."))
            if _not_an_object(request):
                return _refuse(422, _('Isi permintaan harus objek JSON, mis. {"comment": "..."}, atau kosong.'))
        except RequestDataTooBig:
            limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            return _refuse(413, _("Isi permintaan terlalu besar (paling besar %(limit)s).") % {"limit": limit})
        except TooManyFieldsSent:
            return _refuse(400, _("Terlalu banyak parameter dalam permintaan."))
        return view(request, *args, **kwargs)

    return wrapped


def _refuse(status: int, message: str) -> JsonResponse:
    code = {413: "too_large"}.get(status, "invalid")
    return JsonResponse({"code": code, "message": message, "errors": {"__all__": [message]}}, status=status)


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
    api.add_router("", quality.router)
_v1_patterns, _v1_app, _v1_namespace = api.urls

urlpatterns = [
    path("v1/", (_guarded(list(_v1_patterns)), _v1_app, _v1_namespace)),
    re_path(r"^(?P<name>[a-z]+)(?P<code>[0-9]+)/?$", compat_views.sim_endpoint, name="sim"),
    # Anything else under /api/ answers like the real system does to an unknown endpoint.
    re_path(r"^(?!v1/)(?P<name>.*)$", compat_views.sim_endpoint, name="sim_unknown"),
]
