"""KPI in the REST API v1: a library's explained score, a region's colours, league tables."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from tpbis.api.v1.base import request_scope
from tpbis.api.v1.directory import ERRORS, PageQuery, page_of, page_schema
from tpbis.kpi.models import CurrentScore
from tpbis.kpi.selectors import RankingFilters, colour_distribution, ranking, score_explained
from tpbis.libraries.selectors import library_get_for_user
from tpbis.regions.codes import normalize_code

router = Router(tags=["kpi"])


class PartOut(Schema):
    label: str
    record_type: str
    measure: str
    achieved: float
    target: float
    points: float
    weight: float


class TrendOut(Schema):
    month_end: str
    score: float | None
    colour: str


class LibraryScoreOut(Schema):
    library: int
    as_of: str
    scheme: str
    score: float | None = Field(description="0–100, or null when not assessed (Belum Dinilai)")
    colour: str = Field(description="hijau, kuning, merah or belum_dinilai")
    parts: list[PartOut]
    advice: list[str]
    trend: list[TrendOut]


class ColourCount(Schema):
    count: int
    pct: float


class RegionColoursOut(Schema):
    region: str | None
    hijau: ColourCount
    kuning: ColourCount
    merah: ColourCount
    belum_dinilai: ColourCount


class RankingRow(Schema):
    rank: int
    library: int
    name: str
    region: str
    region_name: str
    score: float | None
    colour: str


class RankingQuery(Schema):
    region: str | None = Field(None, max_length=20)
    kind: str | None = Field(None, max_length=20)
    support: str | None = Field(None, max_length=20)
    cohort_year: int | None = Field(None, ge=2018, le=2100)


RankingPage = page_schema(RankingRow)


def _region(scope: Any, raw: str | None) -> str | None:
    if not raw:
        return None
    code = normalize_code(raw)
    if code is None or not (scope.national or scope.covers_region(code)):
        raise Http404
    return code


@router.get("/kpi/libraries/{library_id}", response={200: LibraryScoreOut, **ERRORS}, operation_id="kpi_library")
def kpi_library(request: HttpRequest, library_id: int) -> dict[str, Any]:
    """A library's score today with each component (achieved / target / points) and what to do next."""
    library = library_get_for_user(scope=request_scope(request), pk=library_id)
    explained = score_explained(library=library)
    return {
        "library": library.pk,
        "as_of": explained.as_of.isoformat(),
        "scheme": explained.scheme_name,
        "score": float(explained.score) if explained.score is not None else None,
        "colour": explained.colour,
        "parts": explained.parts,
        "advice": explained.advice,
        "trend": [
            {"month_end": d.isoformat(), "score": float(s) if s is not None else None, "colour": c}
            for d, s, c in explained.trend
        ],
    }


@router.get("/kpi/regions", response={200: RegionColoursOut, **ERRORS}, operation_id="kpi_region")
def kpi_region(request: HttpRequest, region: str | None = None) -> dict[str, Any]:
    """Counts and shares of green, yellow, red and not-yet-assessed libraries in a region (or all in scope)."""
    scope = request_scope(request)
    code = _region(scope, region)
    distribution = colour_distribution(scope=scope, region=code)
    return {"region": code, **{k: {"count": v["count"], "pct": v["pct"]} for k, v in distribution.items()}}


@router.get("/kpi/ranking", response={200: RankingPage, **ERRORS}, operation_id="kpi_ranking")
def kpi_ranking(request: HttpRequest, filters: Query[RankingQuery], page: Query[PageQuery]) -> dict[str, Any]:
    """League table: score high to low, ties broken by name; filters by region, kind, support, cohort."""
    scope = request_scope(request)
    qs = ranking(
        scope=scope,
        filters=RankingFilters(
            region=_region(scope, filters.region),
            kind=filters.kind or None,
            support=filters.support or None,
            cohort_year=filters.cohort_year,
        ),
    )
    first = (page.page - 1) * page.page_size + 1
    counter = iter(range(first, first + page.page_size))

    def row(score: CurrentScore) -> dict[str, Any]:
        return {
            "rank": next(counter),
            "library": score.library_id,
            "name": score.library.name,
            "region": score.library.region_id,
            "region_name": score.library.region.short_name,
            "score": float(score.score) if score.score is not None else None,
            "colour": score.colour,
        }

    return page_of(qs, page, row)
