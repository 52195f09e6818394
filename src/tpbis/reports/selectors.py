"""Reads of library records, always through the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.reports.models import (
    Advocacy,
    CommunityEngagement,
    InformationService,
    Publicity,
    Replication,
    Status,
    Visitors,
    record_models,
)

MONTHLY = (InformationService, Visitors)


def record_model(record_type: str) -> type[Any]:
    """The model for a type name of the real SIM (pelibatan, advokasi, ...); 404 for an unknown one."""
    models: dict[str, type[Any]] = {**record_models(), Replication.RECORD_TYPE: Replication}
    try:
        return models[record_type]
    except KeyError:
        raise Http404 from None


def record_qs_for_scope(*, model: type[Any], scope: Scope) -> QuerySet[Any]:
    if model is Replication:
        return Replication.objects.filter(_replication_scope(scope)).select_related("region")
    return model.objects.filter(scope.library_filter("library__")).select_related("library", "library__region")


def _replication_scope(scope: Scope) -> Q:
    if scope.national:
        return Q()
    q = Q(pk__in=[])
    for code in scope.provinces:
        q |= Q(region_id=code) | Q(region__code__startswith=code + ".")
    for code in scope.regencies:
        q |= Q(region_id=code)
    return q


def record_get_for_user(*, model: type[Any], scope: Scope, pk: int) -> Any:
    record = record_qs_for_scope(model=model, scope=scope).filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def record_role(*, record: Any, scope: Scope) -> str | None:
    """The user's strongest role over the record's library (or region, for a replication)."""
    if isinstance(record, Replication):
        return scope.role_for_region(record.region_id)
    return scope.role_for_library(library_id=record.library_id, region_code=record.library.region_id)


@dataclass(frozen=True)
class RecordFilters:
    start: dt.date | None = None
    end: dt.date | None = None
    status: str | None = None
    activity_field: str | None = None
    region: str | None = None
    library_id: int | None = None


def _period_filter(model: type[Any], start: dt.date | None, end: dt.date | None) -> Q:
    """Activity date for dated records; for monthly records, the month's first day."""
    q = Q()
    if model in MONTHLY:
        if start:
            q &= Q(year__gt=start.year) | Q(year=start.year, month__gte=start.month)
        if end:
            q &= Q(year__lt=end.year) | Q(year=end.year, month__lte=end.month)
    elif model is Replication:
        if start:
            q &= Q(year__gte=start.year)
        if end:
            q &= Q(year__lte=end.year)
    else:
        if start:
            q &= Q(date__gte=start)
        if end:
            q &= Q(date__lte=end)
    return q


def record_list_for_user(*, model: type[Any], scope: Scope, filters: RecordFilters) -> QuerySet[Any]:
    qs = record_qs_for_scope(model=model, scope=scope).filter(_period_filter(model, filters.start, filters.end))
    if model is not Replication:
        # A draft is unfinished work: listed for its own library's managers only, to continue it.
        qs = qs.filter(~Q(status=Status.DRAFT) | Q(library_id__in=sorted(scope.libraries)))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.activity_field and model is CommunityEngagement:
        qs = qs.filter(activity_field=filters.activity_field)
    if filters.library_id and model is not Replication:
        qs = qs.filter(library_id=filters.library_id)
    if filters.region:
        field = "region" if model is Replication else "library__region"
        qs = qs.filter(Q(**{f"{field}_id": filters.region}) | Q(**{f"{field}__code__startswith": filters.region + "."}))
    if model is Replication:
        return qs.order_by("-year", "-pk")
    return qs.order_by(*(("-year", "-month", "-pk") if model in MONTHLY else ("-date", "-pk")))


def status_counts(*, qs: QuerySet[Any]) -> dict[str, int]:
    rows = dict(qs.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status.value: rows.get(status.value, 0) for status in Status}


def verification_queue(*, model: type[Any], scope: Scope, user_id: int) -> QuerySet[Any]:
    """Submitted records the user may verify, oldest first: in a region they facilitate, not their own."""
    verifier_scope = Scope(national=scope.national, provinces=scope.provinces, regencies=scope.regencies)
    qs = record_qs_for_scope(model=model, scope=verifier_scope).filter(status=Status.SUBMITTED)
    return qs.exclude(entered_by_id=user_id).order_by("created_at", "pk")


def can_verify(*, role: str | None) -> bool:
    return Scope.at_least(role, Role.FACILITATOR)


def returned_for_library(*, library_id: int) -> list[Any]:
    """Every returned record of a library across types, newest first, for the top of its page."""
    records: list[Any] = []
    for model in (CommunityEngagement, Advocacy, Publicity, InformationService, Visitors):
        records += list(model.objects.filter(library_id=library_id, status=Status.RETURNED).order_by("-updated_at"))
    return sorted(records, key=lambda r: r.updated_at, reverse=True)
