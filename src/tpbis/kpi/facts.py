"""Aggregate what libraries reported into scoring facts: one GROUP BY per record type for a whole set
of libraries and any number of dates of one year, never a loop over records."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from tpbis.kpi.engine import Facts
from tpbis.kpi.models import LATEST_FIELDS
from tpbis.reports.models import (
    COUNTED_STATUSES,
    Advocacy,
    CommunityEngagement,
    InformationService,
    Publicity,
    Status,
    Visitors,
)

# Written as an exclusion on purpose: SQLite then uses the (library, status) index instead of scanning
# the status index, which nearly every record matches.
UNCOUNTED = [status for status in Status.values if status not in COUNTED_STATUSES]

DATED = {"pelibatan": CommunityEngagement, "advokasi": Advocacy, "publikasi": Publicity}
MONTHLY = {"peningkatan": InformationService, "pengunjung": Visitors}

LibrarySet = QuerySet[Any] | Iterable[int]


def _library_filter(libraries: LibrarySet) -> Q:
    return Q(library_id__in=libraries if isinstance(libraries, QuerySet) else list(libraries))


def gather_facts(*, libraries: LibrarySet, dates: list[dt.date]) -> dict[int, dict[dt.date, Facts]]:
    """Facts per library and date; every date must fall in the same year.

    A record counts towards a date when its activity date (its month, for monthly records) lies between
    1 January and that date. Only verified records earn points; any submitted or verified record,
    even one whose date is unknown, means the library is assessed.
    """
    years = {d.year for d in dates}
    if len(years) != 1:
        raise ValueError("all dates must be in one year")
    year = years.pop()
    facts: dict[int, dict[dt.date, Facts]] = defaultdict(lambda: {d: Facts() for d in dates})
    for record_type, model in DATED.items():
        _dated_counts(facts, record_type, model, libraries, dates, year)
    for record_type, model in MONTHLY.items():
        _monthly_counts(facts, record_type, model, libraries, dates, year)
    for date in dates:
        _latest_information(facts, libraries, date)
    return dict(facts)


def _dated_counts(
    facts: dict[int, dict[dt.date, Facts]],
    record_type: str,
    model: type[Any],
    libraries: LibrarySet,
    dates: list[dt.date],
    year: int,
) -> None:
    known = Q(date_unknown=False) if hasattr(model, "date_unknown") else Q()
    annotations: dict[str, Any] = {}
    for i, date in enumerate(dates):
        annotations[f"v{i}"] = Count("pk", filter=Q(status=Status.VERIFIED, date__lte=date) & known)
        annotations[f"a{i}"] = Count("pk", filter=Q(date__lte=date))
    rows = (
        model.objects.filter(_library_filter(libraries))
        .exclude(status__in=UNCOUNTED)
        .filter(date__gte=dt.date(year, 1, 1), date__lte=max(dates))
        .order_by()
        .values("library_id")
        .annotate(**annotations)
    )
    for row in rows:
        per_date = facts[row["library_id"]]
        for i, date in enumerate(dates):
            per_date[date].counts[record_type] = row[f"v{i}"]
            per_date[date].has_any = per_date[date].has_any or row[f"a{i}"] > 0


def _monthly_counts(
    facts: dict[int, dict[dt.date, Facts]],
    record_type: str,
    model: type[Any],
    libraries: LibrarySet,
    dates: list[dt.date],
    year: int,
) -> None:
    annotations: dict[str, Any] = {}
    for i, date in enumerate(dates):
        # Months, not records: a second record of a month is a correction (the report card lists one row).
        annotations[f"v{i}"] = Count("month", filter=Q(status=Status.VERIFIED, month__lte=date.month), distinct=True)
        annotations[f"a{i}"] = Count("pk", filter=Q(month__lte=date.month))
    rows = (
        model.objects.filter(_library_filter(libraries), year=year)
        .exclude(status__in=UNCOUNTED)
        .filter(month__lte=max(d.month for d in dates))
        .order_by()
        .values("library_id")
        .annotate(**annotations)
    )
    for row in rows:
        per_date = facts[row["library_id"]]
        for i, date in enumerate(dates):
            per_date[date].counts[record_type] = row[f"v{i}"]
            per_date[date].reported[record_type] = row[f"v{i}"] > 0
            per_date[date].has_any = per_date[date].has_any or row[f"a{i}"] > 0


def _latest_information(facts: dict[int, dict[dt.date, Facts]], libraries: LibrarySet, date: dt.date) -> None:
    """The latest verified information-service record up to the date's month (latest month; among
    records of the same month, the last entered), one row per library via a window function."""
    rows = (
        InformationService.objects.filter(
            _library_filter(libraries), status=Status.VERIFIED, year=date.year, month__lte=date.month
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("library_id")],
                order_by=[F("month").desc(), F("input_date").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .values("library_id", *LATEST_FIELDS)
    )
    for row in rows:
        facts[row["library_id"]][date].latest = {name: Decimal(row[name] or 0) for name in LATEST_FIELDS}
