"""Reads of likely duplicates, always through the reviewer's scope: a pair is theirs when both of its
libraries are (a merge changes both)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tpbis.accounts.scope import Scope
from tpbis.duplicates.models import DuplicateEvent, DuplicateKind, DuplicatePair, DuplicateStatus
from tpbis.regions.models import Level, Region


@dataclass(frozen=True)
class PairFilters:
    status: str = DuplicateStatus.OPEN  # "open" or "done"
    kind: str = ""
    region: str = ""


def pair_qs_for_scope(*, scope: Scope) -> QuerySet[DuplicatePair]:
    return DuplicatePair.objects.filter(
        scope.library_filter("first_library__"), scope.library_filter("second_library__")
    )


def region_get_for_user(*, scope: Scope, code: str) -> Region:
    """A province or kabupaten/kota the reviewer covers; 404 otherwise."""
    region = Region.objects.filter(code=code, level__in=[Level.PROVINCE, Level.REGENCY]).first()
    if region is None or not scope.covers_region(code):
        raise Http404
    return region


def pair_list_for_user(*, scope: Scope, filters: PairFilters) -> QuerySet[DuplicatePair]:
    qs = pair_qs_for_scope(scope=scope).select_related(
        "first_library__region", "second_library__region", "first_type", "second_type", "resolved_by"
    )
    if filters.status == "done":
        qs = qs.exclude(status=DuplicateStatus.OPEN).order_by("-resolved_at", "-pk")
    else:
        qs = qs.filter(status=DuplicateStatus.OPEN).order_by("-detected_at", "-pk")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.region:
        code = filters.region
        within = Q(first_library__region_id=code) | Q(first_library__region__code__startswith=code + ".")
        qs = qs.filter(within)
    return qs


def pair_get_for_user(*, scope: Scope, pk: int) -> DuplicatePair:
    pair = (
        pair_qs_for_scope(scope=scope)
        .select_related("first_library__region", "second_library__region", "first_type", "second_type", "resolved_by")
        .filter(pk=pk)
        .first()
    )
    if pair is None:
        raise Http404
    return pair


@dataclass(frozen=True)
class PairView:
    pair: DuplicatePair
    first: Any | None
    second: Any | None

    @property
    def is_library(self) -> bool:
        return self.pair.kind == DuplicateKind.LIBRARY

    @property
    def activity_date(self) -> dt.date | None:
        value = self.pair.evidence.get("date")
        return dt.date.fromisoformat(value) if value else None


def pair_rows(pairs: list[DuplicatePair]) -> list[PairView]:
    """Each pair with its two objects, loaded in one query per type (not one per pair)."""
    wanted: dict[int, set[int]] = {}
    types = {}
    for pair in pairs:
        wanted.setdefault(pair.first_type_id, set()).add(pair.first_id)
        wanted.setdefault(pair.second_type_id, set()).add(pair.second_id)
        types[pair.first_type_id], types[pair.second_type_id] = pair.first_type, pair.second_type
    loaded: dict[tuple[int, int], Any] = {}
    for type_id, ids in wanted.items():
        model = types[type_id].model_class()
        if model is None:
            continue
        qs = model._default_manager.filter(pk__in=ids)
        if hasattr(model, "library_id"):
            qs = qs.select_related("library")
        elif hasattr(model, "region_id"):
            qs = qs.select_related("region")
        for obj in qs:
            loaded[(type_id, obj.pk)] = obj
    return [
        PairView(p, loaded.get((p.first_type_id, p.first_id)), loaded.get((p.second_type_id, p.second_id)))
        for p in pairs
    ]


def pair_objects(pair: DuplicatePair) -> tuple[Any | None, Any | None]:
    """The two records (or libraries) of the pair, None for one that is gone."""

    def load(type_id: int, object_id: int) -> Any | None:
        model = pair.first_type.model_class() if type_id == pair.first_type_id else pair.second_type.model_class()
        if model is None:
            return None
        return model._default_manager.filter(pk=object_id).first()

    return load(pair.first_type_id, pair.first_id), load(pair.second_type_id, pair.second_id)


def pair_view(pair: DuplicatePair) -> PairView:
    first, second = pair_objects(pair)
    return PairView(pair, first, second)


def _change_labels() -> dict[str, str]:
    return {
        "withdrawn": _("Laporan ditarik"),
        "kept": _("Dipertahankan"),
        "deactivated": _("Dinonaktifkan"),
        "records_moved": _("Laporan dipindah"),
        "memberships_moved": _("Akun pengelola dipindah"),
    }


def pair_history(pair: DuplicatePair) -> list[tuple[DuplicateEvent, list[tuple[str, Any, Any]]]]:
    """Each decision with its changes as (label, before, after), oldest first."""
    labels = _change_labels()
    return [
        (event, [(labels[name], pair_[0], pair_[1]) for name, pair_ in event.changes.items() if name in labels])
        for event in pair.events.select_related("actor").order_by("at", "pk")
    ]
