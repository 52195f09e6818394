"""Region figures for any region and period: partners, records, participants, KPI colours, rankings.

Counting rules, the same on every page, export and in the JSON:

- partners: active libraries registered in the region with a cohort year up to the period's end year;
- records: submitted or verified (never drafts, returned or withdrawn), counted in the period by their
  activity date, monthly records (information service, visitors) by their month's first day; a record
  whose date is unknown carries 1 January and is counted there (the KPI ignores it);
- "submitted" counts every counted record, "verified" those of them already verified;
- without account: no manager account that is not disabled and no live invitation (account status "none");
- KPI: each partner's score as of the period's end (today's stored score when the period reaches today).

Reporting rates of the monthly visitor report (expected, received, on time): see `rates.py`.

Records come from `RecordSummary` (per kabupaten/kota and month) where it can answer, from the records
themselves for kecamatan and villages and for the days of a month cut by a custom period. The number of
queries never depends on the number of libraries or child regions.
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from typing import Any, NamedTuple

from django.db.models import CharField, Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.http import Http404
from django.utils import timezone

from tpbis.accounts.models import Membership, Role
from tpbis.accounts.scope import Scope
from tpbis.core.db_router import replica_reads_allowed
from tpbis.dashboards.models import (
    DAY_COLUMNS,
    FIGURE_COLUMNS,
    PEOPLE_COLUMNS,
    RECORD_TYPES,
    DistrictMonth,
    LibraryMonth,
    RegencyDay,
    RegencyMonth,
)
from tpbis.dashboards.public import public_allows, public_children_shown, public_region_check
from tpbis.dashboards.rates import ReportingRate, reporting_cube
from tpbis.dashboards.rates import rollup as rates_rollup
from tpbis.dashboards.services import (
    COUNTED,
    DATED,
    PEOPLE_FIELDS,
    POSITION,
    record_groups,
    record_model,
)
from tpbis.kpi.models import Colour, CurrentScore, DayScore, MonthScore
from tpbis.kpi.services import (
    current_scores_fresh,
    day_scores_fill,
    facts_built,
    kpi_compute,
    kpi_refresh_stale,
    kpi_scores_at,
)
from tpbis.libraries.models import Library, LibraryKind, Support
from tpbis.regions.models import Level, Region

NATION_NAME = "Indonesia"
HUNDRED = Decimal(100)
COLOURS = (Colour.GREEN.value, Colour.YELLOW.value, Colour.RED.value, Colour.NONE.value)
# Length of a child region's code for a region of each level (0 = the nation).
CHILD_CODE_LENGTH = {0: 2, 1: 5, 2: 8, 3: 13}
RANKED = 10
# Green-100 libraries a dashboard page lists (the count is always whole; the JSON and reports list all).
GREEN_LISTED = 100


# ---------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class RegionRef:
    """A region as the figures name it; `code` None is the nation."""

    code: str | None
    name: str
    level: int  # 0 nation, then Level values

    @property
    def query_code(self) -> str:
        return self.code or ""


@dataclass(frozen=True)
class RecordCounts:
    """Counted records of one type: `submitted` are all of them, `verified` those already verified."""

    submitted: int = 0
    verified: int = 0


@dataclass(frozen=True)
class Participants:
    total: int = 0
    male: int = 0
    female: int = 0
    disability: int = 0


@dataclass(frozen=True)
class ColourCounts:
    hijau: int = 0
    kuning: int = 0
    merah: int = 0
    belum_dinilai: int = 0

    @property
    def total(self) -> int:
        return self.hijau + self.kuning + self.merah + self.belum_dinilai

    def count(self, colour: str) -> int:
        return int(getattr(self, colour))

    def pct(self, colour: str) -> float:
        return _pct(self.count(colour), self.total)

    @property
    def green_pct(self) -> float:
        return self.pct(Colour.GREEN)

    def as_rows(self) -> list[tuple[str, int, float]]:
        return [(colour, self.count(colour), self.pct(colour)) for colour in COLOURS]


@dataclass(frozen=True)
class RankedLibrary:
    """A library in a ranking or in the green-100 list: public facts only (name, region, score)."""

    library_id: int
    name: str
    region_code: str
    region_name: str
    score: Decimal | None
    colour: str


@dataclass(frozen=True)
class MonthRecords:
    month: dt.date  # first day of the month
    records: dict[str, RecordCounts]

    @property
    def counted(self) -> int:
        return sum(c.submitted for c in self.records.values())


@dataclass(frozen=True)
class PartnerFigures:
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_support: dict[str, int] = field(default_factory=dict)
    by_cohort: dict[int, int] = field(default_factory=dict)
    without_account: int = 0

    @property
    def without_account_pct(self) -> float:
        return _pct(self.without_account, self.total)


@dataclass(frozen=True)
class RegionFigures:
    """Every figure of a region dashboard for one period."""

    region: RegionRef
    start: dt.date
    end: dt.date
    kpi_as_of: dt.date
    partners: PartnerFigures
    records: dict[str, RecordCounts]  # by record type (pelibatan, advokasi, publikasi, peningkatan, pengunjung)
    participants: Participants  # of counted community-engagement activities
    visitors: Participants  # of counted monthly visitor reports
    colours: ColourCounts
    green_100: list[RankedLibrary]  # green with score 100, by region and name (capped on pages)
    green_100_count: int
    top: list[RankedLibrary]
    bottom: list[RankedLibrary]
    months: list[MonthRecords]
    # Monthly visitor reports expected, received and on time, in all and per expected month.
    reporting: ReportingRate = field(default_factory=ReportingRate)
    reporting_months: tuple[tuple[dt.date, ReportingRate], ...] = ()


@dataclass(frozen=True)
class ChildRow:
    """One child region's headline figures (the parent's own libraries, if any, get a row of their own)."""

    region: RegionRef
    partners: int
    without_account: int
    records: dict[str, RecordCounts]
    participants: int
    colours: ColourCounts
    is_parent_level: bool = False  # libraries registered at the parent region itself (provincial library)
    reporting: ReportingRate = field(default_factory=ReportingRate)

    @property
    def without_account_pct(self) -> float:
        return _pct(self.without_account, self.partners)

    @property
    def green_pct(self) -> float:
        return self.colours.green_pct

    def sort_value(self, key: str) -> Any:
        if key == "nama":
            return self.region.name
        if key in RECORD_TYPES:
            return self.records[key].submitted
        if key in COLOURS:
            return self.colours.count(key)
        return {
            "mitra": self.partners,
            "tanpa_akun": self.without_account,
            "tanpa_akun_pct": self.without_account_pct,
            "peserta": self.participants,
            "hijau_pct": self.green_pct,
            # Nothing expected sorts below 0 %.
            "laporan_pct": -1 if self.reporting.rate is None else self.reporting.rate,
            "tepat_waktu_pct": -1 if self.reporting.on_time_rate is None else self.reporting.on_time_rate,
        }.get(key, self.region.query_code)


CHILD_SORT_KEYS = (
    "kode",
    "nama",
    "mitra",
    "tanpa_akun",
    "tanpa_akun_pct",
    *RECORD_TYPES,
    "peserta",
    *COLOURS,
    "hijau_pct",
    "laporan_pct",
    "tepat_waktu_pct",
)


@dataclass(frozen=True)
class ActiveLibrary:
    library_id: int
    name: str
    region_code: str
    region_name: str
    records: dict[str, int]  # counted dated records per type in the period

    @property
    def total(self) -> int:
        return sum(self.records.values())


# ------------------------------------------------------------------------------------------ targets


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _level_of(code: str | None) -> int:
    return 0 if not code else code.count(".") + 1


@dataclass(frozen=True)
class _Target:
    """A region as the queries see it: how to select its libraries, its summary rows and its children."""

    region: RegionRef

    @property
    def level(self) -> int:
        return self.region.level

    @property
    def code(self) -> str:
        return self.region.query_code

    def library_q(self, prefix: str = "") -> Q:
        if self.level == 0:
            return Q()
        if self.level == Level.PROVINCE:
            return Q(**{f"{prefix}province_id": self.code})
        if self.level == Level.REGENCY:
            return Q(**{f"{prefix}regency_id": self.code})
        if self.level == Level.DISTRICT:
            # The kabupaten equality narrows by index before the code prefix is compared.
            return Q(**{f"{prefix}regency_id": self.code[:5]}) & (
                Q(**{f"{prefix}region__code__startswith": self.code + "."}) | Q(**{f"{prefix}region_id": self.code})
            )
        return Q(**{f"{prefix}region_id": self.code})

    @property
    def child_length(self) -> int | None:
        return CHILD_CODE_LENGTH.get(self.level)

    def child_expr(self, prefix: str = "") -> Any:
        """The child region of a library row: its province or kabupaten/kota column where there is one (an
        index the database groups by), else a prefix of its region code."""
        assert self.child_length is not None
        if self.level == 0:
            return F(f"{prefix}province_id")
        if self.level == Level.PROVINCE:  # a province's own libraries fall under its code
            return Coalesce(f"{prefix}regency_id", f"{prefix}province_id")
        return Substr(f"{prefix}region_id", 1, self.child_length)

    @property
    def summary_model(self) -> type[RegencyMonth] | type[DistrictMonth] | None:
        """The summary holding the region's months: per kabupaten/kota for the nation and a province, per
        kecamatan for a kabupaten/kota and a kecamatan, none for a village."""
        if self.level in (0, Level.PROVINCE):
            return RegencyMonth
        if self.level in (Level.REGENCY, Level.DISTRICT):
            return DistrictMonth
        return None

    @property
    def summary_q(self) -> Q:
        return {
            0: Q(),
            Level.PROVINCE: Q(province_id=self.code),
            Level.REGENCY: Q(regency_id=self.code),
        }.get(self.level, Q(area_id=self.code))

    @property
    def summary_child_field(self) -> str | None:
        """The summary column naming the child region (a region's own libraries fall under its code)."""
        return {0: "province_id", Level.PROVINCE: "area_id", Level.REGENCY: "area_id"}.get(self.level)


def _region_ref(code: str | None) -> RegionRef:
    if not code:
        return RegionRef(None, NATION_NAME, 0)
    region = Region.objects.filter(code=code).only("code", "name", "level").first()
    if region is None:
        raise Http404
    return RegionRef(region.code, region.name, region.level)


def region_for_user(*, scope: Scope, region_code: str | None) -> RegionRef:
    """The region if the user's scope covers it (the nation only for the national team); 404 otherwise."""
    if not region_code:
        if not scope.national:
            raise Http404
        return RegionRef(None, NATION_NAME, 0)
    if not scope.covers_region(region_code):
        raise Http404
    return _region_ref(region_code)


def default_region_code(*, scope: Scope) -> str | None:
    """The region a user's dashboard opens on: the nation, else their first province or kabupaten/kota."""
    if scope.national:
        return None
    areas = sorted(scope.provinces) or sorted(scope.regencies)
    if not areas:
        raise Http404
    return areas[0]


def public_region(*, region_code: str | None) -> RegionRef:
    """A region by code for the public figures: 404 for an unknown code or one below the public floor."""
    public_region_check(region_code)
    return _region_ref(region_code)


# ------------------------------------------------------------------------------------------ periods


def month_first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_last(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_month(day: dt.date) -> dt.date:
    return (month_last(day) + dt.timedelta(days=1)).replace(day=1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], month_first(start)
    while current <= end:
        months.append(current)
        current = next_month(current)
    return months


@dataclass(frozen=True)
class _Split:
    """How a period falls on the monthly summary: whole months from the summary, cut days from records."""

    dated_months: tuple[dt.date, dt.date] | None  # first and last whole month for dated records
    monthly_months: tuple[dt.date, dt.date] | None  # months whose first day lies in the period
    cut_days: tuple[tuple[dt.date, dt.date], ...]  # date ranges of months the period cuts


def _split(start: dt.date, end: dt.date, today: dt.date) -> _Split:
    # Records cannot be dated after today, so a period reaching today covers the current month whole.
    end_whole = end == month_last(end) or end >= today
    first = month_first(start) if start.day == 1 else next_month(start)
    last = month_first(end) if end_whole else month_first(month_first(end) - dt.timedelta(days=1))
    cuts: list[tuple[dt.date, dt.date]] = []
    if month_first(start) == month_first(end) and (start.day != 1 or not end_whole):
        cuts.append((start, end))
    else:
        if start.day != 1:
            cuts.append((start, month_last(start)))
        if not end_whole:
            cuts.append((month_first(end), end))
    monthly_first = month_first(start) if start.day == 1 else next_month(start)
    return _Split(
        dated_months=(first, last) if first <= last else None,
        monthly_months=(monthly_first, month_first(end)) if monthly_first <= month_first(end) else None,
        cut_days=tuple(cuts),
    )


# ---------------------------------------------------------------------------------- record figures

# Every figure of a cell side by side, in FIGURE_COLUMNS order (records per type counted and verified,
# participants, visitors): adding two cells is adding two vectors.
Vector = list[int]
Cell = tuple[str | None, dt.date]  # (child region code or None, first day of the month)
WIDTH = len(FIGURE_COLUMNS)
_DATED_POSITIONS = [POSITION[c] for c in FIGURE_COLUMNS if c.split("_")[0] in DATED or c.startswith("participants")]
_MONTHLY_POSITIONS = [i for i in range(WIDTH) if i not in _DATED_POSITIONS]


def _summary_cube(target: _Target, split: _Split, by_child: bool) -> dict[Cell, Vector]:
    """Sums from the summary per month (and child region) of the period's whole months."""
    model = target.summary_model
    assert model is not None
    ranges = [r for r in (split.dated_months, split.monthly_months) if r]
    if not ranges:
        return {}
    first, last = min(r[0] for r in ranges), max(r[1] for r in ranges)
    child = target.summary_child_field if by_child else None
    keys = [child] if child else []
    rows = (
        model.objects.filter(target.summary_q, month__range=(first, last))
        .order_by()
        .values(*keys, "month")
        .annotate(**{f"sum_{column}": Sum(column) for column in FIGURE_COLUMNS})
        .values_list(*keys, "month", *(f"sum_{column}" for column in FIGURE_COLUMNS))
    )
    dated, monthly = split.dated_months, split.monthly_months
    cube: dict[Cell, Vector] = {}
    for row in rows:
        key: str | None = row[0] if child else None
        month = row[-WIDTH - 1]
        vector = list(row[-WIDTH:])
        if not (dated and dated[0] <= month <= dated[1]):
            for i in _DATED_POSITIONS:
                vector[i] = 0
        if not (monthly and monthly[0] <= month <= monthly[1]):
            for i in _MONTHLY_POSITIONS:
                vector[i] = 0
        cube[(key, month)] = vector
    return cube


def _record_cube(
    target: _Target, *, start: dt.date, end: dt.date, types: Iterable[str], by_child: bool
) -> dict[Cell, Vector]:
    """Sums straight from the records per month (and child region): one GROUP BY per record type."""
    cube: dict[Cell, Vector] = {}
    keys: dict[str, Any] = {"child": target.child_expr("library__")} if by_child and target.child_length else {}
    for record_type in types:
        if record_type in DATED:
            period_q = Q(date__range=(start, end))
        else:
            period_q = (Q(year__gt=start.year) | Q(year=start.year, month__gte=start.month)) & (
                Q(year__lt=end.year) | Q(year=end.year, month__lte=end.month)
            )
            if start.day != 1:  # a month counts when its first day lies in the period
                period_q &= ~Q(year=start.year, month=start.month)
        base = record_model(record_type).objects.filter(target.library_q("library__"), period_q)
        columns = [record_type, f"{record_type}_verified", *PEOPLE_FIELDS.get(record_type, {})]
        for row in record_groups(record_type, base, keys):
            cell = (row.get("child"), dt.date(row["y"], row["m"], 1))
            vector = cube.setdefault(cell, [0] * WIDTH)
            for column in columns:
                vector[POSITION[column]] += row[column] or 0
    return cube


def _day_cube(target: _Target, *, start: dt.date, end: dt.date, by_child: bool) -> dict[Cell, Vector]:
    """Dated records of days within one month per child region, from the kabupaten/kota days (`RegencyDay`):
    the same sums as `_record_cube` of the dated types, for a target summed per kabupaten/kota."""
    assert month_first(start) == month_first(end)
    child = target.summary_child_field if by_child else None
    days = RegencyDay.objects.filter(target.summary_q, day__range=(start, end)).order_by()
    sums = {f"sum_{column}": Sum(column) for column in DAY_COLUMNS}
    rows: list[dict[str, Any]] = list(days.values(child).annotate(**sums)) if child else [days.aggregate(**sums)]
    cube: dict[Cell, Vector] = {}
    for row in rows:
        if row["sum_pelibatan"] is None:  # no day at all: the aggregate's row of NULLs
            continue
        vector = [0] * WIDTH
        for column in DAY_COLUMNS:
            vector[POSITION[column]] = row[f"sum_{column}"]
        cube[(row[child] if child else None, month_first(start))] = vector
    return cube


_DAY_POSITIONS = [POSITION[column] for column in DAY_COLUMNS]


def _library_day_cube(target: _Target, *, start: dt.date, end: dt.date, by_child: bool) -> dict[Cell, Vector]:
    """Dated records of days within one month per child region, from the month cells of the target's
    libraries, which keep their dated figures per day (`LibraryMonth.days`): a kabupaten's few hundred
    cells instead of the country's records of those days (Bojonegoro's two cut months: 80 -> 10 ms)."""
    month = month_first(start)
    assert month == month_first(end)
    cells = LibraryMonth.objects.filter(target.library_q("library__"), month=month).exclude(days={})
    # The child region of each cell, or None for one total.
    child = target.child_expr("library__") if by_child and target.child_length is not None else Value(None, CharField())
    cube: dict[Cell, Vector] = {}
    for code, days in cells.annotate(child=child).values_list("child", "days"):
        for day, figures in days.items():
            if start.day <= int(day) <= end.day:
                vector = cube.setdefault((code, month), [0] * WIDTH)
                for position, value in zip(_DAY_POSITIONS, figures, strict=True):
                    vector[position] += value
    return cube


def _add(into: dict[Any, Vector], key: Any, vector: Vector) -> None:
    have = into.get(key)
    into[key] = list(vector) if have is None else [a + b for a, b in zip(have, vector, strict=True)]


def _cube(target: _Target, start: dt.date, end: dt.date, by_child: bool) -> dict[Cell, Vector]:
    """Counted records of the period per (child region, month): from the summary where it can answer."""
    if target.summary_model is None or (by_child and target.summary_child_field is None):
        return _record_cube(target, start=start, end=end, types=RECORD_TYPES, by_child=by_child)
    split = _split(start, end, timezone.localdate())
    cube = _summary_cube(target, split, by_child)
    for cut_start, cut_end in split.cut_days:
        if target.summary_model is RegencyMonth:  # the nation and a province: their kabupaten/kota days
            cut = _day_cube(target, start=cut_start, end=cut_end, by_child=by_child)
        else:  # a kabupaten/kota or kecamatan: its few hundred libraries' days
            cut = _library_day_cube(target, start=cut_start, end=cut_end, by_child=by_child)
        for cell, vector in cut.items():
            _add(cube, cell, vector)
    return cube


def _rollup(cube: dict[Cell, Vector], axis: int) -> dict[Any, Vector]:
    """Sums of the cube per child region (axis 0), per month (axis 1), or in total (axis -1, key None)."""
    rolled: dict[Any, Vector] = {}
    for cell, vector in cube.items():
        _add(rolled, cell[axis] if axis >= 0 else None, vector)
    return rolled


def _record_counts(vector: Vector | None) -> dict[str, RecordCounts]:
    if vector is None:
        return {record_type: RecordCounts() for record_type in RECORD_TYPES}
    return {
        record_type: RecordCounts(
            submitted=vector[POSITION[record_type]], verified=vector[POSITION[f"{record_type}_verified"]]
        )
        for record_type in RECORD_TYPES
    }


def _participants(vector: Vector | None) -> Participants:
    if vector is None:
        return Participants()
    return Participants(*(vector[POSITION[c]] for c in PEOPLE_COLUMNS[:4]))


def _visitors(vector: Vector | None) -> Participants:
    if vector is None:
        return Participants()
    visitors, male, female = (vector[POSITION[c]] for c in PEOPLE_COLUMNS[4:])
    return Participants(visitors, male, female, 0)


# ------------------------------------------------------------------------------------ partners, KPI


def _partner_qs(target: _Target, end: dt.date) -> QuerySet[Library]:
    return Library.objects.filter(target.library_q(), is_active=True, cohort_year__lte=end.year)


@dataclass(frozen=True)
class _Scores:
    """Where the scores as of a date are stored: today's current scores, the month-end scores, or the
    scores of another past day (`day`, stored on its first request)."""

    as_of: dt.date
    current: bool
    day: bool = False

    @property
    def relation(self) -> str:
        return "current_score" if self.current else "as_of_score"


def _stored_scores(as_of: dt.date, today: dt.date) -> _Scores | None:
    if as_of == today:
        return _Scores(as_of, current=True)
    if as_of < today and as_of == month_last(as_of):
        # Month-end scores of every year are kept right by every record change (kpi receivers); a month
        # end not stored yet (facts not built, a month just closed) counts as unscored below.
        return _Scores(as_of, current=False)
    if as_of < today:
        # Another past day: its scores are stored on its first request (the missing ones computed), and
        # dropped by every write that could change them (kpi services).
        return _Scores(as_of, current=False, day=True)
    return None


def _scored(partners: QuerySet[Library], scores: _Scores) -> QuerySet[Library]:
    if scores.day:  # a row scored as another kind than the library's now is not read
        day = Q(day_scores__as_of=scores.as_of, day_scores__kind=F("kind"))
        partners = partners.annotate(as_of_score=FilteredRelation("day_scores", condition=day))
    elif not scores.current:  # a new relation each time: Django binds it to the query it joins
        month_end = Q(month_scores__month_end=scores.as_of)
        partners = partners.annotate(as_of_score=FilteredRelation("month_scores", condition=month_end))
    return partners.annotate(
        kpi_score=F(f"{scores.relation}__score"),
        kpi_colour=F(f"{scores.relation}__colour"),
    )


def _partner_groups(target: _Target, end: dt.date, scores: _Scores | None, today: dt.date) -> list[dict[str, Any]]:
    """Partner and colour figures per child region (one row in all without children): partners (`n`),
    those without an account (`none`), per KPI colour (`colour:<value>`), green with score 100
    (`perfect`), without a stored score for the date (`unscored`) and with a current score not computed
    this month or scheme (`stale`). Conditional counts over one scan of the region's libraries."""
    # The region's managers only: the set is the nation's 80,000 memberships otherwise, on a kecamatan page too.
    managers = Membership.objects.filter(
        target.library_q("library__"), role=Role.MANAGER, user__is_active=True, library__isnull=False
    )
    qs = _partner_qs(target, end)
    keys = []
    if target.child_length:
        qs = qs.annotate(child=target.child_expr())
        keys.append("child")
    sums: dict[str, Any] = {
        "n": Count("pk"),
        # Not in a set computed once: much cheaper than a correlated EXISTS per library.
        "none": Count("pk", filter=~Q(pk__in=managers.values("library_id"))),
    }
    if scores is not None:
        qs = _scored(qs, scores)
        sums |= {f"colour:{colour}": Count("pk", filter=Q(kpi_colour=colour)) for colour in COLOURS[:3]}
        sums["perfect"] = Count("pk", filter=Q(kpi_colour=Colour.GREEN, kpi_score__gte=HUNDRED))
        sums["unscored"] = Count("pk", filter=Q(kpi_colour__isnull=True))
        if scores.current:
            fresh = current_scores_fresh(today, prefix="current_score__")
            sums["stale"] = Count("pk", filter=~fresh | Q(current_score__isnull=True))
    if not keys:
        return [qs.aggregate(**sums)]
    return list(qs.order_by().values(*keys).annotate(**sums))


def _partner_figures(target: _Target, end: dt.date, rows: list[dict[str, Any]]) -> PartnerFigures:
    """Partners per kind, support and cohort (a GROUP BY of at most a hundred rows) with the totals of rows."""
    by_kind = dict.fromkeys(LibraryKind.values, 0)
    by_support = dict.fromkeys(Support.values, 0)
    by_cohort: dict[int, int] = defaultdict(int)
    grouped = _partner_qs(target, end).order_by().values_list("kind", "support", "cohort_year").annotate(n=Count("pk"))
    for kind, support, cohort, n in grouped:
        by_kind[kind] += n
        by_support[support] += n
        by_cohort[cohort] += n
    return PartnerFigures(
        total=sum(row["n"] or 0 for row in rows),
        by_kind=by_kind,
        by_support=by_support,
        by_cohort=dict(sorted(by_cohort.items())),
        without_account=sum(row["none"] or 0 for row in rows),
    )


@dataclass
class _Kpi:
    as_of: dt.date
    colours_by_child: dict[str | None, dict[str, int]]  # child code (None without children) → colour → partners
    green_100: list[RankedLibrary]
    green_100_count: int
    top: list[RankedLibrary]
    bottom: list[RankedLibrary]


def _kpi_as_of(end: dt.date, today: dt.date) -> dt.date:
    return min(end, today)


_RANKED_FIELDS = ("library_id", "library__name", "library__region_id", "library__region__name", "score", "colour")


def _score_rows(target: _Target, end: dt.date, scores: _Scores) -> QuerySet[Any]:
    """The partners' stored scores, read from the score table: its score and colour indexes serve the
    rankings, which stop after ten rows instead of sorting every partner."""
    rows: QuerySet[Any]
    if scores.current:
        rows = CurrentScore.objects.all()
    elif scores.day:
        rows = DayScore.objects.filter(as_of=scores.as_of, kind=F("library__kind"))
    else:
        rows = MonthScore.objects.filter(month_end=scores.as_of)
    return rows.filter(target.library_q("library__"), library__is_active=True, library__cohort_year__lte=end.year)


def _ranked_rows(qs: QuerySet[Any]) -> list[RankedLibrary]:
    return [RankedLibrary(*row) for row in qs.values_list(*_RANKED_FIELDS)]


def _stored_kpi(
    target: _Target,
    end: dt.date,
    as_of: dt.date,
    scores: _Scores,
    groups: list[dict[str, Any]],
    green_limit: int | None,
) -> _Kpi:
    by_child = {row.get("child"): {colour: row[f"colour:{colour}"] or 0 for colour in COLOURS[:3]} for row in groups}
    rows = _score_rows(target, end, scores)
    if target.level >= Level.REGENCY:
        # A kabupaten's few hundred partners are read once and ranked here. Walking the country's score
        # index for them, the plan that suits the nation and a province, reads thousands of rows per
        # ranking (27-147 ms for a kabupaten of the whole country on PostgreSQL, more for a kecamatan).
        return _ranked(as_of, by_child, _ranked_rows(rows), green_limit)
    assessed = rows.filter(score__isnull=False)
    green = rows.filter(colour=Colour.GREEN, score__gte=HUNDRED).order_by(
        "library__region_id", "library__name", "library_id"
    )
    return _Kpi(
        as_of=as_of,
        colours_by_child=by_child,
        green_100=_ranked_rows(green[:green_limit] if green_limit is not None else green),
        green_100_count=sum(row["perfect"] or 0 for row in groups),
        top=_ranked_rows(assessed.order_by("-score", "library__name", "library_id")[:RANKED]),
        bottom=_ranked_rows(assessed.order_by("score", "library__name", "library_id")[:RANKED]),
    )


class _Scored(NamedTuple):
    score: Decimal | None
    colour: str


def _computed_kpi(target: _Target, end: dt.date, as_of: dt.date, green_limit: int | None) -> _Kpi:
    """Scores for a date no stored score covers (a past day): computed in a fixed number of queries, from
    the month facts once they are built (never a scan of the year's records)."""
    partners = _partner_qs(target, end)
    results: dict[tuple[int, dt.date], Any]
    if facts_built():
        results = {(pk, as_of): _Scored(*value) for pk, value in kpi_scores_at(libraries=partners, date=as_of).items()}
    else:
        results = kpi_compute(libraries=partners, dates=[as_of])
    libraries = partners.order_by("name", "pk").values_list("pk", "name", "region_id", "region__name")
    length = target.child_length
    by_child: dict[str | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    scored: list[RankedLibrary] = []
    for pk, name, region_code, region_name in libraries:
        result = results.get((pk, as_of))
        colour = result.colour if result else Colour.NONE
        by_child[region_code[:length] if length else None][colour] += 1
        score = result.score if result else None
        scored.append(RankedLibrary(pk, name, region_code, region_name, score, colour))
    return _ranked(as_of, {k: dict(v) for k, v in by_child.items()}, scored, green_limit)


def _ranked(
    as_of: dt.date, by_child: dict[str | None, dict[str, int]], scored: list[RankedLibrary], green_limit: int | None
) -> _Kpi:
    """The rankings and the green-100 list of partners scored in hand, ordered as the stored path orders them."""
    assessed = [r for r in scored if r.score is not None]
    green = sorted(
        (r for r in assessed if r.colour == Colour.GREEN and r.score is not None and r.score >= HUNDRED),
        key=lambda r: (r.region_code, r.name, r.library_id),
    )
    return _Kpi(
        as_of=as_of,
        colours_by_child=by_child,
        green_100=green[:green_limit] if green_limit is not None else green,
        green_100_count=len(green),
        top=sorted(assessed, key=lambda r: (-(r.score or 0), r.name, r.library_id))[:RANKED],
        bottom=sorted(assessed, key=lambda r: (r.score or 0, r.name, r.library_id))[:RANKED],
    )


def _day_row(as_of: dt.date) -> QuerySet[DayScore]:
    """The stored score of the outer library on the day, as its kind now is."""
    return DayScore.objects.filter(library=OuterRef("pk"), as_of=as_of, kind=OuterRef("kind"))


def _partners_and_kpi(target: _Target, end: dt.date, green_limit: int | None) -> tuple[list[dict[str, Any]], _Kpi]:
    today = timezone.localdate()
    as_of = _kpi_as_of(end, today)
    scores = _stored_scores(as_of, today)
    groups = _partner_groups(target, end, scores, today)
    if scores is not None and scores.current and any(row["stale"] for row in groups):
        # A score of an earlier month or scheme may be stale without any write (growing targets): rescore.
        kpi_refresh_stale(libraries=_partner_qs(target, end), today=today)
        groups = _partner_groups(target, end, scores, today)
    if (
        scores is not None
        and scores.day
        and any(row["unscored"] for row in groups)
        and not replica_reads_allowed()
        and facts_built()
    ):
        # A past day's first request (or one after a write dropped some): store the missing, read them back.
        # Computed from the primary only: a lagging replica's figures must not be stored.
        partners = _partner_qs(target, end)
        new_day = all(row["unscored"] == row["n"] for row in groups)
        missing = partners if new_day else partners.exclude(Exists(_day_row(scores.as_of)))
        if day_scores_fill(libraries=missing, date=as_of, new_day=new_day) is None:
            scores = None  # a write that may change the day is being committed: computed, not stored
        else:
            groups = _partner_groups(target, end, scores, today)
    if scores is not None and not scores.current and any(row["unscored"] for row in groups):
        scores = None  # a month-end score is missing (or a day's, facts not built): compute them all for that day
    if scores is None:
        return groups, _computed_kpi(target, end, as_of, green_limit)
    return groups, _stored_kpi(target, end, as_of, scores, groups, green_limit)


def _colour_counts(colours: dict[str, int], partners: int) -> ColourCounts:
    green = colours.get(Colour.GREEN, 0)
    yellow = colours.get(Colour.YELLOW, 0)
    red = colours.get(Colour.RED, 0)
    return ColourCounts(hijau=green, kuning=yellow, merah=red, belum_dinilai=max(partners - green - yellow - red, 0))


# ------------------------------------------------------------------------------------------ figures


def _compute(
    region: RegionRef, start: dt.date, end: dt.date, *, children: bool, green_limit: int | None = None
) -> tuple[RegionFigures, list[ChildRow]]:
    """The figures of a region and, when asked, of its child regions, sharing every query.

    `green_limit` caps the listed green-100 libraries (their count is always whole).
    """
    target = _Target(region)
    by_child = children and target.child_length is not None
    partner_rows, kpi = _partners_and_kpi(target, end, green_limit)
    cube = _cube(target, start, end, by_child)
    reporting = reporting_cube(area=target, by_child=by_child, start=start, end=end, today=timezone.localdate())
    partners = _partner_figures(target, end, partner_rows)
    totals = _rollup(cube, -1).get(None)
    per_month = _rollup(cube, 1)
    colours: dict[str, int] = defaultdict(int)
    for child_colours in kpi.colours_by_child.values():
        for colour, n in child_colours.items():
            colours[colour] += n
    figures = RegionFigures(
        region=region,
        start=start,
        end=end,
        kpi_as_of=kpi.as_of,
        partners=partners,
        records=_record_counts(totals),
        participants=_participants(totals),
        visitors=_visitors(totals),
        colours=_colour_counts(colours, partners.total),
        green_100=kpi.green_100,
        green_100_count=kpi.green_100_count,
        top=kpi.top,
        bottom=kpi.bottom,
        months=[
            MonthRecords(month=month, records=_record_counts(per_month.get(month)))
            for month in months_between(start, end)
        ],
        reporting=rates_rollup(reporting, -1).get(None, ReportingRate()),
        reporting_months=tuple(sorted(rates_rollup(reporting, 1).items())),
    )
    if not by_child:
        return figures, []
    return figures, _child_rows(region, partner_rows, _rollup(cube, 0), kpi, rates_rollup(reporting, 0))


def _child_rows(
    region: RegionRef,
    partner_rows: list[dict[str, Any]],
    vectors: dict[Any, Vector],
    kpi: _Kpi,
    reporting: dict[Any, ReportingRate],
) -> list[ChildRow]:
    children = Region.objects.filter(parent_id=region.code).order_by("code").values_list("code", "name", "level")
    partners = {row["child"]: (row["n"], row["none"]) for row in partner_rows}
    refs = [RegionRef(code, name, level) for code, name, level in children]
    if region.code and (region.code in partners or region.code in vectors):
        refs.insert(0, RegionRef(region.code, region.name, region.level))
    rows = []
    for ref in refs:
        code = ref.query_code
        n, none = partners.get(code, (0, 0))
        vector = vectors.get(code)
        rows.append(
            ChildRow(
                region=ref,
                partners=n,
                without_account=none,
                records=_record_counts(vector),
                participants=_participants(vector).total,
                colours=_colour_counts(kpi.colours_by_child.get(code, {}), n),
                is_parent_level=ref.code == region.code,
                reporting=reporting.get(code, ReportingRate()),
            )
        )
    return rows


def region_figures(*, scope: Scope, region_code: str | None, start: dt.date, end: dt.date) -> RegionFigures:
    """Every dashboard figure of a region (None = the nation) in the user's scope; Http404 outside it."""
    region = region_for_user(scope=scope, region_code=region_code)
    return _compute(region, start, end, children=False)[0]


def child_region_rows(
    *, scope: Scope, region_code: str | None, start: dt.date, end: dt.date, sort: str = "kode"
) -> list[ChildRow]:
    """One row per child region (provinces of the nation, kabupaten/kota of a province, ...), sorted by
    `sort` (a CHILD_SORT_KEYS name, "-" prefix for descending); Http404 outside the user's scope."""
    region = region_for_user(scope=scope, region_code=region_code)
    return child_rows_sorted(_compute(region, start, end, children=True)[1], sort)


def region_dashboard(
    *,
    scope: Scope,
    region_code: str | None,
    start: dt.date,
    end: dt.date,
    sort: str = "kode",
    green_limit: int | None = None,
) -> tuple[RegionFigures, list[ChildRow]]:
    """The region's figures and its sorted child rows in one pass (what a dashboard page shows)."""
    region = region_for_user(scope=scope, region_code=region_code)
    figures, rows = _compute(region, start, end, children=True, green_limit=green_limit)
    return figures, child_rows_sorted(rows, sort)


def public_dashboard(
    *, region_code: str | None, start: dt.date, end: dt.date, sort: str = "kode"
) -> tuple[RegionFigures, list[ChildRow]]:
    """The public figures of a region down to the public floor, with its child rows when the children are
    above the floor (no scope: aggregates and green-100 only)."""
    region = public_region(region_code=region_code)
    children = public_children_shown(region_code)
    figures, rows = _compute(region, start, end, children=children, green_limit=GREEN_LISTED)
    return figures, child_rows_sorted(rows, sort)


def child_rows_sorted(rows: list[ChildRow], sort: str) -> list[ChildRow]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in CHILD_SORT_KEYS:
        key, descending = "kode", False
    return sorted(rows, key=lambda r: (r.sort_value(key), r.region.query_code), reverse=descending)


def public_region_figures(*, region_code: str | None, start: dt.date, end: dt.date) -> RegionFigures:
    """The public figures of a region down to the public floor (aggregates and the green-100 list only)."""
    return _compute(public_region(region_code=region_code), start, end, children=False)[0]


# The cut days of the libraries that can still reach the top are read from their month cells in rounds
# of this many libraries, then twice as many each round; beyond ACTIVE_CANDIDATES_MAX libraries read, the
# cut days come from the records instead.
ACTIVE_FIRST_ROUND = 60
ACTIVE_CANDIDATES_MAX = 2000

PerType = dict[str, int]


def most_active_libraries(
    *, scope: Scope, region_code: str | None, start: dt.date, end: dt.date, limit: int = 10
) -> list[ActiveLibrary]:
    """The libraries with the most counted dated records (engagement, advocacy, publicity) in the period.

    Whole months come from the per-library month summary. The days of a month the period cuts come from
    the month cells' days of only the libraries that can still reach the top (`_cut_days_of_the_best`),
    or, when too many can (a period inside one month), from the records themselves (one GROUP BY per type).
    """
    target = _Target(region_for_user(scope=scope, region_code=region_code))
    split = _split(start, end, timezone.localdate())
    parts = {}
    if split.dated_months:
        parts["whole"] = Q(month__range=split.dated_months)
    if split.cut_days:
        parts["cut"] = Q(month__in=[month_first(cut_start) for cut_start, _ in split.cut_days])
    sums = _library_month_sums(target, parts)
    counts = sums["whole"]
    if split.cut_days:
        best_counts = _cut_days_of_the_best(counts, sums["cut"], split.cut_days, keep=limit * 3)
        if best_counts is None:
            _add_cut_days_from_records(counts, target, split.cut_days)
        else:
            counts = defaultdict(lambda: dict.fromkeys(DATED, 0), best_counts)
    active = [(library_id, per_type) for library_id, per_type in counts.items() if any(per_type.values())]
    best = sorted(active, key=lambda item: (-sum(item[1].values()), item[0]))[: limit * 3]
    libraries = Library.objects.select_related("region").in_bulk([library_id for library_id, _ in best])
    ranked = [
        ActiveLibrary(
            library_id=library_id,
            name=libraries[library_id].name,
            region_code=libraries[library_id].region_id,
            region_name=libraries[library_id].region.name,
            records={t: per_type.get(t, 0) for t in DATED},
        )
        for library_id, per_type in best
        if library_id in libraries
    ]
    return sorted(ranked, key=lambda a: (-a.total, a.name, a.library_id))[:limit]


def _library_month_sums(target: _Target, parts: dict[str, Q]) -> dict[str, dict[int, PerType]]:
    """Each library's dated records in each part ("whole" and "cut": a set of whole months), in one pass
    over the target's libraries' month cells (the covering month index)."""
    sums: dict[str, dict[int, PerType]] = {
        name: defaultdict(lambda: dict.fromkeys(DATED, 0)) for name in ("whole", "cut")
    }
    if not parts:
        return sums
    columns = [(name, t) for name in parts for t in DATED]
    rows = (
        LibraryMonth.objects.filter(target.library_q("library__"), reduce(operator.or_, parts.values()))
        .order_by()
        .values("library_id")
        .annotate(**{f"{name}_{t}": Sum(t, filter=parts[name]) for name, t in columns})
        .values_list("library_id", *(f"{name}_{t}" for name, t in columns))
    )
    for library_id, *values in rows:
        for (name, record_type), value in zip(columns, values, strict=True):
            if value:
                sums[name][library_id][record_type] += value
    return sums


def _cut_days_of_the_best(
    counts: dict[int, PerType],
    whole_cut: dict[int, PerType],
    cut_days: tuple[tuple[dt.date, dt.date], ...],
    *,
    keep: int,
) -> dict[int, PerType] | None:
    """The period's counts, cut days included, of every library that can be among the `keep` most active
    (and of some that turned out not to be); None when too many had to be read.

    A library adds at most its cut months' whole counts (`whole_cut`): that is its bound. Libraries are read
    in the order of their bounds, in rounds, until the `keep`-th largest count read is above the bound of
    every library not read yet, which can then neither reach nor tie the top (East Java, mid-month, on the whole
    country: one or two rounds of cells instead of the country's records of the cut days)."""
    bound = {
        library_id: sum(counts[library_id].values()) + sum(whole_cut[library_id].values())
        for library_id in counts.keys() | whole_cut.keys()
    }
    order = sorted((library_id for library_id, most in bound.items() if most > 0), key=lambda i: (-bound[i], i))
    read: dict[int, PerType] = {}
    size = ACTIVE_FIRST_ROUND
    while len(read) < len(order):
        if len(read) >= ACTIVE_CANDIDATES_MAX:
            return None
        batch = order[len(read) : len(read) + size]
        size *= 2
        for library_id in batch:
            read[library_id] = dict(counts[library_id])
        _add_cut_days_from_cells(read, batch, cut_days)
        totals = sorted((sum(per_type.values()) for per_type in read.values()), reverse=True)
        if len(totals) >= keep and len(read) < len(order) and bound[order[len(read)]] < totals[keep - 1]:
            break
    return read


def _add_cut_days_from_cells(
    counts: dict[int, PerType], library_ids: list[int], cut_days: tuple[tuple[dt.date, dt.date], ...]
) -> None:
    """Add the cut days' dated records of the given libraries, from their month cells' days."""
    positions = {t: DAY_COLUMNS.index(t) for t in DATED}
    cut_of = {month_first(cut_start): (cut_start.day, cut_end.day) for cut_start, cut_end in cut_days}
    cells = LibraryMonth.objects.filter(library_id__in=library_ids, month__in=list(cut_of)).exclude(days={})
    for library_id, month, days in cells.values_list("library_id", "month", "days"):
        first, last = cut_of[month]
        per_type = counts[library_id]
        for day, figures in days.items():
            if first <= int(day) <= last:
                for record_type, position in positions.items():
                    per_type[record_type] += figures[position]


def _add_cut_days_from_records(
    counts: dict[int, PerType], target: _Target, cut_days: tuple[tuple[dt.date, dt.date], ...]
) -> None:
    """Add the cut days' dated records of the target's libraries, grouped from the records of those days."""
    for cut_start, cut_end in cut_days:
        for record_type, model in DATED.items():
            rows = (
                model.objects.filter(target.library_q("library__"), COUNTED, date__range=(cut_start, cut_end))
                .order_by()
                .values("library_id")
                .annotate(n=Count("pk"))
            )
            for row in rows:
                counts[row["library_id"]][record_type] += row["n"]


def region_stats(
    *, region_code: str | None, start: dt.date, end: dt.date, scope: Scope | None = None
) -> dict[str, Any]:
    """A region's figures for a period as the `/api/v1/stats` JSON (no personal data): public down to the
    public floor; below it only for a caller whose scope covers the region (Http404 otherwise)."""
    if public_allows(region_code) or scope is None:
        figures = public_region_figures(region_code=region_code, start=start, end=end)
    else:
        figures = region_figures(scope=scope, region_code=region_code, start=start, end=end)
    return stats_json(figures)


def stats_json(figures: RegionFigures) -> dict[str, Any]:
    """RegionFigures as the public stats JSON."""
    partners = figures.partners
    return {
        "region": {"code": figures.region.code, "name": figures.region.name},
        "period": {"start": figures.start.isoformat(), "end": figures.end.isoformat()},
        "partners": {
            "total": partners.total,
            "by_kind": partners.by_kind,
            "by_support": partners.by_support,
            "without_account": partners.without_account,
            "without_account_pct": partners.without_account_pct,
        },
        "records": {
            record_type: {"submitted": counts.submitted, "verified": counts.verified}
            for record_type, counts in figures.records.items()
        },
        "participants": {
            "total": figures.participants.total,
            "male": figures.participants.male,
            "female": figures.participants.female,
            "disability": figures.participants.disability,
        },
        "kpi": {
            "as_of": figures.kpi_as_of.isoformat(),
            "hijau": figures.colours.hijau,
            "kuning": figures.colours.kuning,
            "merah": figures.colours.merah,
            "belum_dinilai": figures.colours.belum_dinilai,
        },
        "green_100": [
            {"library": g.name, "region_code": g.region_code, "score": _number(g.score)} for g in figures.green_100
        ],
        "reporting_rate": figures.reporting.rate,
        "reporting_rate_on_time": figures.reporting.on_time_rate,
        "reports_expected": figures.reporting.expected,
        "reports_received": figures.reporting.received,
        "reports_on_time": figures.reporting.on_time,
    }


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
