"""Numbers, dates and the seeds' headline sentence as Indonesian readers write them ("8.781", "22 November 2026")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _


def number_text(value: int | float | Decimal | None) -> str:
    """A number with the active language's grouping and decimal mark; "–" for no value."""
    if value is None:
        return "–"
    if isinstance(value, float):
        # KPI explanations carry floats: 14.0 is "14", never "14,0"; 7.5 stays "7,5".
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        value = value.normalize()
        # normalize() writes 100 as 1E+2, which number_format would print in scientific notation.
        if value == value.to_integral_value():
            value = int(value)
    return number_format(value, use_l10n=True, force_grouping=True)


def date_text(value: dt.date) -> str:
    return date_format(value, "j F Y")


def period_text(start: dt.date, end: dt.date) -> str:
    return f"{date_text(start)} – {date_text(end)}"


def whole_percent(part: int, total: int) -> int:
    """The share in whole percent, rounded down as the seeds do (658 of 932 = 70.6% is "70%")."""
    return 100 * part // total if total else 0


@dataclass(frozen=True)
class Headline:
    """The figures a gathering report opens with."""

    partners: int
    engagement: int
    advocacy: int
    information: int
    green: int
    yellow: int
    red: int
    without_account: int


def headline_text(headline: Headline) -> str:
    """The sentence exactly as the East Java gathering reported it, for any region and period."""
    return _(
        "%(partners)s mitra, %(engagement)s kegiatan pelibatan masyarakat, %(advocacy)s advokasi, "
        "%(information)s peningkatan layanan informasi; KPI: %(green)s hijau, %(yellow)s kuning, %(red)s merah; "
        "%(without)s perpustakaan (%(pct)s%%) belum memiliki akun"
    ) % {
        "partners": number_text(headline.partners),
        "engagement": number_text(headline.engagement),
        "advocacy": number_text(headline.advocacy),
        "information": number_text(headline.information),
        "green": number_text(headline.green),
        "yellow": number_text(headline.yellow),
        "red": number_text(headline.red),
        "without": number_text(headline.without_account),
        "pct": whole_percent(headline.without_account, headline.partners),
    }
