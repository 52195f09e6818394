"""The deadline of a month's visitor report (*laporan pengunjung*): day `REPORTING_DEADLINE_DAY` (default 10)
of the following month. Shared by the reporting rates (dashboards/rates.py) and the summary cells that count
reports received on time (dashboards/services.py)."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings

DEFAULT_DEADLINE_DAY = 10


def deadline_day() -> int:
    """Day of the following month by which a month's visitor report is on time."""
    return int(getattr(settings, "REPORTING_DEADLINE_DAY", DEFAULT_DEADLINE_DAY))


def report_deadline(month: dt.date, day: int | None = None) -> dt.date:
    """The last day a month's report is on time (day D of the next month, or that month's last day)."""
    year, number = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    wanted = deadline_day() if day is None else day
    return dt.date(year, number, min(wanted, calendar.monthrange(year, number)[1]))
