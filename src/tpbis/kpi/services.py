"""Computing and storing KPI scores for sets of libraries."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, RowNumber
from django.forms import BaseInlineFormSet, ModelForm
from django.utils import timezone, translation
from django.utils.translation import gettext

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot, decimal_text
from tpbis.kpi.engine import Facts, Result, SchemeSpec, facts_key, score
from tpbis.kpi.facts import (
    DATED,
    UNCOUNTED,
    Cell,
    FiguresScorer,
    Key,
    cells_from_records,
    cells_from_rows,
    cells_of_rows,
    cells_stored,
    cells_write,
    digest_row,
    facts_of,
    figures_through,
    gather_facts,
    latest_figures,
    month_first,
    rows_digest,
    upsert,
    year_digests_stored,
    year_rows_stored,
)
from tpbis.kpi.models import (
    Colour,
    Component,
    CurrentScore,
    DayScore,
    FactsBuilt,
    MonthFacts,
    MonthScore,
    Scheme,
    ScoredYear,
)
from tpbis.kpi.notices import notify_colour_changes, notify_scheme_new
from tpbis.libraries.models import Library, LibraryKind
from tpbis.reports.models import Status

SCHEME_AUDITED = ("name", "effective_from", "effective_until", "green_above", "yellow_above", "is_active", "notes")


def schemes_load() -> list[SchemeSpec]:
    """Every active scheme with its components, newest effective date first (one query: a scheme joined
    with its components, since every record write reads them)."""
    scheme_fields = [f.attname for f in Scheme._meta.concrete_fields]
    component_fields = [f.attname for f in Component._meta.concrete_fields if f.attname != "scheme_id"]
    rows = Scheme.objects.filter(is_active=True).values_list(
        *scheme_fields, *(f"components__{name}" for name in component_fields)
    )
    schemes: dict[int, Scheme] = {}
    components: dict[int, list[Component]] = {}
    for row in rows:
        scheme_values = dict(zip(scheme_fields, row[: len(scheme_fields)], strict=True))
        scheme = schemes.setdefault(scheme_values["id"], Scheme(**scheme_values))
        component_values = dict(zip(component_fields, row[len(scheme_fields) :], strict=True))
        parts = components.setdefault(scheme.pk, [])
        if component_values["id"] is not None:
            parts.append(Component(scheme_id=scheme.pk, **component_values))
    specs = [SchemeSpec.from_model(scheme, components[pk]) for pk, scheme in schemes.items()]
    return sorted(specs, key=lambda s: (s.effective_from, s.id or 0), reverse=True)


def scheme_for(schemes: Sequence[SchemeSpec], *, date: dt.date, kind: str) -> SchemeSpec | None:
    """The scheme in effect on the date for the library kind; before the first one, the earliest.

    A scheme with an end date (the real SIM's "Januari–Juni 2026" rule) gives way after it to the newest
    scheme still in effect.
    """
    applicable = [s for s in schemes if s.applies_to(kind)]
    if not applicable:
        return None
    started = [s for s in applicable if s.in_effect_on(date)]
    # Among schemes of the same date the one created last wins; a draft being previewed (no id,
    # or -1) counts as the newest.
    if started:
        return max(started, key=lambda s: (s.effective_from, s.id if s.id is not None and s.id > 0 else 10**12))
    return min(applicable, key=lambda s: s.effective_from)


def kpi_compute(
    *, libraries: QuerySet[Library], dates: Sequence[dt.date], schemes: Sequence[SchemeSpec] | None = None
) -> dict[tuple[int, dt.date], Result]:
    """Score every library on every date (dates may span years: one aggregation pass per year)."""
    schemes = schemes_load() if schemes is None else schemes
    kinds = dict(libraries.order_by().values_list("pk", "kind"))
    results: dict[tuple[int, dt.date], Result] = {}
    by_year: dict[int, list[dt.date]] = {}
    for date in sorted(set(dates)):
        by_year.setdefault(date.year, []).append(date)
    # A short list of ids lets the database use the library index; a whole region stays a subquery.
    ids: Any = list(kinds) if len(kinds) <= 500 else libraries.order_by().values("pk")
    memo: dict[tuple[object, ...], Result] = {}
    empty = Facts()
    for year_dates in by_year.values():
        facts = gather_facts(libraries=ids, dates=year_dates)
        for library_id, kind in kinds.items():
            per_date = facts.get(library_id, {})
            for date in year_dates:
                scheme = scheme_for(schemes, date=date, kind=kind)
                if scheme is None:
                    continue
                library_facts = per_date.get(date, empty)
                key = (scheme.id, date, facts_key(library_facts))
                if key not in memo:
                    memo[key] = score(facts=library_facts, scheme=scheme, as_of=date)
                results[(library_id, date)] = memo[key]
    return results


def current_scores_fresh(today: dt.date, prefix: str = "") -> Q:
    """Stored current scores that are still right today: computed this month and not before the newest
    scheme that has taken effect.

    Within a month nothing but a write changes a score: records cannot be dated after the day they are
    entered, every write rescores its library in the same transaction, and targets grow by month. So a
    score from the 3rd is today's score, and the first page of the day does not rescore the nation.
    """
    newest_scheme = (
        Scheme.objects.filter(is_active=True, effective_from__lte=today)
        .order_by("-effective_from")
        .values("effective_from")[:1]
    )
    # A scheme that ended changes the scores the day after its end, as a new scheme would.
    newest_end = (
        Scheme.objects.filter(is_active=True, effective_until__lt=today)
        .order_by("-effective_until")
        .values("effective_until")[:1]
    )
    since = Coalesce(Subquery(newest_scheme), Value(dt.date.min), output_field=DateField())
    ended = Coalesce(Subquery(newest_end), Value(dt.date.min), output_field=DateField())
    return (
        Q(**{f"{prefix}as_of__gte": today.replace(day=1)})
        & Q(**{f"{prefix}as_of__gte": since})
        & Q(**{f"{prefix}as_of__gt": ended})
    )


def kpi_refresh_stale(*, libraries: QuerySet[Library], today: dt.date | None = None) -> None:
    """Rescore the libraries whose stored current score is missing or no longer fresh today."""
    today = today or timezone.localdate()
    fresh = CurrentScore.objects.filter(current_scores_fresh(today), library=OuterRef("pk"))
    stale = libraries.exclude(Exists(fresh))
    if stale.exists():
        kpi_refresh(libraries=Library.objects.filter(pk__in=stale.values("pk")), as_of=today)


def month_ends(as_of: dt.date) -> list[dt.date]:
    """Month ends of the as-of year that have passed."""
    ends = []
    for month in range(1, as_of.month):
        ends.append(dt.date(as_of.year, month, calendar.monthrange(as_of.year, month)[1]))
    return ends


def kpi_refresh(
    *, libraries: QuerySet[Library] | None = None, as_of: dt.date | None = None, months: bool = True
) -> Counter[str]:
    """Recompute and store current (and this year's month-end) scores; returns the colour counts of current
    scores. Once the month facts are built, today's scores come from them (a January refresh also
    closes last December)."""
    today = timezone.localdate()
    if (as_of is None or as_of == today) and months and facts_built():
        since = today.year - 1 if today.month == 1 else today.year
        return kpi_rebuild(libraries=libraries, today=today, since=since).colours
    as_of = as_of or today
    libraries = Library.objects.all() if libraries is None else libraries
    dates = [as_of, *(month_ends(as_of) if months else [])]
    results = kpi_compute(libraries=libraries, dates=dates)
    current = {
        library_id: result
        for (library_id, date), result in results.items()
        if date == as_of and result.scheme_id is not None  # drafts being previewed are never stored
    }
    _store_current_scores(current, as_of)
    if months:
        _store_month_scores(results, as_of)
    return Counter(result.colour for result in current.values())


def _store_current_scores(
    current: dict[int, Result], as_of: dt.date, stored: dict[int, tuple[str, str, dt.date]] | None = None
) -> int:
    """Upsert only scores that changed; for the rest one UPDATE moves their date forward. `stored`
    (signature, colour, as_of per library, already read by the caller) saves reading them again.
    Returns the number of scores written."""
    if stored is None:
        stored = {
            library_id: (signature, colour, stored_as_of)
            for library_id, signature, colour, stored_as_of in CurrentScore.objects.filter(
                library_id__in=list(current)
            ).values_list("library_id", "signature", "colour", "as_of")
        }
    signature_of: dict[int, str] = {}  # results are shared between libraries with equal facts
    changed: list[CurrentScore] = []
    unchanged: list[int] = []
    for library_id, result in current.items():
        assert result.scheme_id is not None
        signature = signature_of.get(id(result)) or signature_of.setdefault(id(result), result.signature())
        before = stored.get(library_id)
        # The signature leaves the colour out: a scheme's new thresholds change only the colour.
        if before is not None and before[0] == signature and before[1] == result.colour:
            if before[2] != as_of:
                unchanged.append(library_id)
            continue
        changed.append(
            CurrentScore(
                library_id=library_id,
                as_of=as_of,
                scheme_id=result.scheme_id,
                score=result.score,
                colour=result.colour,
                parts=result.parts_json(),
                signature=signature,
            )
        )
    if changed:
        CurrentScore.objects.bulk_create(
            changed,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["library"],
            update_fields=["as_of", "scheme", "score", "colour", "parts", "signature", "computed_at"],
        )
    # A library scored for the first time has no colour to change from: only moves are news.
    notify_colour_changes(
        changes=[(s.library_id, stored[s.library_id][1], s.colour) for s in changed if s.library_id in stored],
        as_of=as_of,
    )
    for start in range(0, len(unchanged), 5000):
        CurrentScore.objects.filter(library_id__in=unchanged[start : start + 5000]).exclude(as_of=as_of).update(
            as_of=as_of
        )
    return len(changed)


def _store_month_scores(results: dict[tuple[int, dt.date], Result], as_of: dt.date) -> None:
    rows = [
        MonthScore(library_id=library_id, month_end=date, score=result.score, colour=result.colour)
        for (library_id, date), result in results.items()
        if date != as_of
    ]
    MonthScore.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["library", "month_end"],
        update_fields=["score", "colour"],
    )


def colour_counts_text(counts: Counter[str] | dict[str, Any]) -> str:
    return ", ".join(
        f"{counts.get(colour, 0)} {label}"
        for colour, label in (
            (Colour.GREEN, "hijau"),
            (Colour.YELLOW, "kuning"),
            (Colour.RED, "merah"),
            (Colour.NONE, "belum dinilai"),
        )
    )


def _scheme_snapshot(scheme: Scheme) -> dict[str, Any]:
    """The scheme as a person reads it: its settings, the kinds it applies to and one line per component."""
    snapshot = audit_snapshot(scheme, SCHEME_AUDITED)
    with translation.override("id"):
        kinds = dict(LibraryKind.choices)
        snapshot["library_kinds"] = [str(kinds.get(k, k)) for k in scheme.library_kinds or []] or gettext("semua jenis")
        snapshot["components"] = [_component_text(c) for c in scheme.components.order_by("position", "pk")]
    return snapshot


def _component_text(component: Component) -> str:
    cap = f" · batas {decimal_text(component.cap)}" if component.cap is not None else ""
    return (
        f"{component.label} ({component.get_record_type_display()} · {component.get_measure_display()}) "
        f"target {decimal_text(component.target)} · bobot {decimal_text(component.weight)}{cap}"
    )


def _rescore_for_schemes() -> None:
    """After a scheme change: today's and this year's scores in the request (what people see and are
    told about); every earlier year's month ends in a background task once the change is committed.

    Past years are history read only by dashboards of past periods, and rescoring them all takes seconds
    on the national set: the person saving the scheme should not wait for it, and the task writes only
    the month scores the new scheme really moves.
    """
    kpi_refresh()
    day_scores_drop()  # a day of any year may be scored by the scheme changed
    if facts_built():
        from tpbis.kpi.tasks import kpi_rescore_task

        transaction.on_commit(lambda: kpi_rescore_task.enqueue())


def scheme_save(*, form: ModelForm[Scheme], formset: BaseInlineFormSet[Any, Any, Any], actor: User) -> Scheme:
    """Save a new or edited scheme with its components, audit it, and rescore every library at once."""
    existing = form.instance.pk is not None
    before = _scheme_snapshot(Scheme.objects.get(pk=form.instance.pk)) if existing else {}
    with transaction.atomic():
        scheme = form.save(commit=False)
        if scheme.created_by_id is None:
            scheme.created_by = actor
        scheme.save()
        formset.instance = scheme
        formset.save()
        changes = audit_diff(before, _scheme_snapshot(scheme))
        if changes or not existing:
            action = AuditAction.SCHEME_UPDATE if existing else AuditAction.SCHEME_CREATE
            audit_change(actor=actor, action=action, target=scheme, changes=changes)
        _rescore_for_schemes()
        if scheme.is_active and not existing:
            notify_scheme_new(scheme=scheme)
    return scheme


def scheme_set_active(*, scheme: Scheme, active: bool, actor: User) -> None:
    """Put a scheme in force (or take it out) and rescore; the change is audited."""
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        if locked.is_active == active:
            return
        before = audit_snapshot(locked, ["is_active"])
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        scheme.is_active = active
        action = AuditAction.SCHEME_ACTIVATE if active else AuditAction.DEACTIVATE
        audit_change(
            actor=actor, action=action, target=locked, changes=audit_diff(before, audit_snapshot(locked, ["is_active"]))
        )
        _rescore_for_schemes()
        if active:
            notify_scheme_new(scheme=locked)


# --- Stored facts for every period ----------------------------------------------------------------------
#
# MonthFacts holds what each library reported in each month; a month-end score is the year's cells
# cumulated up to that month, so every month end of every year is scored from a small table, and a write
# recounts only the months it touched and rescores only the month ends from there to December.


def facts_built() -> bool:
    """Whether `kpi_recompute` has built every library's month facts (until then a past day is scored
    from the record tables)."""
    return FactsBuilt.objects.exists()


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def passed_months(year: int, today: dt.date) -> range:
    """Months of the year whose end has passed (their score no longer moves with time)."""
    if year < today.year:
        return range(1, 13)
    if year == today.year:
        return range(1, today.month)
    return range(1, 1)


@dataclass
class RebuildStats:
    libraries: int = 0
    facts_written: int = 0
    facts_deleted: int = 0
    years_rescored: int = 0
    scores_written: int = 0
    scores_unchanged: int = 0
    current_written: int = 0
    colours: Counter[str] = field(default_factory=Counter)


YearCells = dict[dt.date, Cell]


def _cells_by_library_year(cells: dict[Key, Cell]) -> dict[int, dict[int, YearCells]]:
    by_library: dict[int, dict[int, YearCells]] = defaultdict(lambda: defaultdict(dict))
    for (library_id, month), cell in cells.items():
        by_library[library_id][month.year][month] = cell
    return by_library


class _Scoring:
    """Scoring many month ends: schemes looked up once per kind and date, month ends of a year worked
    out once, and years with no facts at all (before a library's first report) answered without scoring."""

    def __init__(self, schemes: Sequence[SchemeSpec], today: dt.date) -> None:
        self.schemes = schemes
        self.today = today
        self._scorers: dict[tuple[int, dt.date], FiguresScorer] = {}
        self._schemes: dict[tuple[str, dt.date], SchemeSpec | None] = {}
        self._ends: dict[int, list[tuple[int, dt.date]]] = {}
        self._counts: dict[tuple[str, int], int] = {}
        kinds = sorted(LibraryKind.values)
        self.kind_index = {kind: position for position, kind in enumerate(kinds)}
        text = repr([(s.id, s.effective_from, s.effective_until, s.kinds, s.green_above, s.yellow_above, s.components)
                     for s in schemes])  # fmt: skip
        self.schemes_digest = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)

    def scheme(self, kind: str, date: dt.date) -> SchemeSpec | None:
        key = (kind, date)
        if key not in self._schemes:
            self._schemes[key] = scheme_for(self.schemes, date=date, kind=kind)
        return self._schemes[key]

    def ends(self, year: int) -> list[tuple[int, dt.date]]:
        if year not in self._ends:
            self._ends[year] = [(m, month_end(year, m)) for m in passed_months(year, self.today)]
        return self._ends[year]

    def digest(self, cells_digest: int, kind: str, year: int) -> int:
        """What the year's month-end scores (and, this year, the current score) depend on, as a stable
        64-bit number: the year's cells (`rows_digest`), the kind, the schemes and the month ends passed.
        Only ints are hashed: their hash does not vary by process."""
        current = self.scheme(kind, self.today) if year == self.today.year else None
        current_id = current.id if current is not None and current.id is not None else 0
        return hash((self.kind_index.get(kind, -1), self.schemes_digest, year, len(self.ends(year)), current_id,
                     cells_digest))  # fmt: skip

    def scored_count(self, kind: str, year: int) -> int:
        key = (kind, year)
        if key not in self._counts:
            self._counts[key] = sum(1 for _m, date in self.ends(year) if self.scheme(kind, date) is not None)
        return self._counts[key]

    def month_scores(self, cells: YearCells, kind: str, year: int) -> Iterator[tuple[dt.date, Decimal | None, str]]:
        """(month end, score, colour) of every passed month end of the year, from the library's cells."""
        ends = self.ends(year)
        if not cells:
            for _month, date in ends:
                if self.scheme(kind, date) is not None:
                    yield date, None, Colour.NONE
            return
        figures_by_month = dict(figures_through(cells, year))
        for month, date in ends:
            scheme = self.scheme(kind, date)
            if scheme is not None:
                yield (date, *self.scorer(scheme, date)(*figures_by_month[month]))

    def scorer(self, scheme: SchemeSpec, date: dt.date) -> FiguresScorer:
        key = (id(scheme), date)  # the schemes live as long as this object
        if key not in self._scorers:
            self._scorers[key] = FiguresScorer(scheme, date)
        return self._scorers[key]


def _current_facts(cells: YearCells, today: dt.date) -> Facts:
    """Facts as of today: the year's cells up to this month (nothing is dated after the day it is entered)."""
    for month, figures in figures_through(cells, today.year):
        if month == today.month:
            return facts_of(*figures)
    return Facts()


# A whole recount from the records works through the libraries this many ids at a time, so its memory stays
# that of one part: 83,762 libraries at once held 5.5 million month scores (2.9 GB).
REBUILD_PART = 10_000


def kpi_rebuild(
    *,
    libraries: QuerySet[Library] | None = None,
    from_records: bool = False,
    today: dt.date | None = None,
    since: int | None = None,
) -> RebuildStats:
    """Score every passed month end of every year of each library (from its cohort year, or the first
    year it has facts in, to this year) and its current score, writing only rows that change.

    Every library recounted from the records (`libraries` None, `from_records`) is done in parts of
    `REBUILD_PART` consecutive ids, each part as the whole would do it, so memory is bounded by a part.
    See `_kpi_rebuild_part` for the rest.
    """
    if libraries is not None:
        return _kpi_rebuild_part(libraries=libraries, from_records=from_records, today=today, since=since)
    bounds = Library.objects.aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"], bounds["high"]
    # Only a recount from the records holds every library's cells at once; a rebuild from the stored digests
    # (an unchanged `kpi_recompute`) reads one digest per library-year and is faster in one pass (10.6 s
    # against 126 s in parts for 83,762 libraries, at 1.0 GB).
    if low is None or high - low < REBUILD_PART or not from_records:
        return _kpi_rebuild_part(libraries=None, from_records=from_records, today=today, since=since)
    total = RebuildStats()
    for start in range(low, high + 1, REBUILD_PART):
        part = Library.objects.filter(pk__gte=start, pk__lt=start + REBUILD_PART)
        stats = _kpi_rebuild_part(libraries=part, from_records=from_records, today=today, since=since, part=True)
        for name in ("libraries", "facts_written", "facts_deleted", "years_rescored", "scores_written"):
            setattr(total, name, getattr(total, name) + getattr(stats, name))
        total.scores_unchanged += stats.scores_unchanged
        total.current_written += stats.current_written
    if from_records:
        FactsBuilt.objects.update_or_create(pk=1)
    total.colours = Counter(
        dict(CurrentScore.objects.order_by().values("colour").annotate(n=Count("pk")).values_list("colour", "n"))
    )
    return total


def _kpi_rebuild_part(
    *,
    libraries: QuerySet[Library] | None,
    from_records: bool,
    today: dt.date | None,
    since: int | None,
    part: bool = False,
) -> RebuildStats:
    """Score every passed month end of every year of each library (from its cohort year, or the first
    year it has facts in, to this year) and its current score, writing only rows that change.

    `part`: these libraries are one part of a whole rebuild; they are treated as the whole would treat
    them (only moved years rescored, no forced current score), and the caller marks the facts built.

    With `from_records` the month facts are first recounted from the record tables (writing only the
    cells that differ) and every year is rescored and compared. Otherwise the stored facts are trusted
    and only the library-years whose digest (facts, kind, schemes, month ends passed) moved since the
    last run are rescored. `since` limits the years to that year and later. Colour-change notices are
    only sent for current scores.
    """
    today = today or timezone.localdate()
    whole = libraries is None
    libraries = Library.objects.all() if libraries is None else libraries
    # A part's ids as a list: the record tables are then read through their library index, one part's
    # rows at a time, instead of a join that may scan every record for each part.
    ids: Any = list(libraries.order_by().values_list("pk", flat=True)) if part else libraries.order_by().values("pk")
    # Forced: asked for these libraries (a stale current score, a region), not the whole or a part of it.
    forced = not whole and not part
    stats = RebuildStats()
    where = Q() if whole else Q(library_id__in=ids)
    if from_records:
        fresh = cells_from_records(libraries=None if whole else ids)
        stored = cells_stored(where)
        stats.facts_written, stats.facts_deleted = cells_write(new=fresh, stored=stored, keys=set(fresh) | set(stored))
        if whole:
            FactsBuilt.objects.update_or_create(pk=1)
        year_rows: dict[tuple[int, int], list[tuple[Any, ...]]] | None = defaultdict(list)
        for (library_id, month), cell in sorted(fresh.items()):
            year_rows[(library_id, month.year)].append(digest_row(month.month, cell))  # type: ignore[index]
        cell_digests = {key: rows_digest(rows) for key, rows in year_rows.items()}  # type: ignore[union-attr]
    else:
        cell_where = where & Q(month__gte=dt.date(since, 1, 1)) if since is not None else where
        cell_digests = year_digests_stored(cell_where)
        year_rows = None  # read below for the library-years that moved only
    scoring = _Scoring(schemes_load(), today)
    kinds = {pk: kind for pk, kind, _cohort in libraries.order_by().values_list("pk", "kind", "cohort_year")}
    # Each library's first scored year: its cohort year, or an earlier year it has facts or scores in.
    first = dict(libraries.order_by().values_list("pk", "cohort_year"))
    digest_where = where & Q(year__gte=since) if since is not None else where
    digests = {(lib, year): d for lib, year, d in ScoredYear.objects.filter(digest_where).values_list(
        "library_id", "year", "digest")}  # fmt: skip
    for library_id, year in [*cell_digests, *digests]:
        if library_id in first and year < first[library_id]:
            first[library_id] = year
    stored_digests = digests
    if from_records:
        digests = {}  # recounted from the records: every year is rescored and compared
    stats.libraries = len(kinds)
    moved: dict[tuple[int, int], int] = {}
    empty_digest = rows_digest(())
    for library_id, kind in kinds.items():
        for year in range(max(min(first.get(library_id, today.year), today.year), since or 0), today.year + 1):
            digest = scoring.digest(cell_digests.get((library_id, year), empty_digest), kind, year)
            if digests.get((library_id, year)) == digest:
                stats.scores_unchanged += scoring.scored_count(kind, year)
            else:
                moved[(library_id, year)] = digest
    if year_rows is None:
        moved_libraries = sorted({library_id for library_id, _year in moved} | (set(kinds) if forced else set()))
        if len(moved_libraries) <= 2000:
            year_rows = year_rows_stored(cell_where & Q(library_id__in=moved_libraries)) if moved_libraries else {}
        else:
            year_rows = year_rows_stored(cell_where)
    computed: dict[tuple[int, dt.date], tuple[Decimal | None, str]] = {}
    current: dict[int, Result] = {}
    memo: dict[tuple[object, ...], Result] = {}
    no_rows: list[tuple[Any, ...]] = []
    for library_id, year in moved:
        kind = kinds[library_id]
        year_cells = cells_of_rows(year, year_rows.get((library_id, year), no_rows))
        for date, score_value, colour in scoring.month_scores(year_cells, kind, year):
            computed[(library_id, date)] = (score_value, colour)
        scheme = scoring.scheme(kind, today)
        if year == today.year and scheme is not None and scheme.id is not None:
            facts = _current_facts(year_cells, today)
            key = (scheme.id, facts_key(facts))
            if key not in memo:
                memo[key] = score(facts=facts, scheme=scheme, as_of=today)
            current[library_id] = memo[key]
    if forced:
        # Asked for these libraries (a stale current score, a region): their current score in any case,
        # so that its date moves forward even when nothing it is computed from moved.
        for library_id, kind in kinds.items():
            scheme = scoring.scheme(kind, today)
            if library_id in current or scheme is None or scheme.id is None:
                continue
            facts = _current_facts(cells_of_rows(today.year, year_rows.get((library_id, today.year), no_rows)), today)
            key = (scheme.id, facts_key(facts))
            if key not in memo:
                memo[key] = score(facts=facts, scheme=scheme, as_of=today)
            current[library_id] = memo[key]
    stats.years_rescored = len(moved)
    moved_libraries = sorted({library_id for library_id, _year in moved})
    # A moved library-year (its facts, kind or the schemes; or only a month end passed) drops its stored
    # days: more than can be named in one statement, then every day of those years in the scope.
    moved_years = {year for _library_id, year in moved}
    if moved_years:
        day_scores_drop(library_ids=moved_libraries if len(moved_libraries) <= 2000 else (None if whole else ids),
                        years=moved_years)  # fmt: skip
    scope = moved_libraries if len(moved_libraries) <= 5000 else (None if whole else ids)
    written, unchanged = _month_scores_sync(computed, scope, since)
    stats.scores_written = written
    stats.scores_unchanged += unchanged
    stats.current_written = _store_current_scores(current, today)
    upsert(ScoredYear._meta.db_table, ["library_id", "year", "digest"], ["library_id", "year"],
           [(lib, year, digest) for (lib, year), digest in moved.items()
            if stored_digests.get((lib, year)) != digest])  # fmt: skip
    stats.colours = Counter(
        dict(
            CurrentScore.objects.filter(where)
            .order_by()
            .values("colour")
            .annotate(n=Count("pk"))
            .values_list("colour", "n")
        )
    )
    return stats


def _month_scores_sync(
    computed: dict[tuple[int, dt.date], tuple[Decimal | None, str]], ids: Any, since: int | None
) -> tuple[int, int]:
    """Write the month scores that differ from the stored ones; returns (written, unchanged)."""
    if not computed:
        return 0, 0
    changed = []
    where = Q() if ids is None else Q(library_id__in=ids)
    if since is not None:
        where &= Q(month_end__gte=dt.date(since, 1, 1))
    stored = MonthScore.objects.filter(where).values_list("library_id", "month_end", "score", "colour")
    seen = {}
    for library_id, date, score_value, colour in stored.iterator(chunk_size=20000):
        seen[(library_id, date)] = (score_value, colour)
    for key, value in computed.items():
        if seen.get(key) != value:
            changed.append((*key, *value))
    upsert(MonthScore._meta.db_table, ["library_id", "month_end", "score", "colour"], ["library_id", "month_end"],
           changed)  # fmt: skip
    return len(changed), len(computed) - len(changed)


def _month_scores_upsert(rows: list[tuple[int, dt.date, Decimal | None, str]]) -> None:
    """Insert or correct a few month scores in one statement; a row whose score and colour are already
    right is left alone (no dead row on PostgreSQL)."""
    upsert(MonthScore._meta.db_table, ["library_id", "month_end", "score", "colour"], ["library_id", "month_end"],
           rows, only_changed=True)  # fmt: skip


def kpi_apply(*, library_ids: set[int], months: dict[int, set[dt.date]] | None, today: dt.date | None = None) -> None:
    """After a write: recount the touched month facts, rescore the month ends from each touched month to
    December of its year (those passed) and, for a write in this year, the current score.

    `months` gives, per library, the first days of the months whose records changed; a library missing
    from it (or None) is recounted whole. Before the facts are built, the library is rescored from its
    records as it always was.
    """
    today = today or timezone.localdate()
    rows = list(
        # Takes the stored days' lock (PostgreSQL) in this read: their DELETE below is then exact.
        Library.objects.filter(day_scores_lock_q(), pk__in=sorted(library_ids))
        .annotate(built=Exists(FactsBuilt.objects.all()))
        .values_list(
            "pk",
            "kind",
            "cohort_year",
            "built",
            "current_score__signature",
            "current_score__colour",
            "current_score__as_of",
        )
    )
    if not rows:
        return
    day_scores_drop_written(library_ids=library_ids, months=months, locked=True)
    months = months or {}
    if not rows[0][3]:
        kpi_refresh(libraries=Library.objects.filter(pk__in=[row[0] for row in rows]), as_of=today)
        return
    # An empty set: no month of that library changed. Missing: every month may have.
    partial = {row[0]: {month_first(m) for m in months[row[0]]} for row in rows if row[0] in months}
    whole = [row[0] for row in rows if row[0] not in months]
    years: dict[int, set[int]] = {}
    where = Q()
    for library_id, _kind, cohort_year, _built, signature, _colour, as_of in rows:
        if library_id in partial:
            touched = {m.year for m in partial[library_id]}
            # A write before the cohort year starts the library's scored years there.
            touched |= set(range(min(touched, default=cohort_year), cohort_year))
            if signature is None or (as_of is not None and as_of < today.replace(day=1)):
                touched.add(today.year)  # never scored, or scored in an earlier month: its current score too
            touched = {y for y in touched if y <= today.year}
            years[library_id] = touched
            if touched:
                where |= Q(
                    library_id=library_id,
                    month__gte=dt.date(min(touched), 1, 1),
                    month__lte=dt.date(max(touched), 12, 1),
                )
        else:
            where |= Q(library_id=library_id)
    stored = cells_stored(where) if where else {}
    fresh: dict[Key, Cell] = {}
    keys: set[Key] = set()
    if any(partial.values()):
        fresh |= cells_from_rows({library_id: firsts for library_id, firsts in partial.items() if firsts})
        keys |= {(library_id, m) for library_id, firsts in partial.items() for m in firsts}
    if whole:
        fresh |= cells_from_records(libraries=whole)
        keys |= {key for key in stored if key[0] in whole} | {key for key in fresh if key[0] in whole}
    cells_write(new=fresh, stored=stored, keys=keys)
    merged = {key: cell for key, (_pk, cell) in stored.items() if key not in keys} | {
        key: cell for key, cell in fresh.items() if key in keys
    }
    cells = _cells_by_library_year(merged)
    for library_id in whole:
        first_year = min([m.year for _l, m in merged if _l == library_id] + [today.year])
        cohort = next(row[2] for row in rows if row[0] == library_id)
        years[library_id] = set(range(min(first_year, cohort), today.year + 1))
    scoring = _Scoring(schemes_load(), today)
    month_rows: list[tuple[int, dt.date, Decimal | None, str]] = []
    current: dict[int, Result] = {}
    stored_current = {}
    no_years: dict[int, YearCells] = {}
    for library_id, kind, _cohort, _built, signature, colour, as_of in rows:
        library_cells = cells.get(library_id, no_years)
        for year in sorted(years.get(library_id, ())):
            for date, score_value, colour_value in scoring.month_scores(library_cells.get(year, {}), kind, year):
                month_rows.append((library_id, date, score_value, colour_value))
        if today.year in years.get(library_id, ()):
            scheme = scoring.scheme(kind, today)
            if scheme is not None and scheme.id is not None:
                facts = _current_facts(library_cells.get(today.year, {}), today)
                current[library_id] = score(facts=facts, scheme=scheme, as_of=today)
                if signature is not None:
                    stored_current[library_id] = (signature, colour, as_of)
    _month_scores_upsert(month_rows)
    _store_current_scores(current, today, stored=stored_current)


def _raw_rows(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """A values_list query's rows as the driver gives them, without Django's converter per value: the
    country's day reads 125,000 rows of whole numbers, whose conversion alone cost a third of a second."""
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def kpi_scores_at(
    *, libraries: QuerySet[Library], date: dt.date, schemes: Sequence[SchemeSpec] | None = None
) -> dict[int, tuple[Decimal | None, str]]:
    """Score and colour of each library on any past day, from the stored month facts: the year's months
    before the day's month summed in the database, plus, when the day is not a month end, that month's
    dated records up to the day (a date range on the record tables; monthly reports of the month count
    whole, as they always have). A library no scheme applies to is left out.

    Needs the facts built (`facts_built`); a few queries whatever the number of libraries.
    """
    schemes = schemes_load() if schemes is None else schemes
    kinds = dict(libraries.order_by().values_list("pk", "kind"))
    ids: Any = list(kinds) if len(kinds) <= 500 else libraries.order_by().values("pk")
    this_month = month_first(date)
    whole_month = date == month_end(date.year, date.month)
    cells = MonthFacts.objects.filter(library_id__in=ids, month__gte=dt.date(date.year, 1, 1), month__lte=this_month)
    dated = None if whole_month else Q(month__lt=this_month)
    sums = {
        row[0]: row[1:]
        for row in _raw_rows(
            cells.order_by()
            .values("library_id")
            .annotate(
                e=Sum("engagement", filter=dated),
                a=Sum("advocacy", filter=dated),
                p=Sum("publicity", filter=dated),
                i=Count("pk", filter=Q(information=True)),
                v=Count("pk", filter=Q(visitors=True)),
                da=Count("pk", filter=Q(dated_any=True, **({"month__lt": this_month} if not whole_month else {}))),
                ma=Count("pk", filter=Q(monthly_any=True)),
            )
            .values_list("library_id", "e", "a", "p", "i", "v", "da", "ma")
        )
    }
    latest = {
        row[0]: latest_figures(row[1:])
        for row in _raw_rows(
            cells.filter(information=True)
            .annotate(rank=Window(RowNumber(), partition_by=[F("library_id")], order_by=[F("month").desc()]))
            .filter(rank=1)
            .values_list("library_id", "books", "digital_books", "computers", "bandwidth")
        )
    }
    partial: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # engagement, advocacy, publicity, any
    if not whole_month:
        for position, (_record_type, model) in enumerate(DATED.items()):
            known = Q(date_unknown=False) if hasattr(model, "date_unknown") else Q()
            rows = _raw_rows(
                model.objects.filter(library_id__in=ids, date__gte=this_month, date__lte=date)
                .exclude(status__in=UNCOUNTED)
                .order_by()
                .values("library_id")
                .annotate(n=Count("pk", filter=Q(status=Status.VERIFIED) & known), a=Count("pk"))
                .values_list("library_id", "n", "a")
            )
            for library_id, n, a in rows:
                partial[library_id][position] += n
                partial[library_id][3] += a
    nothing = (0, 0, 0, 0, 0, 0, 0)
    no_extra = (0, 0, 0, 0)
    scores: dict[int, tuple[Decimal | None, str]] = {}
    scheme_of = {kind: scheme_for(schemes, date=date, kind=kind) for kind in set(kinds.values())}
    scorer_of = {kind: FiguresScorer(scheme, date) for kind, scheme in scheme_of.items() if scheme is not None}
    # Libraries with the same figures under the same kind score the same: each such set is scored once
    # (a third to a half of a country's partners share theirs with another).
    by_figures: dict[tuple[Any, ...], tuple[Decimal | None, str]] = {}
    for library_id, kind in kinds.items():
        scorer = scorer_of.get(kind)
        if scorer is None:
            continue
        e, a, p, i, v, da, ma = sums.get(library_id, nothing)
        extra = partial.get(library_id, no_extra)
        figures = (
            kind,
            (e or 0) + extra[0],
            (a or 0) + extra[1],
            (p or 0) + extra[2],
            i,
            v,
            bool(da or ma or extra[3]),
            latest.get(library_id),
        )
        result = by_figures.get(figures)
        if result is None:
            result = by_figures[figures] = scorer(*figures[1:])
        scores[library_id] = result
    return scores


# --- Stored scores of past days that are not month ends ----------------------------------------------------
#
# A day's score depends only on the records of its year up to that day (month facts of the months before
# it, its month's monthly reports and dated records up to the day), the library's kind and the schemes:
# so a record change drops the library's days from the first touched month to the end of that year and a
# scheme change drops every day; a row scored as another kind than the library's now is not read (an edit
# or an import changed it) and is replaced. The table keeps the days most recently stored into, at most
# DAYS_KEPT of them: a new day's first request drops the rows of older ones.

DAYS_KEPT = 12
DAY_ANALYZE_ROWS = 10_000  # a day stored for this many libraries or more refreshes the table's statistics
# On PostgreSQL every write that drops stored days holds this advisory lock shared until it commits, and a
# first request stores a day only while holding it alone (or not at all). Without it a request could
# compute a day from figures a write is about to change, the write commit (dropping nothing: the rows
# were not there yet), and the request then store the day as it was before the write.
DAY_SCORES_LOCK = 0x7470_6269_7364_6179  # "tpbisday"


def _day_scores_writing() -> None:
    """Before dropping stored days in a write's transaction: wait for a day being stored to be committed
    (its rows are then there to drop), and keep new ones from being stored until this write commits."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [DAY_SCORES_LOCK])


def day_scores_lock_q() -> Q:
    """A condition true of every row that takes the same lock as `_day_scores_writing` when a row is read:
    a write's own read takes it instead of a statement of its own."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        lock = RawSQL("pg_advisory_xact_lock_shared(%s)::text = ''", [DAY_SCORES_LOCK], output_field=BooleanField())
        return Q(lock)
    return Q()


def _day_scores_free() -> bool:
    """In a transaction: whether no write that drops days is being committed (PostgreSQL), held for the
    rest of the transaction so that none starts. On SQLite the transaction begins IMMEDIATE (settings): it
    holds the one write lock before it reads, so no write is half done meanwhile."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [DAY_SCORES_LOCK])
        return bool(cursor.fetchone()[0])


def day_scores_fill(*, libraries: QuerySet[Library], date: dt.date, new_day: bool = False) -> int | None:
    """Compute and store the score on `date` (a past day, facts built) of each of `libraries`, which the
    caller has found without one (or with one of another kind); None, storing nothing, while a write that
    could change it is being committed (the caller computes the day instead). Concurrent first requests
    store one after the other, with INSERT ... ON CONFLICT: a row already there is replaced only if it
    differs (another kind). `new_day`: nothing was stored for the day before, so the days stored into
    least recently beyond DAYS_KEPT are dropped. Returns the number of rows sent."""
    with transaction.atomic():
        if not _day_scores_free():
            return None
        if connection.vendor == "postgresql":
            # The country's month facts grouped by library in memory, not sorted on disk (400 -> 280 ms).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        kinds = sorted(libraries.order_by().values_list("pk", "kind"))
        if not kinds:
            return 0
        # Nothing stored for the day yet (and nobody else stores while this holds the lock above): the rows
        # go straight in, no conflict to look for.
        fresh = not DayScore.objects.filter(as_of=date).exists()
        scores = kpi_scores_at(libraries=libraries, date=date)
        nothing = (None, Colour.NONE)
        rows = [(library_id, date, kind, *scores.get(library_id, nothing)) for library_id, kind in kinds]
        upsert(DayScore._meta.db_table, ["library_id", "as_of", "kind", "score", "colour"], ["library_id", "as_of"],
               rows, only_changed=True, fresh=fresh)  # fmt: skip
        if new_day:
            kept = list(
                DayScore.objects.order_by()
                .values("as_of")
                .annotate(last=Max("pk"))
                .order_by("-last")
                .values_list("as_of", flat=True)[:DAYS_KEPT]
            )
            if len(kept) == DAYS_KEPT:
                DayScore.objects.exclude(as_of__in=kept).delete()
    if connection.vendor == "postgresql" and len(rows) >= DAY_ANALYZE_ROWS:
        # The planner learns the new day's rows at once: with the table's statistics from before them, it
        # sorted the country's 60,000 scores of the day for a top ten (217 ms) instead of walking the
        # score index (12 ms). Autovacuum would only catch up a minute or so later.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(DayScore._meta.db_table)}")
    return len(rows)


def day_scores_drop_written(
    *, library_ids: set[int], months: dict[int, set[dt.date]] | None, locked: bool = False
) -> None:
    """After a record write (in its transaction): drop the stored days the write may have changed, in one
    statement (and the lock above on PostgreSQL, unless `locked`: taken by `day_scores_lock_q`). `months`
    as for `kpi_apply`: a library without months loses every day, one with months its days from the first
    touched month to the end of each touched year, one with an empty set none."""
    months = months or {}
    where = Q()
    whole = sorted(pk for pk in library_ids if pk not in months)
    if whole:
        where |= Q(library_id__in=whole)
    for library_id in sorted(pk for pk in library_ids if pk in months):
        first: dict[int, dt.date] = {}
        for month in months[library_id]:
            first[month.year] = min(first.get(month.year, month), month_first(month))
        for year, start in sorted(first.items()):
            where |= Q(library_id=library_id, as_of__gte=start, as_of__lte=dt.date(year, 12, 31))
    if where:
        if not locked:
            _day_scores_writing()
        DayScore.objects.filter(where).delete()


def day_scores_drop(*, library_ids: Any = None, years: set[int] | None = None) -> None:
    """Drop stored days: of these libraries (all when None), in these years (all when None)."""
    rows = DayScore.objects.all()
    if library_ids is not None:
        rows = rows.filter(library_id__in=library_ids)
    if years is not None:
        rows = rows.filter(as_of__gte=dt.date(min(years), 1, 1), as_of__lte=dt.date(max(years), 12, 31))
    _day_scores_writing()
    rows.delete()
