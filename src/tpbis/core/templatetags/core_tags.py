"""Small template helpers available in every template."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

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
