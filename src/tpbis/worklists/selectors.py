"""Reads for the facilitator's work list: what waits for them in their area, always through their scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import CharField, DateField, Exists, F, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext

from tpbis.accounts.scope import Scope
from tpbis.libraries.models import AccountStatus, Library
from tpbis.libraries.selectors import LibraryFilters, library_list_for_user, library_qs_for_scope
from tpbis.reports.models import Replication, Status, record_models
from tpbis.reports.selectors import record_qs_for_scope, verification_queue

SHOWN = 10  # items per section on the work list; the full list is one link away
SILENT_DAYS = 60
# Statuses that mean "nothing was sent": a draft is still on the manager's phone, a withdrawal undoes a send.
NOT_SENT = (Status.DRAFT, Status.WITHDRAWN)
NEVER = dt.date(1900, 1, 1)  # stands for "no record at all" inside the database's GREATEST


def queue_models() -> dict[str, type[Any]]:
    """The record types of the verification queue, by their SIM type name."""
    return {**record_models(), Replication.RECORD_TYPE: Replication}


def verification_waiting_count(*, scope: Scope, user_id: int, limit: int | None = None) -> int:
    """Records waiting for this user's verification across every type, in one COUNT query.

    With `limit` the count stops there (the menu's badge says "999+"): a national officer's 120,000 waiting
    records then cost a few milliseconds on every page instead of counting them all.
    """
    parts = [verification_queue(model=model, scope=scope, user_id=user_id) for model in queue_models().values()]
    if limit is None:
        return records_union(parts, when="created_at").count()
    # Each type stops at the cap too where the database allows it (PostgreSQL): an index scan that stops
    # after `limit` rows, not a bitmap of every waiting record (240,000 index entries, 40-90 ms, on 10,000
    # libraries).
    each = limit if connection.features.supports_slicing_ordering_in_compound else None
    return records_union(parts, when="created_at", each_limit=each)[:limit].count()


@dataclass(frozen=True)
class WorkItem:
    """A record on a work list, with its age in days (since it was sent, or since it was returned)."""

    record_type: str
    record: Any
    age_days: int

    @property
    def type_label(self) -> str:
        return str(type(self.record)._meta.verbose_name).capitalize()

    @property
    def title(self) -> str:
        record = self.record
        if record.title_text:
            return f"{self.type_label}: {record.title_text}"
        if record.TITLE_FIELD:
            # A draft may be saved before its title is typed.
            return f"{self.type_label}: {gettext('(tanpa judul)')}"
        if isinstance(record, Replication):
            return f"{self.type_label} {record.year}"
        return f"{self.type_label} {date_format(dt.date(record.year, record.month, 1), 'M Y')}"

    @property
    def url(self) -> str:
        return reverse("reports:detail", args=[self.record_type, self.record.pk])


def records_union(parts: Sequence[QuerySet[Any]], *, when: str, each_limit: int | None = None) -> QuerySet[Any]:
    """One UNION ALL of (type, pk, moment) rows over several record types, to count and order across them;
    with `each_limit`, at most that many rows of each type (only where the database allows it)."""
    rows = [
        qs.order_by()
        .annotate(kind=Value(qs.model.RECORD_TYPE, output_field=CharField()), at=F(when))
        .values("kind", "pk", "at")
        for qs in parts
    ]
    if each_limit is not None:
        rows = [row[:each_limit] for row in rows]
    first, *rest = rows
    return first.union(*rest, all=True) if rest else first


def _hydrate(rows: Iterable[dict[str, Any]], *, today: dt.date) -> list[WorkItem]:
    """The records behind union rows, one query per type present, in the rows' order."""
    rows = list(rows)
    models = queue_models()
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row["kind"], []).append(row["pk"])
    fetched: dict[tuple[str, int], Any] = {}
    for kind, pks in wanted.items():
        model = models[kind]
        related = ("region",) if model is Replication else ("library", "library__region")
        for record in model.objects.filter(pk__in=pks).select_related(*related):
            fetched[(kind, record.pk)] = record
    items = []
    for row in rows:
        record = fetched.get((row["kind"], row["pk"]))
        if record is not None:
            age = (today - timezone.localdate(row["at"])).days
            items.append(WorkItem(record_type=row["kind"], record=record, age_days=max(age, 0)))
    return items


def to_verify(*, scope: Scope, user_id: int) -> QuerySet[Any]:
    """Records waiting for this user's verification, every type, oldest first (union rows)."""
    parts = [verification_queue(model=model, scope=scope, user_id=user_id) for model in queue_models().values()]
    return records_union(parts, when="created_at").order_by("at", "pk")


def returned_uncorrected(*, scope: Scope) -> QuerySet[Any]:
    """Records returned to their library and not corrected yet, longest waiting first (union rows)."""
    verifier = Scope(national=scope.national, provinces=scope.provinces, regencies=scope.regencies)
    parts = [
        record_qs_for_scope(model=model, scope=verifier).filter(status=Status.RETURNED)
        for model in queue_models().values()
    ]
    return records_union(parts, when="updated_at").order_by("at", "pk")


def work_items(rows: Iterable[dict[str, Any]], *, today: dt.date | None = None) -> list[WorkItem]:
    """Records for a slice of union rows (`to_verify(...)[:10]`)."""
    return _hydrate(rows, today=today or timezone.localdate())


def libraries_without_account(*, scope: Scope) -> QuerySet[Library]:
    """Active libraries in the user's area with no manager account and no open invitation."""
    verifier = Scope(national=scope.national, provinces=scope.provinces, regencies=scope.regencies)
    return library_list_for_user(scope=verifier, filters=LibraryFilters(account_status=AccountStatus.NONE.value))


def _last_entry(model: type[Any]) -> Any:
    sent = model.objects.filter(library=OuterRef("pk")).exclude(status__in=NOT_SENT).order_by()
    latest = sent.values("library").annotate(last=Max("input_date")).values("last")
    return Coalesce(Subquery(latest, output_field=DateField()), Value(NEVER, output_field=DateField()))


def libraries_silent(*, scope: Scope, days: int, today: dt.date | None = None) -> QuerySet[Library]:
    """Active libraries in the user's area that sent no record in the last `days` days, the longest
    silent first, each annotated with `last_entry` (a date, or None when they never sent anything)."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=days)
    verifier = Scope(national=scope.national, provinces=scope.provinces, regencies=scope.regencies)
    qs = library_qs_for_scope(scope=verifier).filter(is_active=True)
    for model in record_models().values():
        recent = model.objects.filter(library=OuterRef("pk"), input_date__gt=since).exclude(status__in=NOT_SENT)
        qs = qs.filter(~Exists(recent))
    lasts = [_last_entry(model) for model in record_models().values()]
    return qs.annotate(last_sent=Greatest(*lasts)).select_related("region").order_by("last_sent", "name", "pk")


def last_entry_shown(library: Library) -> dt.date | None:
    """The annotated last entry of `libraries_silent`, None for "never"."""
    last = getattr(library, "last_sent", None)
    if isinstance(last, str):  # SQLite answers GREATEST over dates as text
        last = dt.date.fromisoformat(last)
    return None if last is None or last <= NEVER else last
