"""Public figures of the programme: `GET /api/v1/stats?region=CODE&start=YYYY-MM-DD&end=YYYY-MM-DD`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from tpbis.api.v1.base import ErrorOut, api, optional_scope
from tpbis.api.v1.schemas import StatsOut
from tpbis.dashboards.periods import dates_check
from tpbis.dashboards.public import below_floor_message, public_allows
from tpbis.dashboards.selectors import region_stats
from tpbis.regions.codes import normalize_code
from tpbis.regions.models import Region

router = Router(tags=["stats"])


def _iso(value: str | None, default: dt.date) -> dt.date | None:
    if value is None or value.strip() == "":
        return default
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


@router.get(
    "/stats",
    auth=None,
    response={200: StatsOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    operation_id="stats",
)
def stats(request: HttpRequest, region: str | None = None, start: str | None = None, end: str | None = None) -> Any:
    """A region's figures (no personal data); region optional (the nation), period by default 1 January
    of this year to today. Counting rules as on the dashboards. Public down to kabupaten/kota level, as
    on /capaian/; a kecamatan or a village only with a token (or session) whose scope covers it. The
    reporting rate of the monthly visitor report (`reporting_rate`, `reporting_rate_on_time` and its
    counts) follows the rules of dashboards/rates.py."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    raw = (region or "").strip()
    code = normalize_code(raw) if raw else None
    if raw and (code is None or not Region.objects.filter(code=code).exists()):
        errors["region"] = [_("Kode wilayah tidak dikenal: %(code)s") % {"code": raw[:20]}]
    start_date = _iso(start, today.replace(month=1, day=1))
    end_date = _iso(end, today)
    errors.update({field: [message] for field, message in dates_check(start_date, end_date, today).items()})
    if errors or start_date is None or end_date is None:
        return _bad_request(request, errors)
    scope = optional_scope(request)
    if not public_allows(code) and (scope is None or not scope.covers_region(code or "")):
        return api.create_response(
            request, {"code": "not_found", "message": below_floor_message(), "errors": {}}, status=404
        )
    return region_stats(region_code=code, start=start_date, end=end_date, scope=scope)


def _bad_request(request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    return api.create_response(
        request, {"code": "invalid", "message": _("Parameter tidak valid."), "errors": errors}, status=400
    )
