"""Region figures for any region and period: partners, records, participants, KPI colours, rankings.

Counting rules, the same on every page, export and in the JSON:

- partners: active libraries registered in the region with a cohort year up to the period's end year;
- records: submitted or verified (never drafts, returned or withdrawn), counted in the period by their
  activity date, monthly records (information service, visitors) by their month's first day; a record
  whose date is unknown carries 1 January and is counted there (the KPI ignores it);
- "submitted" counts every counted record, "verified" those of them already verified;
- without account: no manager account that is not disabled and no live invitation (account status "none");
- KPI: each partner's score as of the period's end (today's stored score when the period reaches today).

Records come from `RecordSummary` (per kabupaten/kota and month) where it can answer, from the records
themselves for kecamatan and villages and for the days of a month cut by a custom period. The number of
queries never depends on the number of libraries or child regions.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear, Substr
from django.http import Http404
from django.utils import timezone

from tpbis.accounts.models import Invitation, Membership, Role
from tpbis.accounts.scope import Scope
from tpbis.dashboards.models import RecordSummary
from tpbis.dashboards.services import COUNTED, DATED, MONTHLY, RECORD_TYPES, people_sums
from tpbis.kpi.engine import Result
from tpbis.kpi.models import Colour, CurrentScore, MonthScore
from tpbis.kpi.services import kpi_compute, kpi_refresh
from tpbis.libraries.models import Library, LibraryKind, Support
from tpbis.regions.models import Level, Region
from tpbis.reports.models import COUNTED_STATUSES, Status

NATION_NAME = "Indonesia"
HUNDRED = Decimal(100)
COLOURS = (Colour.GREEN.value, Colour.YELLOW.value, Colour.RED.value, Colour.NONE.value)
# Length of a child region's code for a region of each level (0 = the nation).
CHILD_CODE_LENGTH = {0: 2, 1: 5, 2: 8, 3: 13}
RANKED = 10


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
    green_100: list[RankedLibrary]
    top: list[RankedLibrary]
    bottom: list[RankedLibrary]
    months: list[MonthRecords]


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
            return Q(**{f"{prefix}regency_id": self.code[:5], f"{prefix}region__code__startswith": self.code + "."})
        return Q(**{f"{prefix}region_id": self.code})

    @property
    def child_length(self) -> int | None:
        return CHILD_CODE_LENGTH.get(self.level)

    def child_expr(self, prefix: str = "") -> Substr:
        assert self.child_length is not None
        return Substr(f"{prefix}region_id", 1, self.child_length)

    @property
    def summary_q(self) -> Q | None:
        """Summary rows of the region, or None when the summary is too coarse (kecamatan, village)."""
        if self.level == 0:
            return Q()
        if self.level == Level.PROVINCE:
            return Q(province_id=self.code)
        if self.level == Level.REGENCY:
            return Q(area_id=self.code)
        return None

    @property
    def summary_child_field(self) -> str | None:
        """The summary column naming the child region (the province's own libraries fall under its code)."""
        return {0: "province_id", Level.PROVINCE: "area_id"}.get(self.level)


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
    """Any region by code for the public figures (404 for an unknown code)."""
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

# (record type, status) → [records, people, male, female, disability]
Tally = dict[tuple[str, str], list[int]]
_SUM_KEYS = ("records", "people", "male", "female", "disability")


def _add(tally: Tally, record_type: str, status: str, row: dict[str, Any]) -> None:
    sums = tally.setdefault((record_type, status), [0, 0, 0, 0, 0])
    for i, key in enumerate(_SUM_KEYS):
        sums[i] += int(row.get(key) or 0)


Cell = tuple[str | None, dt.date]  # (child region code or None, first day of the month)


def _summary_cube(target: _Target, split: _Split, by_child: bool) -> dict[Cell, Tally]:
    """Sums from the summary per month (and child region) of the period's whole months."""
    summary_q = target.summary_q
    assert summary_q is not None
    period_q = Q(pk__in=[])
    if split.dated_months:
        period_q |= Q(record_type__in=list(DATED), month__range=split.dated_months)
    if split.monthly_months:
        period_q |= Q(record_type__in=list(MONTHLY), month__range=split.monthly_months)
    child = target.summary_child_field if by_child else None
    keys = [child] if child else []
    rows = (
        RecordSummary.objects.filter(summary_q, period_q, status__in=COUNTED_STATUSES)
        .order_by()
        .values(*keys, "month", "record_type", "status")
        .annotate(**{key: Sum(key) for key in _SUM_KEYS})
    )
    cube: dict[Cell, Tally] = defaultdict(dict)
    for row in rows:
        _add(cube[(row[child] if child else None, row["month"])], row["record_type"], row["status"], row)
    return cube


def _record_cube(
    target: _Target, *, start: dt.date, end: dt.date, types: Iterable[str], by_child: bool
) -> dict[Cell, Tally]:
    """Sums straight from the records per month (and child region): one GROUP BY per record type."""
    cube: dict[Cell, Tally] = defaultdict(dict)
    child: dict[str, Any] = {"child": target.child_expr("library__")} if by_child and target.child_length else {}
    for record_type in types:
        model = DATED.get(record_type) or MONTHLY[record_type]
        if record_type in DATED:
            period_q = Q(date__range=(start, end))
            month: dict[str, Any] = {"y": ExtractYear("date"), "m": ExtractMonth("date")}
        else:
            period_q = (Q(year__gt=start.year) | Q(year=start.year, month__gte=start.month)) & (
                Q(year__lt=end.year) | Q(year=end.year, month__lte=end.month)
            )
            if start.day != 1:  # a month counts when its first day lies in the period
                period_q &= ~Q(year=start.year, month=start.month)
            month = {"y": F("year"), "m": F("month")}
        rows = (
            model.objects.filter(target.library_q("library__"), period_q, COUNTED)
            .annotate(**month, **child)
            .order_by()
            .values(*child, "y", "m", "status")
            .annotate(records=Count("pk"), **people_sums(record_type))
        )
        for row in rows:
            _add(cube[(row.get("child"), dt.date(row["y"], row["m"], 1))], record_type, row["status"], row)
    return cube


def _merge(into: dict[Any, Tally], key: Any, tally: Tally) -> None:
    target = into.setdefault(key, {})
    for cell, sums in tally.items():
        have = target.setdefault(cell, [0, 0, 0, 0, 0])
        for i, value in enumerate(sums):
            have[i] += value


def _cube(target: _Target, start: dt.date, end: dt.date, by_child: bool) -> dict[Cell, Tally]:
    """Counted records of the period per (child region, month): from the summary where it can answer."""
    if target.summary_q is None or (by_child and target.summary_child_field is None):
        return _record_cube(target, start=start, end=end, types=RECORD_TYPES, by_child=by_child)
    split = _split(start, end, timezone.localdate())
    cube = _summary_cube(target, split, by_child)
    for cut_start, cut_end in split.cut_days:
        for cell, tally in _record_cube(target, start=cut_start, end=cut_end, types=DATED, by_child=by_child).items():
            _merge(cube, cell, tally)
    return cube


def _rollup(cube: dict[Cell, Tally], axis: int) -> dict[Any, Tally]:
    """Sums of the cube per child region (axis 0), per month (axis 1), or in total (axis -1, key None)."""
    rolled: dict[Any, Tally] = {}
    for cell, tally in cube.items():
        _merge(rolled, cell[axis] if axis >= 0 else None, tally)
    return rolled


def _record_counts(tally: Tally) -> dict[str, RecordCounts]:
    counts = {}
    for record_type in RECORD_TYPES:
        submitted = tally.get((record_type, Status.SUBMITTED), [0] * 5)[0]
        verified = tally.get((record_type, Status.VERIFIED), [0] * 5)[0]
        counts[record_type] = RecordCounts(submitted=submitted + verified, verified=verified)
    return counts


def _people(tally: Tally, record_type: str) -> Participants:
    sums = [0, 0, 0, 0]
    for status in COUNTED_STATUSES:
        for i, value in enumerate(tally.get((record_type, status), [0] * 5)[1:]):
            sums[i] += value
    return Participants(*sums)


# ------------------------------------------------------------------------------------------ partners


def _partner_qs(target: _Target, end: dt.date) -> QuerySet[Library]:
    return Library.objects.filter(target.library_q(), is_active=True, cohort_year__lte=end.year)


def _partner_groups(target: _Target, end: dt.date) -> list[dict[str, Any]]:
    """Partners grouped by child region, kind, support and cohort, with those without an account."""
    managers = Membership.objects.filter(library=OuterRef("pk"), role=Role.MANAGER, user__is_active=True)
    live_invitation = Invitation.objects.filter(
        library=OuterRef("pk"), accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    qs = _partner_qs(target, end)
    keys = ["kind", "support", "cohort_year"]
    if target.child_length:
        qs = qs.annotate(child=target.child_expr())
        keys.insert(0, "child")
    # Account status "none" (libraries.selectors.with_account_status) without the activated/invited
    # distinction, which costs a third subquery per library.
    return list(
        qs.order_by()
        .values(*keys)
        .annotate(n=Count("pk"), none=Count("pk", filter=~Exists(managers) & ~Exists(live_invitation)))
    )


def _partner_figures(rows: Iterable[dict[str, Any]]) -> PartnerFigures:
    by_kind = dict.fromkeys(LibraryKind.values, 0)
    by_support = dict.fromkeys(Support.values, 0)
    by_cohort: dict[int, int] = defaultdict(int)
    for row in rows:
        by_kind[row["kind"]] += row["n"]
        by_support[row["support"]] += row["n"]
        by_cohort[row["cohort_year"]] += row["n"]
    return PartnerFigures(
        total=sum(r["n"] for r in rows),
        by_kind=by_kind,
        by_support=by_support,
        by_cohort=dict(sorted(by_cohort.items())),
        without_account=sum(r["none"] for r in rows),
    )


# ----------------------------------------------------------------------------------------------- KPI


@dataclass
class _Kpi:
    as_of: dt.date
    colours_by_child: dict[str, dict[str, int]]  # child code → colour → partners
    green_100: list[RankedLibrary]
    top: list[RankedLibrary]
    bottom: list[RankedLibrary]


def _kpi_as_of(end: dt.date, today: dt.date) -> dt.date:
    return min(end, today)


def _stored_scores(as_of: dt.date, partners: QuerySet[Library]) -> QuerySet[Any] | None:
    """Stored scores as of the date, or None when none are kept for it (then they are computed)."""
    today = timezone.localdate()
    if as_of == today:
        stale = partners.exclude(Exists(CurrentScore.objects.filter(library=OuterRef("pk"), as_of=today)))
        if stale.exists():  # yesterday's score may be stale without any write (growing targets, new schemes)
            kpi_refresh(libraries=Library.objects.filter(pk__in=stale.values("pk")), as_of=today)
        return CurrentScore.objects.filter(library__in=partners.values("pk"))
    if as_of.year == today.year and as_of == month_last(as_of):
        # Month-end scores of this year are rewritten with every record change (kpi receivers).
        scores = MonthScore.objects.filter(library__in=partners.values("pk"), month_end=as_of)
        missing = partners.exclude(Exists(MonthScore.objects.filter(library=OuterRef("pk"), month_end=as_of)))
        if not missing.exists():
            return scores
    return None


def _ranked(row: Any) -> RankedLibrary:
    library = row.library
    return RankedLibrary(
        library_id=library.pk,
        name=library.name,
        region_code=library.region_id,
        region_name=library.region.name,
        score=row.score,
        colour=row.colour,
    )


def _kpi(target: _Target, end: dt.date) -> _Kpi:
    as_of = _kpi_as_of(end, timezone.localdate())
    partners = _partner_qs(target, end)
    child = target.child_expr("library__") if target.child_length else F("library__region_id")
    scores = _stored_scores(as_of, partners)
    if scores is None:
        return _computed_kpi(target, as_of, partners)
    by_child: dict[str, dict[str, int]] = defaultdict(dict)
    for row in scores.annotate(child=child).order_by().values("child", "colour").annotate(n=Count("pk")):
        by_child[row["child"]][row["colour"]] = row["n"]
    listed = scores.select_related("library", "library__region")
    green_100 = listed.filter(colour=Colour.GREEN, score__gte=HUNDRED).order_by("library__region_id", "library__name")
    top = listed.filter(score__isnull=False).order_by("-score", "library__name", "library_id")[:RANKED]
    bottom = listed.filter(score__isnull=False).order_by("score", "library__name", "library_id")[:RANKED]
    return _Kpi(
        as_of=as_of,
        colours_by_child=dict(by_child),
        green_100=[_ranked(r) for r in green_100],
        top=[_ranked(r) for r in top],
        bottom=[_ranked(r) for r in bottom],
    )


def _computed_kpi(target: _Target, as_of: dt.date, partners: QuerySet[Library]) -> _Kpi:
    """Scores for a date no stored score covers (a past day): computed in a fixed number of queries."""
    results: dict[tuple[int, dt.date], Result] = kpi_compute(libraries=partners, dates=[as_of])
    libraries = list(partners.select_related("region").order_by("name", "pk"))
    length = target.child_length or 13
    by_child: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    scored: list[RankedLibrary] = []
    for library in libraries:
        result = results.get((library.pk, as_of))
        colour = result.colour if result else Colour.NONE
        by_child[library.region_id[:length]][colour] += 1
        score = result.score if result else None
        scored.append(RankedLibrary(library.pk, library.name, library.region_id, library.region.name, score, colour))
    assessed = [r for r in scored if r.score is not None]
    return _Kpi(
        as_of=as_of,
        colours_by_child={k: dict(v) for k, v in by_child.items()},
        green_100=sorted(
            (r for r in assessed if r.colour == Colour.GREEN and r.score is not None and r.score >= HUNDRED),
            key=lambda r: (r.region_code, r.name),
        ),
        top=sorted(assessed, key=lambda r: (-(r.score or 0), r.name, r.library_id))[:RANKED],
        bottom=sorted(assessed, key=lambda r: (r.score or 0, r.name, r.library_id))[:RANKED],
    )


def _colour_counts(colours: dict[str, int], partners: int) -> ColourCounts:
    green = colours.get(Colour.GREEN, 0)
    yellow = colours.get(Colour.YELLOW, 0)
    red = colours.get(Colour.RED, 0)
    return ColourCounts(hijau=green, kuning=yellow, merah=red, belum_dinilai=max(partners - green - yellow - red, 0))


# ------------------------------------------------------------------------------------------ figures


def _compute(
    region: RegionRef, start: dt.date, end: dt.date, *, children: bool
) -> tuple[RegionFigures, list[ChildRow]]:
    """The figures of a region and, when asked, of its child regions, sharing every query."""
    target = _Target(region)
    by_child = children and target.child_length is not None
    partner_rows = _partner_groups(target, end)
    cube = _cube(target, start, end, by_child)
    kpi = _kpi(target, end)
    partners = _partner_figures(partner_rows)
    totals = _rollup(cube, -1).get(None, {})
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
        participants=_people(totals, "pelibatan"),
        visitors=_people(totals, "pengunjung"),
        colours=_colour_counts(colours, partners.total),
        green_100=kpi.green_100,
        top=kpi.top,
        bottom=kpi.bottom,
        months=[
            MonthRecords(month=month, records=_record_counts(per_month.get(month, {})))
            for month in months_between(start, end)
        ],
    )
    if not by_child:
        return figures, []
    return figures, _child_rows(region, partner_rows, _rollup(cube, 0), kpi)


def _child_rows(
    region: RegionRef, partner_rows: list[dict[str, Any]], tallies: dict[Any, Tally], kpi: _Kpi
) -> list[ChildRow]:
    children = Region.objects.filter(parent_id=region.code).order_by("code").values_list("code", "name", "level")
    partners: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "none": 0})
    for row in partner_rows:
        partners[row["child"]]["n"] += row["n"]
        partners[row["child"]]["none"] += row["none"]
    refs = [RegionRef(code, name, level) for code, name, level in children]
    if region.code and (region.code in partners or region.code in tallies):
        refs.insert(0, RegionRef(region.code, region.name, region.level))
    rows = []
    for ref in refs:
        code = ref.query_code
        group = partners.get(code, {"n": 0, "none": 0})
        tally = tallies.get(code, {})
        rows.append(
            ChildRow(
                region=ref,
                partners=group["n"],
                without_account=group["none"],
                records=_record_counts(tally),
                participants=_people(tally, "pelibatan").total,
                colours=_colour_counts(kpi.colours_by_child.get(code, {}), group["n"]),
                is_parent_level=ref.code == region.code,
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
    *, scope: Scope, region_code: str | None, start: dt.date, end: dt.date, sort: str = "kode"
) -> tuple[RegionFigures, list[ChildRow]]:
    """The region's figures and its sorted child rows in one pass (what a dashboard page shows)."""
    region = region_for_user(scope=scope, region_code=region_code)
    figures, rows = _compute(region, start, end, children=True)
    return figures, child_rows_sorted(rows, sort)


def public_dashboard(
    *, region_code: str | None, start: dt.date, end: dt.date, sort: str = "kode"
) -> tuple[RegionFigures, list[ChildRow]]:
    """The public figures of any region and its child rows (no scope: aggregates and green-100 only)."""
    figures, rows = _compute(public_region(region_code=region_code), start, end, children=True)
    return figures, child_rows_sorted(rows, sort)


def child_rows_sorted(rows: list[ChildRow], sort: str) -> list[ChildRow]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in CHILD_SORT_KEYS:
        key, descending = "kode", False
    return sorted(rows, key=lambda r: (r.sort_value(key), r.region.query_code), reverse=descending)


def public_region_figures(*, region_code: str | None, start: dt.date, end: dt.date) -> RegionFigures:
    """The public figures of any region (no scope: aggregates and the public green-100 list only)."""
    return _compute(public_region(region_code=region_code), start, end, children=False)[0]


def most_active_libraries(
    *, scope: Scope, region_code: str | None, start: dt.date, end: dt.date, limit: int = 10
) -> list[ActiveLibrary]:
    """The libraries with the most counted dated records (engagement, advocacy, publicity) in the period.

    Reads the records themselves (the summary is per kabupaten, not per library): one GROUP BY per type.
    """
    target = _Target(region_for_user(scope=scope, region_code=region_code))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for record_type, model in DATED.items():
        rows = (
            model.objects.filter(target.library_q("library__"), COUNTED, date__range=(start, end))
            .order_by()
            .values("library_id")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            counts[row["library_id"]][record_type] = row["n"]
    best = sorted(counts.items(), key=lambda item: -sum(item[1].values()))[: limit * 3]
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


def region_stats(*, region_code: str | None, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The public figures of a region and period as the `/api/v1/stats` JSON (no personal data)."""
    figures = public_region_figures(region_code=region_code, start=start, end=end)
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
    }


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
