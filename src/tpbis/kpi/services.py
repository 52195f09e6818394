"""Computing and storing KPI scores for sets of libraries."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tpbis.kpi.engine import Facts, Result, SchemeSpec, score
from tpbis.kpi.facts import gather_facts
from tpbis.kpi.models import Colour, Component, CurrentScore, MonthScore, Scheme
from tpbis.libraries.models import Library


def schemes_load() -> list[SchemeSpec]:
    """Every active scheme with its components, newest effective date first."""
    schemes = Scheme.objects.filter(is_active=True).prefetch_related(
        Prefetch("components", queryset=Component.objects.order_by("position", "pk"))
    )
    specs = [SchemeSpec.from_model(s, list(s.components.all())) for s in schemes]
    return sorted(specs, key=lambda s: (s.effective_from, s.id or 0), reverse=True)


def scheme_for(schemes: Sequence[SchemeSpec], *, date: dt.date, kind: str) -> SchemeSpec | None:
    """The scheme in effect on the date for the library kind; before the first one, the earliest."""
    applicable = [s for s in schemes if s.applies_to(kind)]
    if not applicable:
        return None
    started = [s for s in applicable if s.effective_from <= date]
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
    ids = libraries.order_by().values("pk")
    for year_dates in by_year.values():
        facts = gather_facts(libraries=ids, dates=year_dates)
        for library_id, kind in kinds.items():
            per_date = facts.get(library_id, {})
            for date in year_dates:
                scheme = scheme_for(schemes, date=date, kind=kind)
                if scheme is None:
                    continue
                results[(library_id, date)] = score(facts=per_date.get(date, Facts()), scheme=scheme, as_of=date)
    return results


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
    current = [
        CurrentScore(
            library_id=library_id,
            as_of=as_of,
            scheme_id=result.scheme_id,
            score=result.score,
            colour=result.colour,
            parts=[p.as_json() for p in result.parts],
        )
        for (library_id, date), result in results.items()
        if date == as_of and result.scheme_id is not None  # drafts being previewed are never stored
    ]
    CurrentScore.objects.bulk_create(
        current,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["library"],
        update_fields=["as_of", "scheme", "score", "colour", "parts", "computed_at"],
    )
    if months:
        _store_month_scores(results, as_of)
    return Counter(score.colour for score in current)


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
