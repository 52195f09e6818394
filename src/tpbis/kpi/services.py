"""Computing and storing KPI scores for sets of libraries."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import DateField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms import BaseInlineFormSet, ModelForm
from django.utils import timezone, translation
from django.utils.translation import gettext

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot, decimal_text
from tpbis.kpi.engine import Facts, Result, SchemeSpec, facts_key, score
from tpbis.kpi.facts import gather_facts
from tpbis.kpi.models import Colour, Component, CurrentScore, MonthScore, Scheme
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
    """Recompute and store current (and month-end) scores; returns the colour counts of current scores."""
    as_of = as_of or timezone.localdate()
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


def _store_current_scores(current: dict[int, Result], as_of: dt.date) -> None:
    """Upsert only scores that changed; for the rest one UPDATE moves their date forward."""
    stored_rows = list(
        CurrentScore.objects.filter(library_id__in=list(current)).values_list("library_id", "signature", "colour")
    )
    stored = {library_id: signature for library_id, signature, _colour in stored_rows}
    stored_colour = {library_id: colour for library_id, _signature, colour in stored_rows}
    signature_of: dict[int, str] = {}  # results are shared between libraries with equal facts
    changed: list[CurrentScore] = []
    unchanged: list[int] = []
    for library_id, result in current.items():
        assert result.scheme_id is not None
        signature = signature_of.get(id(result)) or signature_of.setdefault(id(result), result.signature())
        if stored.get(library_id) == signature:
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
    CurrentScore.objects.bulk_create(
        changed,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["library"],
        update_fields=["as_of", "scheme", "score", "colour", "parts", "signature", "computed_at"],
    )
    # A library scored for the first time has no colour to change from: only moves are news.
    notify_colour_changes(
        changes=[
            (s.library_id, stored_colour[s.library_id], s.colour) for s in changed if s.library_id in stored_colour
        ],
        as_of=as_of,
    )
    for start in range(0, len(unchanged), 5000):
        CurrentScore.objects.filter(library_id__in=unchanged[start : start + 5000]).exclude(as_of=as_of).update(
            as_of=as_of
        )


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
        kpi_refresh()
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
        kpi_refresh()
        if active:
            notify_scheme_new(scheme=locked)
