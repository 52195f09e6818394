"""Computing and storing KPI scores for sets of libraries."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import DateField, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms import BaseInlineFormSet, ModelForm
from django.utils import timezone, translation
from django.utils.translation import gettext

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot, decimal_text
from tpbis.kpi.engine import Facts, MonthScorer, Result, SchemeSpec, facts_key, score
from tpbis.kpi.facts import (
    Cell,
    Key,
    cells_from_records,
    cells_from_rows,
    cells_stored,
    cells_write,
    facts_through,
    gather_facts,
    month_first,
)
from tpbis.kpi.models import Colour, Component, CurrentScore, FactsBuilt, MonthFacts, MonthScore, Scheme
from tpbis.kpi.notices import notify_colour_changes, notify_scheme_new
from tpbis.libraries.models import Library, LibraryKind

SCHEME_AUDITED = ("name", "effective_from", "effective_until", "green_above", "yellow_above", "is_active", "notes")


def schemes_load() -> list[SchemeSpec]:
    """Every active scheme with its components, newest effective date first."""
    schemes = Scheme.objects.filter(is_active=True).prefetch_related(
        Prefetch("components", queryset=Component.objects.order_by("position", "pk"))
    )
    specs = [SchemeSpec.from_model(s, list(s.components.all())) for s in schemes]
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
        if before is not None and before[0] == signature:
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
    scores_written: int = 0
    scores_unchanged: int = 0
    current_written: int = 0
    colours: Counter[str] = field(default_factory=Counter)


def _cells_by_library(cells: dict[Key, Cell]) -> dict[int, dict[dt.date, Cell]]:
    by_library: dict[int, dict[dt.date, Cell]] = defaultdict(dict)
    for (library_id, month), cell in cells.items():
        by_library[library_id][month] = cell
    return by_library


def _month_scores_of(
    *,
    cells: dict[dt.date, Cell],
    kind: str,
    years: Iterable[int],
    schemes: Sequence[SchemeSpec],
    today: dt.date,
    scorer: MonthScorer,
) -> Iterator[tuple[dt.date, Decimal | None, str]]:
    """(month end, score, colour) of every passed month end of the years, from the library's cells."""
    for year in years:
        months = passed_months(year, today)
        if not months:
            continue
        for month, facts in facts_through(cells, year):
            if month not in months:
                break
            date = month_end(year, month)
            scheme = scheme_for(schemes, date=date, kind=kind)
            if scheme is None:
                continue
            yield (date, *scorer(facts, scheme, date))


def _current_facts(cells: dict[dt.date, Cell], today: dt.date) -> Facts:
    """Facts as of today: the year's cells up to this month (nothing is dated after the day it is entered)."""
    for month, facts in facts_through(cells, today.year):
        if month == today.month:
            return facts
    return Facts()


def _first_years(library_ids: Any) -> dict[int, int]:
    """Each library's first scored year: its cohort year, or an earlier year it has facts or scores in."""
    where = Q() if library_ids is None else Q(library_id__in=library_ids)
    first = dict(
        Library.objects.filter(Q() if library_ids is None else Q(pk__in=library_ids)).values_list("pk", "cohort_year")
    )
    for model, name in ((MonthFacts, "month"), (MonthScore, "month_end")):
        rows = (
            model.objects.filter(where)
            .order_by()
            .values("library_id")
            .annotate(first=Min(name))
            .values_list("library_id", "first")
        )
        for library_id, date in rows:
            if library_id in first and date.year < first[library_id]:
                first[library_id] = date.year
    return first


def kpi_rebuild(
    *,
    libraries: QuerySet[Library] | None = None,
    from_records: bool = False,
    today: dt.date | None = None,
    since: int | None = None,
) -> RebuildStats:
    """Score every passed month end of every year of each library (from its cohort year, or the first
    year it has facts in, to this year) and its current score, writing only rows that change.

    With `from_records` the month facts are first recounted from the record tables (also only writing
    the cells that differ); otherwise the stored facts are trusted. Colour-change notices are only sent
    for current scores.
    """
    today = today or timezone.localdate()
    whole = libraries is None
    libraries = Library.objects.all() if libraries is None else libraries
    ids: Any = libraries.order_by().values("pk")
    stats = RebuildStats()
    if from_records:
        fresh = cells_from_records(libraries=None if whole else ids)
        stored = cells_stored(Q() if whole else Q(library_id__in=ids))
        stats.facts_written, stats.facts_deleted = cells_write(new=fresh, stored=stored, keys=set(fresh) | set(stored))
        cells = _cells_by_library(fresh)
        if whole:
            FactsBuilt.objects.update_or_create(pk=1)
    else:
        where = Q() if whole else Q(library_id__in=ids)
        if since is not None:
            where &= Q(month__gte=dt.date(since, 1, 1))
        cells = _cells_by_library({key: cell for key, (_pk, cell) in cells_stored(where).items()})
    schemes = schemes_load()
    kinds = dict(libraries.order_by().values_list("pk", "kind"))
    first = _first_years(None if whole else ids)
    stats.libraries = len(kinds)
    scorer = MonthScorer()
    computed: dict[tuple[int, dt.date], tuple[Decimal | None, str]] = {}
    current: dict[int, Result] = {}
    memo: dict[tuple[object, ...], Result] = {}
    empty: dict[dt.date, Cell] = {}
    for library_id, kind in kinds.items():
        library_cells = cells.get(library_id, empty)
        years = range(max(min(first.get(library_id, today.year), today.year), since or 0), today.year + 1)
        for date, score_value, colour in _month_scores_of(
            cells=library_cells, kind=kind, years=years, schemes=schemes, today=today, scorer=scorer
        ):
            computed[(library_id, date)] = (score_value, colour)
        scheme = scheme_for(schemes, date=today, kind=kind)
        if scheme is not None and scheme.id is not None:
            facts = _current_facts(library_cells, today)
            key = (scheme.id, facts_key(facts))
            if key not in memo:
                memo[key] = score(facts=facts, scheme=scheme, as_of=today)
            current[library_id] = memo[key]
    stats.scores_written, stats.scores_unchanged = _month_scores_sync(computed, None if whole else ids, since)
    stats.current_written = _store_current_scores(current, today)
    stats.colours = Counter(result.colour for result in current.values())
    return stats


def _month_scores_sync(
    computed: dict[tuple[int, dt.date], tuple[Decimal | None, str]], ids: Any, since: int | None
) -> tuple[int, int]:
    """Write the month scores that differ from the stored ones; returns (written, unchanged)."""
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
            changed.append(MonthScore(library_id=key[0], month_end=key[1], score=value[0], colour=value[1]))
    MonthScore.objects.bulk_create(
        changed,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["library", "month_end"],
        update_fields=["score", "colour"],
    )
    return len(changed), len(computed) - len(changed)


def _month_scores_upsert(rows: list[tuple[int, dt.date, Decimal | None, str]]) -> None:
    """Insert or correct a few month scores in one statement; a row whose score and colour are already
    right is left alone (no dead row on PostgreSQL)."""
    if not rows:
        return
    table = connection.ops.quote_name(MonthScore._meta.db_table)
    distinct = (
        "{t}.score IS DISTINCT FROM excluded.score OR {t}.colour <> excluded.colour"
        if connection.vendor == "postgresql"
        else "{t}.score IS NOT excluded.score OR {t}.colour <> excluded.colour"
    ).format(t=table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for library_id, date, score_value, colour in rows:
        params += [library_id, date, score_value, colour]
    sql = (
        f"INSERT INTO {table} (library_id, month_end, score, colour) VALUES {values} "  # noqa: S608 (placeholders)
        "ON CONFLICT (library_id, month_end) DO UPDATE SET score = excluded.score, colour = excluded.colour "
        f"WHERE {distinct}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def kpi_apply(*, library_ids: set[int], months: dict[int, set[dt.date]] | None, today: dt.date | None = None) -> None:
    """After a write: recount the touched month facts, rescore the month ends from each touched month to
    December of its year (those passed) and, for a write in this year, the current score.

    `months` gives, per library, the first days of the months whose records changed; a library missing
    from it (or None) is recounted whole. Before the facts are built, the library is rescored from its
    records as it always was.
    """
    today = today or timezone.localdate()
    months = months or {}
    rows = list(
        Library.objects.filter(pk__in=sorted(library_ids))
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
    if not rows[0][3]:
        kpi_refresh(libraries=Library.objects.filter(pk__in=[row[0] for row in rows]), as_of=today)
        return
    # An empty set: no month of that library changed. Missing: every month may have.
    partial = {row[0]: {month_first(m) for m in months[row[0]]} for row in rows if row[0] in months}
    whole = [row[0] for row in rows if row[0] not in months]
    years: dict[int, set[int]] = {}
    where = Q()
    for library_id, _kind, cohort_year, _built, signature, _colour, _as_of in rows:
        if library_id in partial:
            touched = {m.year for m in partial[library_id]}
            # A write before the cohort year starts the library's scored years there.
            touched |= set(range(min(touched, default=cohort_year), cohort_year))
            if signature is None:
                touched.add(today.year)  # never scored: its current score too
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
    cells = _cells_by_library(merged)
    for library_id in whole:
        first_year = min([m.year for _l, m in merged if _l == library_id] + [today.year])
        cohort = next(row[2] for row in rows if row[0] == library_id)
        years[library_id] = set(range(min(first_year, cohort), today.year + 1))
    schemes = schemes_load()
    scorer = MonthScorer()
    month_rows: list[tuple[int, dt.date, Decimal | None, str]] = []
    current: dict[int, Result] = {}
    stored_current = {}
    empty: dict[dt.date, Cell] = {}
    for library_id, kind, _cohort, _built, signature, colour, as_of in rows:
        library_cells = cells.get(library_id, empty)
        for date, score_value, colour_value in _month_scores_of(
            cells=library_cells,
            kind=kind,
            years=sorted(years.get(library_id, ())),
            schemes=schemes,
            today=today,
            scorer=scorer,
        ):
            month_rows.append((library_id, date, score_value, colour_value))
        if today.year in years.get(library_id, ()) or (as_of is not None and as_of < today.replace(day=1)):
            scheme = scheme_for(schemes, date=today, kind=kind)
            if scheme is not None and scheme.id is not None:
                current[library_id] = score(facts=_current_facts(library_cells, today), scheme=scheme, as_of=today)
                if signature is not None:
                    stored_current[library_id] = (signature, colour, as_of)
    _month_scores_upsert(month_rows)
    _store_current_scores(current, today, stored=stored_current)
