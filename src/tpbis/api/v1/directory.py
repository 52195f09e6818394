"""Who am I, regions and partner libraries in the REST API v1; shared paging."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema
from pydantic import create_model

from tpbis.api.v1 import schemas as s
from tpbis.api.v1.base import ErrorOut, request_scope, request_user
from tpbis.libraries.models import Library
from tpbis.libraries.selectors import LibraryFilters, library_get_for_user, library_list_for_user
from tpbis.regions.codes import normalize_code
from tpbis.regions.models import Region

router = Router()
MAX_ID = 2**53
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_PAGE_SIZE = 200


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


def page_schema(item: type[Schema]) -> type[Schema]:
    """{"items": [...], "count": total, "page": n, "pages": total pages} for one kind of item."""
    items: Any = list[item]  # type: ignore[valid-type]
    model: type[Schema] = create_model(
        f"{item.__name__}Page", __base__=Schema, items=(items, ...), count=(int, ...), page=(int, ...), pages=(int, ...)
    )
    return model


def page_of(qs: QuerySet[Any], page: PageQuery, render: Callable[[Any], Any]) -> dict[str, Any]:
    count = qs.count()
    start = (page.page - 1) * page.page_size
    items = [render(r) for r in qs[start : start + page.page_size]] if start < count else []
    return {"items": items, "count": count, "page": page.page, "pages": math.ceil(count / page.page_size)}


def region_out(region: Region) -> dict[str, Any]:
    return {
        "code": region.code,
        "name": region.name,
        "short_name": region.short_name,
        "level": region.level,
        "kind": region.kind,
        "parent": region.parent_id,
    }


def partner_out(library: Library) -> dict[str, Any]:
    return {
        "id": library.pk,
        "name": library.name,
        "kind": library.kind,
        "region": library.region_id,
        "region_name": library.region.short_name,
        "province": library.province_id,
        "regency": library.regency_id,
        "support": library.support,
        "funding_source": library.funding_source,
        "cohort_year": library.cohort_year,
        "npp": library.npp,
        "is_active": library.is_active,
    }


@router.get("/me", response={200: s.Me, **ERRORS}, tags=["account"], operation_id="me")
def me(request: HttpRequest) -> dict[str, Any]:
    """The caller and their scope."""
    user = request_user(request)
    scope = request_scope(request)
    token = request.auth if hasattr(request.auth, "read_only") else None  # type: ignore[attr-defined]
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "role": scope.highest_role,
        "national": scope.national,
        "provinces": sorted(scope.provinces),
        "regencies": sorted(scope.regencies),
        "libraries": sorted(scope.libraries),
        "token_read_only": token.read_only if token is not None else None,
    }


class RegionQuery(Schema):
    parent: str | None = Field(None, description="Children of this region (code, dotted or not); none: provinces")
    q: str | None = Field(None, max_length=100, description="Part of a name")


RegionPage = page_schema(s.RegionOut)


@router.get("/regions", response={200: RegionPage, **ERRORS}, tags=["regions"], operation_id="regions_list")
def regions_list(request: HttpRequest, filters: Query[RegionQuery], page: Query[PageQuery]) -> dict[str, Any]:
    """Kemendagri regions, public reference data like the web region picker: children of `parent`."""
    qs = Region.objects.all()
    if filters.parent:
        parent = normalize_code(filters.parent)
        if parent is None:
            raise Http404
        qs = qs.filter(parent_id=parent)
    elif not filters.q:
        qs = qs.filter(parent__isnull=True)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q.strip()) | Q(search_name__contains=filters.q.strip().lower()))
    return page_of(qs.order_by("code"), page, region_out)


@router.get("/regions/{code}", response={200: s.RegionOut, **ERRORS}, tags=["regions"], operation_id="regions_read")
def regions_read(request: HttpRequest, code: Annotated[str, Path(max_length=20)]) -> dict[str, Any]:
    dotted = normalize_code(code)
    region = Region.objects.filter(code=dotted).first() if dotted else None
    if region is None:
        raise Http404
    return region_out(region)


class PartnerQuery(Schema):
    region: str | None = Field(None, description="Region code of any level")
    kind: str | None = None
    support: str | None = None
    cohort_year: int | None = Field(None, ge=2018, le=2100)
    active: str = Field("active", pattern="^(active|inactive|all)$")
    q: str = Field("", max_length=100)


PartnerPage = page_schema(s.PartnerOut)


@router.get("/partners", response={200: PartnerPage, **ERRORS}, tags=["partners"], operation_id="partners_list")
def partners_list(request: HttpRequest, filters: Query[PartnerQuery], page: Query[PageQuery]) -> dict[str, Any]:
    """Partner libraries in the caller's scope."""
    scope = request_scope(request)
    region = normalize_code(filters.region) if filters.region else None
    if filters.region and region is None:
        raise Http404
    qs = library_list_for_user(
        scope=scope,
        filters=LibraryFilters(
            region=region,
            kind=filters.kind,
            support=filters.support,
            cohort_year=filters.cohort_year,
            active=filters.active,
            q=filters.q,
        ),
    )
    if region and not scope.covers_region(region) and not qs.exists():
        raise Http404  # a region outside the scope, unless it holds the caller's own library
    return page_of(qs, page, partner_out)


@router.get(
    "/partners/{library_id}", response={200: s.PartnerOut, **ERRORS}, tags=["partners"], operation_id="partners_read"
)
def partners_read(request: HttpRequest, library_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> dict[str, Any]:
    return partner_out(library_get_for_user(scope=request_scope(request), pk=library_id))
