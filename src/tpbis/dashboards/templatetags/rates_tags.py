"""Reporting rates on pages: a rate as people write it ("72,5%", "–") and a library's line of the year."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from tpbis.dashboards.rates import LibraryYearReporting, deadline_day, library_reporting_year, rate_text
from tpbis.libraries.models import Library

register = template.Library()


@register.filter
def rate(value: float | None) -> str:
    """A rate in percent with one decimal in the language's style, "–" when nothing is expected."""
    return rate_text(value)


@register.simple_tag
def reporting_deadline_day() -> int:
    return deadline_day()


def _today() -> dt.date:
    return timezone.localdate()


@register.simple_tag
def library_reporting(library: Library) -> LibraryYearReporting:
    """This year's visitor reports of a library (two small queries)."""
    today = _today()
    return library_reporting_year(library=library, year=today.year, today=today)
