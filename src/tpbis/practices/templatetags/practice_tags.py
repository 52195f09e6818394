from __future__ import annotations

from typing import Any

from django import template

from tpbis.practices.models import Practice
from tpbis.practices.selectors import try_this

register = template.Library()


@register.simple_tag
def practices_try_this(library: Any, explained: Any) -> list[Practice]:
    """ "Coba ini": published practices of libraries like this red or yellow one that raised a part it misses."""
    if not library or not explained:
        return []
    return try_this(library=library, explained=explained)
