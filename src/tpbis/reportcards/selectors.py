"""Reads for a library's report card (*rapor*) and a region's gathering report."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tpbis.accounts.scope import Scope
from tpbis.dashboards.selectors import (
    ActiveLibrary,
    ChildRow,
    RankedLibrary,
    RegionFigures,
    most_active_libraries,
    region_dashboard,
)
from tpbis.kpi.models import Colour, CurrentScore, MonthScore
from tpbis.kpi.selectors import Explained, score_explained, scores_on, stored_scores
from tpbis.kpi.services import kpi_compute, month_end
from tpbis.libraries.models import Library
from tpbis.libraries.selectors import library_get_for_user
from tpbis.regions.models import Region
from tpbis.regions.selectors import region_ancestors, region_map_by_codes
from tpbis.reportcards.charts import TrendPoint
from tpbis.reportcards.formatting import Headline
from tpbis.reportcards.forms import Period
from tpbis.reports.models import (
    COUNTED_STATUSES,
    Advocacy,
    CommunityEngagement,
    InformationService,
    Publicity,
    Status,
    Visitors,
)
from tpbis.reports.selectors import RecordFilters, record_list_for_user, status_counts

RECORD_MODELS: tuple[type[Any], ...] = (CommunityEngagement, Advocacy, Publicity, InformationService, Visitors)


@dataclass(frozen=True)
class RecordCount:
    record_type: str
    label: str
    counted: int  # submitted or verified: what the library reported
    verified: int  # what the score counts


@dataclass(frozen=True)
class VisitorMonth:
    month: dt.date  # first day of the month
    male: int
    female: int
    total: int


@dataclass(frozen=True)
class ReportCard:
    library: Library
    regions: list[Region]  # province down to the library's own region
    period: Period
    explained: Explained  # the score as of the period's end
    trend: list[TrendPoint]
    counts: list[RecordCount]
    activities: list[CommunityEngagement]
    visitors: list[VisitorMonth]

    @property
    def region_text(self) -> str:
        return ", ".join(r.short_name for r in reversed(self.regions))


def trend_dates(period: Period, today: dt.date) -> list[dt.date]:
    """Each month end inside the period, then the period's end; nothing after today is scored."""
    last = min(period.end, today)
    dates = []
    year, month = period.start.year, period.start.month
    while (year, month) <= (last.year, last.month):
        month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
        dates.append(min(month_end, last))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [d for d in dates if d >= period.start]


def report_card_for_user(*, scope: Scope, library_id: int, period: Period) -> ReportCard:
    """The report card of a library in the user's scope (404 otherwise) for a period."""
    library = library_get_for_user(scope=scope, pk=library_id)
    filters = RecordFilters(start=period.start, end=period.end, library_id=library.pk)
    counts = []
    for model in RECORD_MODELS:
        by_status = status_counts(qs=record_list_for_user(model=model, scope=scope, filters=filters))
        counts.append(
            RecordCount(
                record_type=model.RECORD_TYPE,
                label=str(model._meta.verbose_name).capitalize(),
                counted=sum(by_status[s] for s in COUNTED_STATUSES),
                verified=by_status[Status.VERIFIED],
            )
        )
    activities = list(
        record_list_for_user(model=CommunityEngagement, scope=scope, filters=filters)
        .filter(status__in=COUNTED_STATUSES)
        .order_by("date", "pk")
    )
    return ReportCard(
        library=library,
        regions=region_ancestors(region=library.region),
        period=period,
        # A score is never computed for a day that has not come yet.
        explained=score_explained(library=library, as_of=min(period.end, timezone.localdate())),
        trend=_trend(library, period),
        counts=counts,
        activities=activities,
        visitors=_visitors(scope, filters),
    )


def _trend(library: Library, period: Period) -> list[TrendPoint]:
    """The score at each month end of the period and on its last day: the month ends that have passed read
    from the kept month-end scores (one query, as `scores_on` reads them), the others computed."""
    today = timezone.localdate()
    dates = trend_dates(period, today)
    passed = [d for d in dates if d < today and d == month_end(d.year, d.month)]
    scores: dict[dt.date, tuple[Any, str]] = {
        date: (score, colour)
        for date, score, colour in MonthScore.objects.filter(library=library, month_end__in=passed).values_list(
            "month_end", "score", "colour"
        )
    }
    missing = [d for d in dates if d not in scores]
    if missing:
        results = kpi_compute(libraries=Library.objects.filter(pk=library.pk), dates=missing)
        scores.update({date: (r.score, r.colour) for (_pk, date), r in results.items()})
    return [TrendPoint(date=d, score=scores[d][0], colour=scores[d][1]) for d in dates if d in scores]


def _visitors(scope: Scope, filters: RecordFilters) -> list[VisitorMonth]:
    """One row per month; a later record of the same month is a correction and replaces the earlier one."""
    rows = (
        record_list_for_user(model=Visitors, scope=scope, filters=filters)
        .filter(status__in=COUNTED_STATUSES)
        .order_by("year", "month", "pk")
        .values_list("year", "month", "male", "female", "total")
    )
    by_month = {
        dt.date(year, month, 1): VisitorMonth(dt.date(year, month, 1), male, female, total)
        for year, month, male, female, total in rows
    }
    return list(by_month.values())


# ------------------------------------------------------------------------------------ gathering report

STORIES_SHOWN = 12


@dataclass(frozen=True)
class Story:
    """A good-practice story (*kisah sukses*) of a verified community activity, to share at a gathering."""

    library_name: str
    region_code: str
    date: dt.date
    title: str
    participants: int
    text: str


@dataclass(frozen=True)
class GatheringReport:
    figures: RegionFigures
    headline: Headline
    green: list[RankedLibrary]  # every green library as of the KPI date, best first
    children: list[ChildRow]
    most_active: list[ActiveLibrary]
    stories: list[Story]
    places: dict[str, str]  # a library's region code → "Sembung, Kab. Lamongan"

    @property
    def region_name(self) -> str:
        return self.figures.region.name

    def place(self, region_code: str) -> str:
        return self.places.get(region_code, region_code)

    @property
    def green_rows(self) -> list[tuple[RankedLibrary, str]]:
        return [(g, self.place(g.region_code)) for g in self.green]

    @property
    def green_100_rows(self) -> list[tuple[RankedLibrary, str]]:
        return [(g, self.place(g.region_code)) for g in self.figures.green_100]

    @property
    def story_rows(self) -> list[tuple[Story, str]]:
        return [(s, self.place(s.region_code)) for s in self.stories]

    @property
    def active_rows(self) -> list[tuple[ActiveLibrary, str]]:
        return [(a, self.place(a.region_code)) for a in self.most_active]


def gathering_report_for_user(*, scope: Scope, region_code: str | None, period: Period) -> GatheringReport:
    """Everything a gathering presents for a region (None = the nation) and period; 404 outside the scope.

    The figures come from the dashboards, so the report always agrees with the region dashboard.
    """
    figures, children = region_dashboard(scope=scope, region_code=region_code, start=period.start, end=period.end)
    region_code = figures.region.code
    green = _green_libraries(region_code, figures.kpi_as_of, period.end)
    most_active = most_active_libraries(scope=scope, region_code=region_code, start=period.start, end=period.end)
    stories = _stories(region_code, period)
    codes = [r.region_code for r in (*green, *figures.green_100)]
    codes += [a.region_code for a in most_active] + [s.region_code for s in stories]
    records = figures.records
    return GatheringReport(
        figures=figures,
        headline=Headline(
            partners=figures.partners.total,
            engagement=records["pelibatan"].submitted,
            advocacy=records["advokasi"].submitted,
            information=records["peningkatan"].submitted,
            green=figures.colours.hijau,
            yellow=figures.colours.kuning,
            red=figures.colours.merah,
            without_account=figures.partners.without_account,
        ),
        green=green,
        children=[row for row in children if row.partners or any(c.submitted for c in row.records.values())],
        most_active=most_active,
        stories=stories,
        places=_places(codes),
    )


def _places(codes: list[str]) -> dict[str, str]:
    """Each region with its kabupaten/kota, so a village is never named alone (names repeat)."""
    regions = region_map_by_codes(codes={c for code in codes for c in (code, code[:5])})
    places = {}
    for code in set(codes):
        own = regions.get(code)
        regency = regions.get(code[:5]) if len(code) > 5 else None
        names = [r.short_name for r in (own, regency) if r is not None]
        places[code] = ", ".join(names) or code
    return places


def _region_q(region_code: str | None, prefix: str = "") -> Q:
    if not region_code:
        return Q()
    return Q(**{f"{prefix}region_id": region_code}) | Q(**{f"{prefix}region__code__startswith": region_code + "."})


def _green_libraries(region_code: str | None, as_of: dt.date, end: dt.date) -> list[RankedLibrary]:
    """Green partners as of the KPI date: today's stored scores (region_figures has just freshened them),
    computed for a past date."""
    partners = Library.objects.filter(_region_q(region_code), is_active=True, cohort_year__lte=end.year)
    shown = ("library_id", "library__name", "library__region_id", "library__region__name", "score", "colour")
    order = ("-score", "library__name", "library_id")
    if as_of == timezone.localdate():
        rows = CurrentScore.objects.filter(library__in=partners.values("pk"), colour=Colour.GREEN)
        # The fields shown only: not each score's breakdown (a province's 1,000 green partners: 50 -> 9 ms).
        return [RankedLibrary(*row) for row in rows.order_by(*order).values_list(*shown)]
    stored = stored_scores(libraries=partners, date=as_of)  # a month end, or a past day its dashboard stored
    if stored is not None:
        return [RankedLibrary(*row) for row in stored.filter(colour=Colour.GREEN).order_by(*order).values_list(*shown)]
    scores = scores_on(libraries=partners, date=as_of)  # the month facts
    green_ids = {pk for pk, (_score, colour) in scores.items() if colour == Colour.GREEN}
    green = [
        RankedLibrary(
            library.pk,
            library.name,
            library.region_id,
            library.region.name,
            scores[library.pk][0],
            Colour.GREEN,
        )
        for library in Library.objects.filter(pk__in=green_ids).select_related("region")
    ]
    return sorted(green, key=lambda r: (-(r.score or 0), r.name, r.library_id))


def _stories(region_code: str | None, period: Period) -> list[Story]:
    rows = (
        CommunityEngagement.objects.filter(
            _region_q(region_code, "library__"),
            # "Verified" written as "none of the others", so SQLite reads the small stories index
            # (ce_story_date) instead of the status index that most activities match.
            ~Q(status__in=[s for s in Status.values if s != Status.VERIFIED]),
            date__range=(period.start, period.end),
            library__is_active=True,
        )
        .exclude(story="")
        .select_related("library")
        .order_by("-date", "-pk")[:STORIES_SHOWN]
    )
    return [
        Story(r.library.name, r.library.region_id, r.date, r.title, r.participants or 0, r.story.strip())
        for r in rows
        if r.date is not None
    ]
