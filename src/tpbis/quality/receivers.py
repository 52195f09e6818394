"""How the lower apps reach the outlier scan: the records_changed signal, the verification queue's notes
and the record import's checks, connected from QualityConfig.ready()."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from tpbis.quality.measures import SPECS
from tpbis.reports.queue_notes import queue_row_annotation_register
from tpbis.reports.signals import records_changed

logger = logging.getLogger(__name__)
_MODELS = {spec.model for spec in SPECS.values()}


def _rescan(sender: Any, library_ids: set[int], **kwargs: Any) -> None:
    """Rescan the changed libraries once the change is committed, so the queue marks a new record."""
    if sender not in _MODELS or not library_ids:
        return
    ids = set(library_ids)

    def run() -> None:
        from tpbis.quality.scan import outliers_scan

        try:
            outliers_scan(library_ids=ids, models=[sender])
        except Exception:  # the record is saved already; a failed scan only delays its flag to the nightly scan
            logger.exception("outlier scan of libraries %s failed", sorted(ids))

    transaction.on_commit(run)


def _queue_notes(records: list[Any]) -> dict[int, list[str]]:
    from tpbis.quality.selectors import queue_flag_notes

    return queue_flag_notes(records)


def connect() -> None:
    records_changed.connect(_rescan, dispatch_uid="quality_outliers_rescan")
    queue_row_annotation_register("quality_outliers", _queue_notes)
    from tpbis.quality.checks import import_check_connect

    import_check_connect()
