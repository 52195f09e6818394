"""Reads of KPI scores: a library's explained score, league tables and colour distributions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from tpbis.accounts.scope import Scope
from tpbis.kpi.engine import Result, advice, progress_text, shown_label
from tpbis.kpi.models import Colour, CurrentScore, DayScore, MonthScore
from tpbis.kpi.services import (
    facts_built,
    kpi_compute,
    kpi_refresh_stale,
    kpi_scores_at,
    month_end,
    scheme_for,
    schemes_load,
)
from tpbis.libraries.models import Library
from tpbis.reports.models import InformationService, SimImport, SimScore, Status


@dataclass(frozen=True)
class Explained:
    score: Decimal | None
    colour: str
    parts: list[dict[str, Any]]
    advice: list[str]
    scheme_name: str
    as_of: dt.date
    trend: list[tuple[dt.date, Decimal | None, str]]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The breakdown as people read it: each component's name, achievement in its unit, and points."""
        return [
            {
                "label": shown_label(str(part["label"])),
                "progress": progress_text(part),
                "points": part["points"],
                "weight": part["weight"],
            }
            for part in self.parts
        ]


def score_explained(*, library: Library, as_of: dt.date | None = None) -> Explained:
    """The library's score with each component (achieved / target / points) and what to do next."""
    as_of = as_of or timezone.localdate()
    schemes = schemes_load()
    scheme = scheme_for(schemes, date=as_of, kind=library.kind)
    results = kpi_compute(libraries=Library.objects.filter(pk=library.pk), dates=[as_of], schemes=schemes)
    result: Result | None = results.get((library.pk, as_of))
    if scheme is None or result is None:
        return Explained(None, Colour.NONE, [], [], "", as_of, [])
    trend = [
        (m.month_end, m.score, m.colour)
        for m in MonthScore.objects.filter(library=library, month_end__year=as_of.year, month_end__lt=as_of).order_by(
            "month_end"
        )
    ]
    return Explained(
        score=result.score,
        colour=result.colour,
        parts=[p.as_json() for p in result.parts],
        advice=advice(result=result, scheme=scheme, as_of=as_of),
        scheme_name=shown_label(scheme.name),
        as_of=as_of,
        trend=trend,
    )


@dataclass(frozen=True)
class RankingFilters:
    region: str | None = None
    kind: str | None = None
    support: str | None = None
    cohort_year: int | None = None


def ranking(*, scope: Scope, filters: RankingFilters) -> QuerySet[CurrentScore]:
    """League table of active libraries in scope: score high to low, ties broken by name."""
    libraries = Library.objects.filter(scope.library_filter(), is_active=True)
    if filters.region:
        libraries = libraries.filter(Q(region_id=filters.region) | Q(region__code__startswith=filters.region + "."))
    if filters.kind:
        libraries = libraries.filter(kind=filters.kind)
    if filters.support:
        libraries = libraries.filter(support=filters.support)
    if filters.cohort_year:
        libraries = libraries.filter(cohort_year=filters.cohort_year)
    kpi_refresh_stale(libraries=libraries)
    return (
        CurrentScore.objects.filter(library__in=libraries.values("pk"))
        .select_related("library", "library__region", "library__region__parent")
        .order_by(F("score").desc(nulls_last=True), "library__name", "library_id")
    )


def colour_distribution(*, scope: Scope, region: str | None) -> dict[str, dict[str, Any]]:
    """Counts and shares of green, yellow, red and *Belum Dinilai* among active libraries (one query)."""
    libraries = Library.objects.filter(scope.library_filter(), is_active=True)
    if region:
        libraries = libraries.filter(Q(region_id=region) | Q(region__code__startswith=region + "."))
    kpi_refresh_stale(libraries=libraries)
    rows = dict(
        CurrentScore.objects.filter(library__in=libraries.values("pk"))
        .order_by()
        .values_list("colour")
        .annotate(n=Count("pk"))
        .values_list("colour", "n")
    )
    total = sum(rows.values())
    return {
        colour.value: {
            "label": colour.label,
            "count": rows.get(colour.value, 0),
            "pct": round(100 * rows.get(colour.value, 0) / total, 1) if total else 0.0,
        }
        for colour in Colour
    }


@dataclass(frozen=True)
class ComparisonRow:
    library_id: int
    name: str
    real: Decimal | None
    ours: Decimal | None
    real_colour: str
    our_colour: str
    has_information_record: bool

    @property
    def same_score(self) -> bool:
        return self.real == self.ours

    @property
    def same_colour(self) -> bool:
        return self.real_colour == self.our_colour


def kpi_compare_with_sim(*, sim_import: SimImport) -> list[ComparisonRow]:
    """Our scores as of the import's last input date next to the real SIM's scores of that import."""
    as_of = sim_import.period_end
    sim_scores = list(SimScore.objects.filter(sim_import=sim_import).select_related("library"))
    libraries = Library.objects.filter(pk__in=[s.library_id for s in sim_scores])
    schemes = schemes_load()
    results = kpi_compute(libraries=libraries, dates=[as_of], schemes=schemes)
    with_information = set(
        InformationService.objects.filter(
            library__in=libraries, status=Status.VERIFIED, year=as_of.year, month__lte=as_of.month
        ).values_list("library_id", flat=True)
    )
    rows = []
    for sim in sim_scores:
        scheme = scheme_for(schemes, date=as_of, kind=sim.library.kind)
        ours = results.get((sim.library_id, as_of))
        real = Decimal(sim.score).quantize(Decimal("0.01")) if sim.score is not None else None
        rows.append(
            ComparisonRow(
                library_id=sim.library_id,
                name=sim.library.name,
                real=real,
                ours=ours.score if ours else None,
                real_colour=scheme.colour_for(real) if scheme else Colour.NONE,
                our_colour=ours.colour if ours else Colour.NONE,
                has_information_record=sim.library_id in with_information,
            )
        )
    return sorted(rows, key=lambda r: r.name)


def stored_scores(*, libraries: QuerySet[Library], date: dt.date) -> QuerySet[Any] | None:
    """The stored score rows of these libraries on a past day (month-end scores for a month end, the day's
    stored scores for another day), or None unless every one of them has its row (two counts)."""
    if date >= timezone.localdate():
        return None
    rows: QuerySet[Any]
    if date == month_end(date.year, date.month):
        rows = MonthScore.objects.filter(month_end=date)
    else:  # a row scored as another kind than the library's now is not read
        rows = DayScore.objects.filter(as_of=date, kind=F("library__kind"))
    rows = rows.filter(library_id__in=libraries.order_by().values("pk"))
    return rows if rows.count() == libraries.order_by().count() else None


def scores_on(*, libraries: QuerySet[Library], date: dt.date) -> dict[int, tuple[Decimal | None, str]]:
    """Score and colour of each library on a past day, read where they are kept (`stored_scores`: a
    dashboard of the period has stored the day), else summed from the month facts; from the record tables
    only before the facts are built. A library no scheme applies to is left out."""
    rows = stored_scores(libraries=libraries, date=date)
    if rows is not None:
        stored = rows.values_list("library_id", "score", "colour")
        return {pk: (score, colour) for pk, score, colour in stored if (score, colour) != (None, Colour.NONE)}
    if facts_built():
        return kpi_scores_at(libraries=libraries, date=date)
    return {
        library_id: (result.score, result.colour)
        for (library_id, _date), result in kpi_compute(libraries=libraries, dates=[date]).items()
    }
