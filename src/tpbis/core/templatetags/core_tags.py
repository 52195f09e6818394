"""Small template helpers available in every template."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ counts|get_item:status }}`: look a key up in a dict (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def score(value: Any) -> str:
    """A KPI score or points as people write them: "97,5", "100", "–" when not assessed."""
    if value is None or value == "":
        return "–"
    number = Decimal(str(value)).normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return number_format(number, use_l10n=True)


@register.filter
def num(value: Any) -> Any:
    """A whole number with the language's thousands separator ("8.781" in Indonesian, "8,781" in English).

    What `intcomma` shows, without its per-call locale machinery: dashboards print hundreds of numbers.
    """
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        try:
            value = int(value)
        except (TypeError, ValueError):
            return value
    grouped = f"{int(value):,}"
    return grouped if (get_language() or "id").startswith("en") else grouped.replace(",", ".")


@register.filter
def pct1(value: Any) -> str:
    """A share with one decimal in the language's style ("66,7" in Indonesian, "66.7" in English), as
    `floatformat:1` shows it, for tables that print hundreds of them."""
    text = f"{float(value):.1f}"
    return text if (get_language() or "id").startswith("en") else text.replace(".", ",")


@register.filter
def month_name(value: Any) -> Any:
    """A month number as its name in the reader's language: 11 is "November", never "11/2026"."""
    try:
        return date_format(dt.date(2000, int(value), 1), "F")
    except (TypeError, ValueError):
        return value
