"""Keep stored scores fresh: a change to a library's records rescores it in the same transaction, so
the facilitator's next page load already shows the new score and colour.

With `months` (per library, the first days of the months whose records changed) only those month facts
are recounted and only the month ends from there to December are rescored; a library without months is
recounted whole."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from tpbis.kpi.services import kpi_apply
from tpbis.reports.signals import records_changed


@receiver(records_changed)
def rescore_libraries(
    sender: Any, library_ids: set[int], months: dict[int, set[dt.date]] | None = None, **kwargs: Any
) -> None:
    kpi_apply(library_ids=set(library_ids), months=months)
