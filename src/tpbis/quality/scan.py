"""The outlier scan (*deteksi pencilan*): compare each value with its library's history and with libraries
of the same kind, and keep what lies far from both in OutlierFlag.

History means and standard deviations come from one GROUP BY per measure; medians and MADs need each
library's values in order, so they are computed here while the values stream by (one pass, bounded to
the last WINDOW_MONTHS months).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet, StdDev
from django.utils import timezone

from tpbis.libraries.models import Library
from tpbis.quality.measures import SPECS, MeasureSpec, specs_for_model
from tpbis.quality.models import (
    DEFAULT_THRESHOLD,
    Basis,
    FollowUp,
    MeasureBounds,
    OutlierFlag,
    OutlierSettings,
    PeerStats,
)
from tpbis.quality.stats import Spread, distance, quantile, spread_of
from tpbis.reports.models import COUNTED_STATUSES, CommunityEngagement

logger = logging.getLogger(__name__)

WINDOW_MONTHS = 36
# Fewer values than this say too little about a library's usual: it is compared with its peers instead.
MIN_HISTORY = 6
MIN_PEERS = 10
CHUNK = 20_000


@dataclass(frozen=True)
class Limits:
    threshold: float
    minimum: float | None = None
    maximum: float | None = None

    def outside(self, value: float) -> bool:
        return (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        )


@dataclass
class ScanResult:
    values: int = 0
    flags: int = 0
    by_measure: dict[str, int] = field(default_factory=dict)


def limits_for(measures: Iterable[str]) -> dict[str, Limits]:
    found = OutlierSettings.objects.filter(pk=1).values_list("threshold", flat=True).first()
    threshold = float(found if found is not None else DEFAULT_THRESHOLD)
    bounds = {b.measure: b for b in MeasureBounds.objects.filter(measure__in=list(measures))}
    return {
        m: Limits(
            threshold=threshold,
            minimum=_float(bounds[m].minimum) if m in bounds else None,
            maximum=_float(bounds[m].maximum) if m in bounds else None,
        )
        for m in measures
    }


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def window_start(today: dt.date) -> dt.date:
    months = today.year * 12 + today.month - 1 - WINDOW_MONTHS
    return dt.date(months // 12, months % 12 + 1, 1)


def _values_qs(spec: MeasureSpec, start: dt.date, library_ids: set[int] | None) -> QuerySet[Any]:
    qs = spec.model.objects.filter(status__in=COUNTED_STATUSES)
    if spec.model is CommunityEngagement:
        qs = qs.filter(date__gte=start)
    else:
        qs = qs.filter(Q(year__gt=start.year) | Q(year=start.year, month__gte=start.month))
    if library_ids is not None:
        qs = qs.filter(library_id__in=sorted(library_ids))
    return qs


def _rows(spec: MeasureSpec, qs: QuerySet[Any]) -> Iterator[tuple[int, int, int, int, float]]:
    """(record id, library id, year, month, value), by library."""
    if spec.model is CommunityEngagement:
        for pk, library_id, day, value in (
            qs.order_by("library_id", "pk").values_list("pk", "library_id", "date", spec.field).iterator(CHUNK)
        ):
            yield pk, library_id, day.year, day.month, float(value)
    else:
        for pk, library_id, year, month, value in (
            qs.order_by("library_id", "pk").values_list("pk", "library_id", "year", "month", spec.field).iterator(CHUNK)
        ):
            yield pk, library_id, year, month, float(value)


@dataclass(frozen=True)
class _Found:
    record_id: int
    library_id: int
    year: int
    month: int
    value: float
    basis: str
    usual: tuple[float, float] | None
    z: float | None
    modified_z: float | None
    distance: float
    high: bool


def _judge(
    row: tuple[int, int, int, int, float], spread: Spread | None, basis: str, limits: Limits, usual: Any
) -> _Found | None:
    record_id, library_id, year, month, value = row
    z = spread.z(value) if spread else None
    modified = spread.modified_z(value) if spread else None
    far = distance(z, modified)
    if limits.outside(value):
        above = limits.maximum is not None and value > limits.maximum
        return _Found(
            record_id,
            library_id,
            year,
            month,
            value,
            Basis.BOUNDS,
            _bounds(limits),
            z,
            modified,
            max(far or 0.0, limits.threshold),
            above,
        )
    if far is None or far <= limits.threshold or spread is None:
        return None
    if basis == Basis.PEERS and (z is None or abs(z) <= limits.threshold):
        # Libraries differ far more than one library's months do: against its kind a value is flagged
        # only when the classical and the robust score agree.
        return None
    return _Found(record_id, library_id, year, month, value, basis, usual(), z, modified, far, value > spread.median)


def _bounds(limits: Limits) -> tuple[float, float] | None:
    if limits.minimum is None and limits.maximum is None:
        return None
    return (limits.minimum or 0.0, limits.maximum if limits.maximum is not None else float("inf"))


def _usual_without(values: list[float], index: int) -> tuple[float, float]:
    """The middle 80% of the library's other values: what it usually reports."""
    others = sorted(values[:index] + values[index + 1 :])
    return quantile(others, 0.1), quantile(others, 0.9)


def _scan_measure(
    spec: MeasureSpec, *, limits: Limits, library_ids: set[int] | None, today: dt.date
) -> tuple[list[_Found], int, set[int]]:
    """Flags of one measure; also the libraries whose values were read (their old flags are replaced)."""
    qs = _values_qs(spec, window_start(today), library_ids)
    history = {
        row["library_id"]: row
        for row in qs.order_by()
        .values("library_id")
        .annotate(n=Count("pk"), mean=Avg(spec.field), std=StdDev(spec.field))
    }
    kinds = dict(
        Library.objects.filter(pk__in=list(history) if library_ids is not None else Q()).values_list("pk", "kind")
    )
    found: list[_Found] = []
    short: list[tuple[int, list[tuple[int, int, int, int, float]]]] = []
    medians: dict[str, list[float]] = {}
    seen = 0
    for library_id, group in groupby(_rows(spec, qs), key=lambda r: r[1]):
        rows = list(group)
        seen += len(rows)
        values = [r[4] for r in rows]
        stats = history[library_id]
        spread = spread_of(values, mean=float(stats["mean"]), stddev=float(stats["std"] or 0))
        medians.setdefault(kinds.get(library_id, ""), []).append(spread.median)
        if len(rows) < MIN_HISTORY:
            short.append((library_id, rows))
            for row in rows:  # a bound holds whatever the history
                if limits.outside(row[4]) and (hit := _judge(row, None, Basis.BOUNDS, limits, lambda: None)):
                    found.append(hit)
            continue
        for index, row in enumerate(rows):
            hit = _judge(row, spread, Basis.HISTORY, limits, lambda v=values, i=index: _usual_without(v, i))
            if hit is not None:
                found.append(hit)
    peers = _peers_save(spec, medians) if library_ids is None else _peers_load(spec)
    for library_id, rows in short:
        peer = peers.get(kinds.get(library_id, ""))
        if peer is None:
            continue
        for row in rows:
            if limits.outside(row[4]):
                continue  # already flagged against the bounds
            hit = _judge(row, peer, Basis.PEERS, limits, lambda p=peer: (p.low, p.high))
            if hit is not None:
                found.append(hit)
    return found, seen, set(history)


def _peers_save(spec: MeasureSpec, medians: dict[str, list[float]]) -> dict[str, Spread]:
    peers = {kind: spread_of(values) for kind, values in medians.items() if kind and len(values) >= MIN_PEERS}
    now = timezone.now()
    with transaction.atomic():
        PeerStats.objects.filter(measure=spec.measure).delete()
        PeerStats.objects.bulk_create(
            PeerStats(
                measure=spec.measure,
                kind=kind,
                libraries=s.count,
                median=s.median,
                mad=s.mad,
                mean_ad=s.mean_ad,
                mean=s.mean,
                stddev=s.stddev,
                low=s.low,
                high=s.high,
                computed_at=now,
            )
            for kind, s in peers.items()
        )
    return peers


def _peers_load(spec: MeasureSpec) -> dict[str, Spread]:
    return {
        p.kind: Spread(p.libraries, p.median, p.mad, p.mean_ad, p.mean, p.stddev, p.low, p.high)
        for p in PeerStats.objects.filter(measure=spec.measure)
    }


def _decimal(value: float | None) -> Decimal | None:
    if value is None or value == float("inf"):
        return None
    return Decimal(str(round(value, 2)))


def _flags_save(spec: MeasureSpec, found: list[_Found], scanned_libraries: set[int], full: bool) -> None:
    """Replace the measure's flags of the scanned libraries; a flag someone followed up stays as history."""
    places = dict(
        (pk, (province, regency or ""))
        for pk, province, regency in Library.objects.filter(pk__in={f.library_id for f in found}).values_list(
            "pk", "province_id", "regency_id"
        )
    )
    now = timezone.now()
    keep = {f.record_id for f in found}
    stale = OutlierFlag.objects.filter(measure=spec.measure, status=FollowUp.OPEN)
    if not full:
        stale = stale.filter(library_id__in=sorted(scanned_libraries))
    with transaction.atomic():
        stale_ids = [pk for pk, record_id in stale.values_list("pk", "record_id") if record_id not in keep]
        for start in range(0, len(stale_ids), 5000):
            OutlierFlag.objects.filter(pk__in=stale_ids[start : start + 5000]).delete()
        OutlierFlag.objects.bulk_create(
            [
                OutlierFlag(
                    record_type=spec.record_type,
                    record_id=f.record_id,
                    measure=spec.measure,
                    library_id=f.library_id,
                    province_id=places[f.library_id][0],
                    regency_id=places[f.library_id][1],
                    year=f.year,
                    month=f.month,
                    value=_decimal(f.value) or Decimal(0),
                    basis=f.basis,
                    usual_low=_decimal(f.usual[0]) if f.usual else None,
                    usual_high=_decimal(f.usual[1]) if f.usual else None,
                    z_score=f.z,
                    modified_z=f.modified_z,
                    distance=f.distance,
                    high=f.high,
                    found_at=now,
                )
                for f in found
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["record_type", "record_id", "measure"],
            update_fields=[
                "value",
                "basis",
                "usual_low",
                "usual_high",
                "z_score",
                "modified_z",
                "distance",
                "high",
                "found_at",
                "year",
                "month",
            ],
        )


def outliers_scan(
    *, library_ids: Iterable[int] | None = None, models: Iterable[type[Any]] | None = None, today: dt.date | None = None
) -> ScanResult:
    """Scan the nation (no library_ids: also refreshes the peer spreads) or a few libraries after a change."""
    specs = list(SPECS.values()) if models is None else [s for m in models for s in specs_for_model(m)]
    ids = None if library_ids is None else set(library_ids)
    limits = limits_for([s.measure for s in specs])
    result = ScanResult()
    for spec in specs:
        found, seen, scanned = _scan_measure(
            spec, limits=limits[spec.measure], library_ids=ids, today=today or timezone.localdate()
        )
        _flags_save(spec, found, scanned | (ids or set()), full=ids is None)
        result.values += seen
        result.flags += len(found)
        result.by_measure[spec.measure] = len(found)
    return result
