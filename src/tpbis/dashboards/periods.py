"""Reporting periods: presets (this year to date, quarters, months, last year) or any two dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import QueryDict
from django.utils import formats
from django.utils.translation import gettext as _

from tpbis.dashboards.selectors import month_last
from tpbis.libraries.models import FIRST_COHORT_YEAR


@dataclass(frozen=True)
class Period:
    key: str  # preset key, or "custom"
    label: str
    start: dt.date
    end: dt.date


def presets(today: dt.date) -> list[Period]:
    """This year to date, each started quarter and month of this year, and last year."""
    year = today.year
    periods = [Period("ytd", _("Tahun ini s.d. hari ini"), dt.date(year, 1, 1), today)]
    for quarter in range(1, 5):
        first = dt.date(year, 3 * quarter - 2, 1)
        if first > today:
            break
        label = _("Triwulan %(n)s %(year)s") % {"n": quarter, "year": year}
        periods.append(Period(f"q{quarter}", label, first, month_last(dt.date(year, 3 * quarter, 1))))
    for month in range(1, today.month + 1):
        first = dt.date(year, month, 1)
        periods.append(Period(f"m{month:02d}", formats.date_format(first, "F Y"), first, month_last(first)))
    last_year = _("Tahun lalu (%(year)s)") % {"year": year - 1}
    periods.append(Period("last_year", last_year, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31)))
    return periods


def period_label(start: dt.date, end: dt.date) -> str:
    return f"{formats.date_format(start, 'j E Y')} – {formats.date_format(end, 'j E Y')}"


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def dates_check(start: dt.date | None, end: dt.date | None, today: dt.date) -> dict[str, str]:
    """Errors of a custom period, by field; empty when the dates are usable."""
    errors: dict[str, str] = {}
    if start is None:
        errors["start"] = _("Tanggal mulai tidak valid. Tulis sebagai TTTT-BB-HH, mis. 2024-01-01.")
    if end is None:
        errors["end"] = _("Tanggal akhir tidak valid. Tulis sebagai TTTT-BB-HH, mis. 2024-09-30.")
    if start and end:
        if start > end:
            errors["end"] = _("Tanggal akhir harus sama dengan atau sesudah tanggal mulai.")
        elif start.year < FIRST_COHORT_YEAR or end.year > today.year + 1:
            errors["start"] = _("Periode harus antara tahun %(first)s dan %(last)s.") % {
                "first": FIRST_COHORT_YEAR,
                "last": today.year + 1,
            }
    return errors


def period_from_query(query: QueryDict, today: dt.date) -> tuple[Period, dict[str, str]]:
    """The period a page asks for (`?periode=q1` or `?mulai=...&sampai=...`); the default and the
    errors when the request's dates are unusable."""
    options = presets(today)
    default = options[0]
    if query.get("mulai") or query.get("sampai"):
        start, end = _date(query.get("mulai", "")), _date(query.get("sampai", ""))
        errors = dates_check(start, end, today)
        if errors or start is None or end is None:
            return default, errors
        return Period("custom", period_label(start, end), start, end), {}
    key = query.get("periode") or default.key
    for option in options:
        if option.key == key:
            return option, {}
    return default, {"periode": _("Periode tidak dikenal; ditampilkan tahun ini s.d. hari ini.")}
