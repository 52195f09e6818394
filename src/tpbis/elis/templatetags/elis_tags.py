from __future__ import annotations

from typing import Any

from django import template

from tpbis.elis.selectors import CoreFinished, LearnLink, core_finished, learn_links

register = template.Library()


@register.simple_tag
def elis_learn_links(parts: list[dict[str, Any]] | None) -> list[LearnLink]:
    """Lessons that teach the KPI components a library has not fully met (for its score explanation)."""
    return learn_links(parts or [])


@register.simple_tag
def elis_core_finished(region: str | None = None, library: int | None = None) -> CoreFinished:
    """For the rapor and the gathering report: managers who finished the core course."""
    return core_finished(region=region or None, library_id=library or None)
