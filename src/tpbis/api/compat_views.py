"""The real SIM's public endpoints (`/api/pelibatan3513`, ...), answered from the cache when we can."""

from __future__ import annotations

import gzip
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tpbis.api.cache import api_cache_token, cache_get, cache_set
from tpbis.api.compat import BadDate, served_endpoints, sim_period, sim_region, sim_rows
from tpbis.api.throttle import TokensThrottled, throttled_response, token_check_allowed, token_failure_record
from tpbis.api.tokens import bearer_key, token_authenticate
from tpbis.core.links import site_url

# Answers this large are sent compressed to clients that accept it (dashboards poll them often).
GZIP_MIN_BYTES = 1024


def _error(status: int, message: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"status": "error", "message": message}, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _encode(rows: list[dict[str, Any]]) -> tuple[bytes, bytes | None]:
    body = json.dumps({"status": "success", "data": rows}, ensure_ascii=False, separators=(",", ":")).encode()
    compressed = gzip.compress(body, compresslevel=5, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
    return body, compressed


def _token_ok(request: HttpRequest) -> bool:
    # The header is the documented way; `?token=` stays for dashboards that cannot set headers, and is
    # masked in our logs (tpbis.core.logfilters).
    key = bearer_key(request) or request.GET.get("token", "")
    token_check_allowed(request)
    if token_authenticate(key) is not None:
        return True
    token_failure_record(request)
    return False


@csrf_exempt
def sim_endpoint(request: HttpRequest, name: str = "", code: str = "") -> HttpResponse:
    """GET /api/<endpoint><code>?tanggal_awal=d/m/Y&tanggal_akhir=d/m/Y, as the real system answers it."""
    if request.method not in ("GET", "HEAD"):
        return _error(405, _("Hanya GET yang didukung."))
    try:
        if getattr(settings, "SIM_API_REQUIRE_TOKEN", False) and not _token_ok(request):
            response = _error(401, _("Token API diperlukan (header Authorization: Bearer <token>)."))
            response["WWW-Authenticate"] = 'Bearer realm="SIM TPBIS"'
            return response
    except TokensThrottled as exc:
        response = throttled_response(exc, extra={"status": "error"})
        response["Access-Control-Allow-Origin"] = "*"
        return response
    if name not in served_endpoints():
        return _error(404, _("Endpoint tidak dikenal."))
    region = sim_region(code)
    if region is None:
        return _error(404, _("Kode wilayah %(code)s tidak dikenal.") % {"code": code})
    try:
        period = sim_period(
            start=request.GET.get("tanggal_awal"), end=request.GET.get("tanggal_akhir"), today=timezone.localdate()
        )
    except BadDate as error:
        return _error(
            400, _("%(name)s harus tanggal dd/mm/yyyy, bukan %(value)r.") % {"name": error.name, "value": error.value}
        )
    # Photo links start with the address asked on when SITE_URL is unset, so the address is part of the key.
    key = f"{name}:{region.code}:{period.key()}:{site_url()}:{api_cache_token()}"
    cached = cache_get(key)
    if cached is None:
        cached = _encode(sim_rows(endpoint=name, region=region, period=period))
        cache_set(key, cached)
    body, compressed = cached
    response = HttpResponse(content_type="application/json")
    if compressed is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        response.content = compressed
        response["Content-Encoding"] = "gzip"
    else:
        response.content = body
    patch_vary_headers(response, ["Accept-Encoding"])
    response["Access-Control-Allow-Origin"] = "*"
    return response
