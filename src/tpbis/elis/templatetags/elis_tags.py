from __future__ import annotations

from typing import Any

from django import template

from tpbis.elis.selectors import LearnLink, learn_links

register = template.Library()


@register.simple_tag
def elis_learn_links(parts: list[dict[str, Any]] | None) -> list[LearnLink]:
    """Lessons that teach the KPI components a library has not fully met (for its score explanation)."""
    return learn_links(parts or [])
