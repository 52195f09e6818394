"""`{% manager_worklist library explained returned as worklist %}`: the manager's panel on a library page.

A tag rather than a view context so that the library page (a lower floor) composes it without importing
this app: the template asks, the work list answers.
"""

from __future__ import annotations

from typing import Any

from django import template

from tpbis.kpi.selectors import Explained
from tpbis.libraries.models import Library
from tpbis.worklists.manager import ManagerWorklist, manager_worklist

register = template.Library()


@register.simple_tag(takes_context=True)
def manager_worklist_for(
    context: template.Context, library: Library, explained: Explained | None, returned: list[Any]
) -> ManagerWorklist | None:
    """The panel for the library's own managers; None for anybody else (facilitators see the page as is)."""
    request = context.get("request")
    scope = getattr(request, "scope", None)
    if scope is None or library.pk not in scope.libraries:
        return None
    return manager_worklist(library=library, explained=explained, returned=returned)
