"""Template filters of the KPI pages."""

from __future__ import annotations

from django import template

from tpbis.kpi.engine import shown_label
from tpbis.libraries.models import LibraryKind

register = template.Library()


@register.filter
def shown(name: str) -> str:
    """A scheme's or component's name in the reader's language (`{{ scheme.name|shown }}`)."""
    return shown_label(str(name))


@register.filter
def kind_labels(kinds: list[str]) -> str:
    """Library kinds as people call them ("Perpustakaan desa/kelurahan, TBM"), not their codes."""
    labels = dict(LibraryKind.choices)
    return ", ".join(str(labels.get(kind, kind)) for kind in kinds)
