"""Small template helpers available in every template."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ counts|get_item:status }}`: look a key up in a dict (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
