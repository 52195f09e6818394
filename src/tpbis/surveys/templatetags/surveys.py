"""Tags with which lower pages show the survey without importing this app: the library page's one-line
summary beside its KPI, and the activity record's link to its survey."""

from __future__ import annotations

from typing import Any

from django import template

from tpbis.surveys.models import Survey
from tpbis.surveys.selectors import MIN_GROUP, tally_for_library

register = template.Library()


@register.inclusion_tag("surveys/_library_summary.html", takes_context=True)
def survey_summary(context: template.Context, library: Any) -> dict[str, Any]:
    """ "Survei manfaat: 23 jawaban, 87% ingin datang lagi" (one query); nothing when no one answered."""
    scope = getattr(context.get("request"), "scope", None)
    if scope is None:
        return {"tally": None}
    return {"tally": tally_for_library(library_id=library.pk, scope=scope), "min_group": MIN_GROUP}


@register.inclusion_tag("surveys/_record_link.html")
def survey_link(record: Any, record_type: str) -> dict[str, Any]:
    """The link from a community-engagement record (already fetched in scope) to its survey."""
    if record_type != "pelibatan":
        return {"record": None}
    survey = Survey.objects.filter(engagement_id=record.pk).only("is_open").first()
    return {"record": record, "survey": survey}
