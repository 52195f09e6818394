"""Outlier flags in the REST API v1: `GET /api/v1/quality/outliers?region=35.24&status=open`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.api.v1.base import request_scope
from tpbis.api.v1.directory import ERRORS, PageQuery, page_of, page_schema
from tpbis.quality.models import FollowUp, OutlierFlag
from tpbis.quality.selectors import flag_text, flags_for_user, quality_region_for_user
from tpbis.regions.codes import normalize_code

router = Router(tags=["quality"])


class OutlierQuery(Schema):
    region: str | None = Field(None, max_length=20, description="Region code, dotted or not; default: your area")
    status: FollowUp | None = Field(None, description="Follow-up: open, checked, confirmed or corrected")


class OutlierOut(Schema):
    id: int
    record_type: str = Field(description="pelibatan, peningkatan or pengunjung")
    record_id: int
    library: int
    library_name: str
    region: str
    measure: str = Field(description="pengunjung, buku, buku_digital, komputer, bandwidth or peserta")
    year: int
    month: int
    value: float
    basis: str = Field(description="history (the library's own), peers (libraries of its kind) or bounds")
    usual_low: float | None
    usual_high: float | None
    z_score: float | None
    modified_z: float | None
    distance: float = Field(description="How far the value lies; flags come farthest first")
    text: str = Field(description='As the verification queue shows it, e.g. "jauh di atas biasanya: ..."')
    status: str
    note: str
    followed_at: str | None


OutlierPage = page_schema(OutlierOut)


def _out(flag: OutlierFlag) -> dict[str, Any]:
    return {
        "id": flag.pk,
        "record_type": flag.record_type,
        "record_id": flag.record_id,
        "library": flag.library_id,
        "library_name": flag.library.name,
        "region": flag.library.region_id,
        "measure": flag.measure,
        "year": flag.year,
        "month": flag.month,
        "value": float(flag.value),
        "basis": flag.basis,
        "usual_low": None if flag.usual_low is None else float(flag.usual_low),
        "usual_high": None if flag.usual_high is None else float(flag.usual_high),
        "z_score": flag.z_score,
        "modified_z": flag.modified_z,
        "distance": flag.distance,
        "text": flag_text(flag),
        "status": flag.status,
        "note": flag.note,
        "followed_at": flag.followed_at.isoformat() if flag.followed_at else None,
    }


@router.get("/quality/outliers", response={200: OutlierPage, **ERRORS}, operation_id="quality_outliers")
def outliers_list(request: HttpRequest, filters: Query[OutlierQuery], page: Query[PageQuery]) -> dict[str, Any]:
    """Values far from the usual (outliers) in a region of the caller's area, farthest first, with their
    follow-up. For facilitators and above (a library manager: 403); a region outside the area: 404."""
    scope = request_scope(request)
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    verifier = Scope(national=scope.national, provinces=scope.provinces, regencies=scope.regencies)
    code = normalize_code(filters.region) if filters.region else None
    if filters.region and code is None:
        raise Http404
    region = quality_region_for_user(scope=verifier, code=code)
    qs = flags_for_user(scope=verifier, region_code=region.code, status=filters.status)
    return page_of(qs, page, _out)
