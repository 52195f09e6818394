"""The outlier check of the record import: a row far from its library's usual is a warning to confirm."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tpbis.core.tabular import RowError
from tpbis.quality.measures import MeasureSpec, specs_for_model
from tpbis.quality.models import OutlierFlag
from tpbis.quality.scan import MIN_HISTORY, _judge, _peers_load, _rows, _values_qs, limits_for, window_start
from tpbis.quality.selectors import flag_text
from tpbis.quality.stats import Spread, quantile, spread_of
from tpbis.reports.record_imports import ImportedRow, record_import_check_register, record_import_column


def _value(record: Any, spec: MeasureSpec) -> float | None:
    value = getattr(record, spec.field, None)
    return None if value is None else float(value)


def _histories(spec: MeasureSpec, library_ids: set[int]) -> dict[int, list[float]]:
    qs = _values_qs(spec, window_start(timezone.localdate()), library_ids)
    values: dict[int, list[float]] = {}
    for _pk, library_id, _year, _month, value in _rows(spec, qs):
        values.setdefault(library_id, []).append(value)
    return values


def outliers_import_check(model: type[Any], rows: Sequence[ImportedRow]) -> list[RowError]:
    """Warnings for imported values far from the library's history (or its peers, or the bounds)."""
    specs = specs_for_model(model)
    if not specs or not rows:
        return []
    limits = limits_for([s.measure for s in specs])
    warnings: list[RowError] = []
    kinds = {row.record.library_id: row.record.library.kind for row in rows}
    for spec in specs:
        histories = _histories(spec, set(kinds))
        peers = _peers_load(spec)
        for row in rows:
            value = _value(row.record, spec)
            if value is None:
                continue
            history = histories.get(row.record.library_id, [])
            spread: Spread | None
            if len(history) >= MIN_HISTORY:
                spread, basis = spread_of(history), "history"
                ordered = sorted(history)
                usual = (quantile(ordered, 0.1), quantile(ordered, 0.9))
            else:
                spread, basis = peers.get(kinds[row.record.library_id]), "peers"
                usual = (spread.low, spread.high) if spread else (0.0, 0.0)
            hit = _judge(
                (0, row.record.library_id, 0, 0, value), spread, basis, limits[spec.measure], lambda u=usual: u
            )
            if hit is None:
                continue
            flag = OutlierFlag(
                measure=spec.measure,
                value=Decimal(str(value)),
                basis=hit.basis,
                usual_low=Decimal(str(round(hit.usual[0], 2))) if hit.usual else None,
                usual_high=(
                    Decimal(str(round(hit.usual[1], 2))) if hit.usual and hit.usual[1] != float("inf") else None
                ),
                high=hit.high,
            )
            message = _("%(flag)s. Periksa lagi angkanya.") % {"flag": flag_text(flag)}
            warnings.append(RowError(row.line, record_import_column(model, spec.field), message))
    return warnings


def import_check_connect() -> None:
    record_import_check_register(outliers_import_check)
