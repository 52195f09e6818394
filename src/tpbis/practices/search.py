"""Good practices in the site search (/cari/): the practices the viewer may read, newest first."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tpbis.accounts.scope import Scope
from tpbis.practices.models import Practice
from tpbis.practices.selectors import SEARCH_FIELDS, practice_qs_visible
from tpbis.search.matching import SearchText, text_match
from tpbis.search.selectors import ResultGroup, SearchHit, search_group, search_group_register


def _hit(practice: Practice) -> SearchHit:
    return SearchHit(
        title=practice.title,
        url=reverse("practices:detail", args=[practice.pk]),
        detail=" · ".join([practice.library.name, str(practice.get_status_display())]),
    )


def practices_search(scope: Scope, query: SearchText) -> ResultGroup:
    qs = practice_qs_visible(scope=scope).select_related("library")
    qs = text_match(qs, fields=SEARCH_FIELDS, query=query).order_by("-published_at", "-pk")
    return search_group("practices", _("Praktik baik"), qs, lambda rows: [_hit(row) for row in rows])


def practices_search_register() -> None:
    search_group_register("practices", practices_search)
