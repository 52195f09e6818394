"""Reporting rates of the monthly visitor report (*laporan pengunjung*), as DHIS2's REPORTING_RATE and
REPORTING_RATE_ON_TIME: reports received and received on time against reports expected.

The rules, the same on the dashboards, the gathering report, the exports, `/api/v1/stats` and a
library's page:

- expected: one report per active partner and month, for each month the period covers whole (from its
  first to its last day) that has ended by today, from January of the partner's cohort year on (no
  joining date is recorded: a partner reports from the start of its cohort year). Today's month is never
  expected: its report can only be written once the month is over;
- received: a partner's expected month with at least one counted (submitted or verified) visitor
  record; several records of one month count once, and a record of a month not expected counts not at
  all, so received never exceeds expected;
- on time: received with a counted record whose input date (*tanggal input*: the day it was entered,
  kept through corrections; a row imported from the old SIM carries its month's last day, the SIM giving
  none) is on or before day `REPORTING_DEADLINE_DAY` (default 10) of the following month.

Two queries whatever the number of libraries: the partners per child region and cohort, and the
received reports: from the summary cells of the nation, a province or a kabupaten/kota (`reports`,
`reports_on_time`, kept on every record write), else one GROUP BY over the visitor records.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from django.db.models import BigIntegerField, CharField, Count, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils.translation import gettext as _

from tpbis.core.templatetags.core_tags import num, pct1
from tpbis.dashboards.deadline import deadline_day
from tpbis.dashboards.deadline import report_deadline as report_deadline  # part of this module's API
from tpbis.dashboards.models import DistrictMonth, RegencyMonth, ReportDeadline
from tpbis.dashboards.services import COUNTED
from tpbis.libraries.models import Library
from tpbis.reports.models import Visitors

logger = logging.getLogger(__name__)

# A library and a month as one number, so a single COUNT(DISTINCT ...) counts library-months on
# PostgreSQL and SQLite alike (SQLite has no row values in COUNT DISTINCT).
_MONTH_SPAN = 100_000


@dataclass(frozen=True)
class ReportingRate:
    """Monthly visitor reports expected, received and received on time, with their rates in percent."""

    expected: int = 0
    received: int = 0
    on_time: int = 0

    @property
    def rate(self) -> float | None:
        """Received in percent of expected, one decimal; None when nothing is expected."""
        return _percent(self.received, self.expected)

    @property
    def on_time_rate(self) -> float | None:
        return _percent(self.on_time, self.expected)

    def __add__(self, other: ReportingRate) -> ReportingRate:
        return ReportingRate(
            self.expected + other.expected, self.received + other.received, self.on_time + other.on_time
        )


def _percent(part: int, whole: int) -> float | None:
    # Halves round up, as people do by hand (15 of 48 is 31.3 %, not the float's 31.2).
    if not whole:
        return None
    return float((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def expected_months(start: dt.date, end: dt.date, today: dt.date) -> list[dt.date]:
    """First days of the months the period covers whole and that ended before today."""
    months = []
    current = start if start.day == 1 else _next_month(start)
    while True:
        last = _month_last(current)
        if last > end or last >= today:
            break
        months.append(current)
        current = _next_month(current)
    return months


def _month_last(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(day: dt.date) -> dt.date:
    return _month_last(day) + dt.timedelta(days=1)


def _month_index(year: Any, month: Any) -> Any:
    return year * 12 + month - 1


Key = tuple[Any, dt.date]  # (child region code or None, first day of the month)


class Area(Protocol):
    """Libraries to count (a region, or one library) as filters on `Library` or, prefixed, on a record; and
    the summary rows that sum them, where there are (`summary_model` None: counted from the records)."""

    def library_q(self, prefix: str = "") -> Q: ...

    def child_expr(self, prefix: str = "") -> Any: ...

    @property
    def summary_model(self) -> type[DistrictMonth] | type[RegencyMonth] | None: ...

    @property
    def summary_q(self) -> Q: ...

    @property
    def summary_child_field(self) -> str | None: ...


@dataclass(frozen=True)
class OneLibrary:
    library_id: int

    def library_q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}pk": self.library_id})

    def child_expr(self, prefix: str = "") -> Any:
        # A library has no child regions: grouped by child, its months fall in one group, as without.
        return Value(None, output_field=CharField())

    # No summary row holds one library's reports alone: they are counted from its records.
    summary_model = None
    summary_q = Q()
    summary_child_field = None


def reporting_cube(
    *, area: Area, by_child: bool, start: dt.date, end: dt.date, today: dt.date
) -> dict[Key, ReportingRate]:
    """Expected, received and on-time reports per (child region, month) of the period's expected months
    (the child key is None without `by_child`)."""
    months = expected_months(start, end, today)
    if not months:
        return {}
    first, last = months[0], months[-1]
    partners = Library.objects.filter(area.library_q(), is_active=True, cohort_year__lte=last.year)
    if by_child:
        partners = partners.annotate(child=area.child_expr())
    keys = ["child"] if by_child else []
    by_cohort: dict[Any, list[tuple[int, int]]] = defaultdict(list)
    for row in partners.order_by().values(*keys, "cohort_year").annotate(n=Count("pk")):
        by_cohort[row.get("child")].append((row["cohort_year"], row["n"]))
    counts = _summary_received(area, by_child, first, last)
    if counts is None:
        counts = _received(area, by_child, first, last)
    cube: dict[Key, ReportingRate] = {}
    for key, cohorts in by_cohort.items():
        for month in months:
            expected = sum(n for cohort, n in cohorts if cohort <= month.year)
            received, on_time = counts.get((key, month), (0, 0))
            if expected or received:
                cube[(key, month)] = ReportingRate(expected, received, on_time)
    return cube


def _summary_received(area: Area, by_child: bool, first: dt.date, last: dt.date) -> dict[Key, tuple[int, int]] | None:
    """`_received` from the area's summary cells (the sums of its libraries' cells, each 1 when the library
    was expected and reported that month), or None where no summary answers: a village, a kecamatan by
    village, one library, or cells counted with another deadline day than the setting's."""
    model = area.summary_model
    if model is None or (by_child and area.summary_child_field is None):
        return None
    counted_with = ReportDeadline.objects.values_list("day", flat=True).first()
    if counted_with != deadline_day():
        logger.warning(
            "Summary cells counted on-time reports with deadline day %s, REPORTING_DEADLINE_DAY is %s: "
            "reporting rates are counted from the records (slow) until `manage.py summaries_rebuild` runs.",
            counted_with,
            deadline_day(),
        )
        return None
    child = area.summary_child_field if by_child else None
    rows = (
        model.objects.filter(area.summary_q, month__range=(first, last))
        .order_by()
        .values(*([child] if child else []), "month")
        .annotate(received=Sum("reports"), on_time=Sum("reports_on_time"))
    )
    return {(row[child] if child else None, row["month"]): (row["received"], row["on_time"]) for row in rows}


def _received(area: Area, by_child: bool, first: dt.date, last: dt.date) -> dict[Key, tuple[int, int]]:
    """Received and on-time library-months per (child region, month): one GROUP BY over the records."""
    day = deadline_day()
    entered = _month_index(ExtractYear("input_date"), ExtractMonth("input_date"))
    due = _month_index(F("year"), F("month")) + 1  # the month after the report's month
    on_time = Q(entered__lt=due) | Q(entered=due, entered_day__lte=day)
    qs = Visitors.objects.filter(
        area.library_q("library__"),
        COUNTED,
        Q(year__gt=first.year) | Q(year=first.year, month__gte=first.month),
        Q(year__lt=last.year) | Q(year=last.year, month__lte=last.month),
        library__is_active=True,
        library__cohort_year__lte=F("year"),
    ).annotate(
        entered=entered,
        entered_day=ExtractDay("input_date"),
        library_month=ExpressionWrapper(
            F("library_id") * _MONTH_SPAN + _month_index(F("year"), F("month")), output_field=BigIntegerField()
        ),
    )
    keys = ["year", "month"]
    if by_child:
        qs = qs.annotate(child=area.child_expr("library__"))
        keys.insert(0, "child")
    rows = (
        qs.order_by()
        .values(*keys)
        .annotate(
            received=Count("library_month", distinct=True),
            on_time=Count("library_month", distinct=True, filter=on_time),
        )
    )
    return {
        (row.get("child"), dt.date(row["year"], row["month"], 1)): (row["received"], row["on_time"]) for row in rows
    }


def rollup(cube: dict[Key, ReportingRate], axis: int) -> dict[Any, ReportingRate]:
    """Sums per child region (axis 0), per month (axis 1), or in total (axis -1, key None)."""
    rolled: dict[Any, ReportingRate] = {}
    for key, rate in cube.items():
        name = key[axis] if axis >= 0 else None
        rolled[name] = rolled.get(name, ReportingRate()) + rate
    return rolled


@dataclass(frozen=True)
class LibraryYearReporting:
    """A library's visitor reports of one year: months expected so far, received, received on time."""

    year: int
    rate: ReportingRate


def library_reporting_year(*, library: Library, year: int, today: dt.date) -> LibraryYearReporting:
    """The library's reports of the year's ended months (none before its cohort year or if inactive)."""
    cube = reporting_cube(
        area=OneLibrary(library.pk), by_child=False, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), today=today
    )
    return LibraryYearReporting(year=year, rate=rollup(cube, -1).get(None, ReportingRate()))


def rate_text(value: float | None) -> str:
    """A rate as a page, a PDF or an export shows it: "72,5%" ("72.5%" in English); "–" for no rate."""
    return "–" if value is None else f"{pct1(value)}%"


def reporting_sentence(rate: ReportingRate) -> str:
    """The headline line: "Laporan pengunjung: 72,5% masuk, 61,0% tepat waktu (29 dari 40 laporan)"."""
    if not rate.expected:
        return _("Laporan pengunjung: – (belum ada bulan yang wajib dilaporkan pada periode ini)")
    return _("Laporan pengunjung: %(rate)s masuk, %(on_time)s tepat waktu (%(received)s dari %(expected)s laporan)") % {
        "rate": rate_text(rate.rate),
        "on_time": rate_text(rate.on_time_rate),
        "received": num(rate.received),
        "expected": num(rate.expected),
    }
