"""Signals other apps listen to (the KPI keeps scores fresh) without the reports app knowing them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.dispatch import Signal

# Sent after records of some libraries were created, changed, verified, returned or withdrawn, inside the
# same transaction, with:
#
# - `library_ids`: a set of library ids (ints) whose records changed;
# - `months` (optional): `dict[int, set[datetime.date]] | None` — per library id, the first days of the
#   months whose records changed. An edit that moves a record to another month or year names both the old
#   and the new month; a monthly record (information service, visitors) names date(year, month, 1). A
#   library id in `library_ids` but missing from `months`, or `months=None`, means "unknown": the listener
#   treats every month of that library as changed (as a bulk import of the old SIM or a merge of duplicates
#   does). An empty set means no month of that library changed.
records_changed = Signal()


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def record_month(record: Any) -> dt.date | None:
    """The first day of the month a record counts in; None when it has no date yet (an unfinished draft)."""
    date = getattr(record, "date", None)
    if isinstance(date, dt.date):
        return first_of_month(date)
    year, month = getattr(record, "year", None), getattr(record, "month", None)
    if year and month:
        return dt.date(int(year), int(month), 1)
    return None


def record_months(records: Iterable[Any]) -> dict[int, set[dt.date]]:
    """`months` for `records_changed`: the months of these records per library.

    A library with a record whose month cannot be told (no date, or a type without one) is left out, so
    listeners treat all of it as changed.
    """
    months: dict[int, set[dt.date]] = {}
    unknown: set[int] = set()
    for record in records:
        library_id = getattr(record, "library_id", None)
        if not library_id:
            continue
        month = record_month(record)
        if month is None:
            unknown.add(library_id)
        else:
            months.setdefault(library_id, set()).add(month)
    return {library_id: dates for library_id, dates in months.items() if library_id not in unknown}
