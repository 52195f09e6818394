"""The manager's work list on their library page: drafts, returned records, the missing visitor report
and the one next entry that would raise the KPI score the most."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, Q, Value
from django.utils import timezone

from tpbis.kpi.engine import SchemeSpec
from tpbis.kpi.models import Measure
from tpbis.kpi.selectors import Explained
from tpbis.kpi.services import scheme_for, schemes_load
from tpbis.libraries.models import Library
from tpbis.reports.models import Status, Visitors, record_models
from tpbis.worklists.selectors import SHOWN, WorkItem, records_union, work_items

# How many more records of one kind a next action may ask for; past this it is not "one step" any more.
MAX_RECORDS_PER_ACTION = 5
# Drafts the panel links, and so the phone keeps for offline use (offline-boot.js keeps every form the
# library page marks and drops one it no longer marks): all of the library's, the first SHOWN in the list
# and the rest one tap away. Capped because each form not kept yet is one page on the data plan, once (a
# draft's form about 11 KB, 4 KB gzipped; the library page grows by 1 KB gzipped from 10 drafts to 50); a
# manager rarely leaves more than a few dozen unfinished.
KEPT_DRAFTS = 50


@dataclass(frozen=True)
class NextAction:
    """Add `records` records of `record_type` to gain `points` KPI points (the best points per record)."""

    record_type: str
    label: str  # the KPI component, as the scheme names it
    records: int
    points: Decimal

    @property
    def points_per_record(self) -> Decimal:
        return self.points / self.records


@dataclass(frozen=True)
class ManagerWorklist:
    library: Library
    drafts: list[WorkItem] = field(default_factory=list)  # up to KEPT_DRAFTS, last touched first
    drafts_count: int = 0
    returned: list[Any] = field(default_factory=list)
    missing_visitors: dt.date | None = None  # the first day of the month whose visitor report is missing
    next_action: NextAction | None = None

    @property
    def drafts_shown(self) -> list[WorkItem]:
        return self.drafts[:SHOWN]

    @property
    def drafts_older(self) -> list[WorkItem]:
        return self.drafts[SHOWN:]

    @property
    def is_empty(self) -> bool:
        return not (self.drafts or self.returned or self.missing_visitors or self.next_action)


def _previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def missing_visitor_month(*, library: Library, today: dt.date | None = None) -> dt.date | None:
    """Last month, when the library has no visitor report for it yet (a draft counts as started, so it
    shows under drafts instead); None once one is entered, or before the library joined."""
    month = _previous_month(today or timezone.localdate())
    if month.year < library.cohort_year:
        return None
    entered = (
        Visitors.objects.filter(library=library, year=month.year, month=month.month)
        .exclude(status=Status.WITHDRAWN)
        .exists()
    )
    return None if entered else month


def drafts_for_library(*, library: Library, today: dt.date | None = None) -> tuple[list[WorkItem], int]:
    """The library's drafts (every type), last touched first, up to KEPT_DRAFTS, and how many there are."""
    parts = [model.objects.filter(library=library, status=Status.DRAFT) for model in record_models().values()]
    rows = records_union(parts, when="updated_at").order_by("-at", "-pk")
    items = work_items(rows[:KEPT_DRAFTS], today=today)
    return items, (len(items) if len(items) < KEPT_DRAFTS else rows.count())


def pending_counts(*, library: Library, year: int) -> dict[str, int]:
    """Records of the year sent but not verified yet, per type: they will count once verified. One query."""
    parts = []
    for record_type, model in record_models().items():
        in_year = Q(year=year) if hasattr(model, "month") else Q(date__year=year)
        parts.append(
            model.objects.filter(in_year, library=library, status=Status.SUBMITTED)
            .order_by()
            .annotate(kind=Value(record_type, output_field=CharField()))
            .values("kind")
            .annotate(n=Count("pk"))
            .values("kind", "n")
        )
    first, *rest = parts
    return {row["kind"]: row["n"] for row in first.union(*rest, all=True) if row["n"]}


def next_action(*, explained: Explained, scheme: SchemeSpec | None, pending: dict[str, int]) -> NextAction | None:
    """The entry with the most KPI points per record, counting records still waiting for verification as
    already in (they count once verified). Capacity figures (nilai terakhir) are not "one more record"."""
    if scheme is None or not explained.parts:
        return None
    as_of = explained.as_of
    parts = {part["component"]: part for part in explained.parts}
    best: NextAction | None = None
    for spec in scheme.components:
        part = parts.get(spec.id)
        if part is None or spec.measure == Measure.LATEST:
            continue
        achieved = Decimal(str(part["achieved"])) + pending.get(spec.record_type, 0)
        if spec.measure == Measure.REPORTED:
            option = None if achieved > 0 else NextAction(spec.record_type, spec.label, 1, spec.weight)
        else:
            option = _cheapest_gain(spec, achieved, as_of)
        if option is not None and (best is None or _better(option, best)):
            best = option
    return best


def _cheapest_gain(spec: Any, achieved: Decimal, as_of: dt.date) -> NextAction | None:
    """The fewest extra records that earn points on a count component (a scheme's step may need several)."""
    now = spec.points_for(achieved, as_of)
    for extra in range(1, MAX_RECORDS_PER_ACTION + 1):
        gained = spec.points_for(achieved + extra, as_of) - now
        if gained > 0:
            return NextAction(spec.record_type, spec.label, extra, gained)
    return None


def _better(option: NextAction, best: NextAction) -> bool:
    """More points per record wins; between equals, the one with more points in total."""
    return (option.points_per_record, option.points) > (best.points_per_record, best.points)


def manager_worklist(
    *, library: Library, explained: Explained | None, returned: list[Any], today: dt.date | None = None
) -> ManagerWorklist:
    """Everything the panel shows, for a library page that already computed its score and returned list."""
    today = today or timezone.localdate()
    drafts, drafts_count = drafts_for_library(library=library, today=today)
    action = None
    if explained is not None and explained.parts:
        scheme = scheme_for(schemes_load(), date=explained.as_of, kind=library.kind)
        action = next_action(
            explained=explained, scheme=scheme, pending=pending_counts(library=library, year=explained.as_of.year)
        )
    return ManagerWorklist(
        library=library,
        drafts=drafts,
        drafts_count=drafts_count,
        returned=returned,
        missing_visitors=missing_visitor_month(library=library, today=today) if library.is_active else None,
        next_action=action,
    )
