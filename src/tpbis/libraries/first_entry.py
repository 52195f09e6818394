"""The walkthrough a new manager sees on their library's page until their first entry (*panduan laporan pertama*)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists
from django.urls import NoReverseMatch, reverse

from tpbis.accounts.models import DismissedTip, Role, User
from tpbis.libraries.models import Library
from tpbis.reports.models import record_models

FIRST_ENTRY_TIP = "first_entry"
HELP_PATH = "/bantuan/"
ACTIVITY_GUIDE_SLUG = "kegiatan-dan-foto"  # the help app's guide "how to enter an activity with photos"


@dataclass(frozen=True)
class FirstEntryGuide:
    help_url: str  # all guides (/bantuan/)
    guide_url: str  # the guide to entering an activity with photos


def first_entry_guide(*, user: User, library: Library, role: str | None) -> FirstEntryGuide | None:
    """The walkthrough to show on the library's page, or None when it is not (or no longer) due."""
    if not first_entry_due(user=user, library=library, role=role):
        return None
    try:
        return FirstEntryGuide(
            help_url=reverse("help:index"), guide_url=reverse("help:page", args=[ACTIVITY_GUIDE_SLUG])
        )
    except NoReverseMatch:  # the help app registers these names; without it, its path still works
        return FirstEntryGuide(help_url=HELP_PATH, guide_url=HELP_PATH)


def first_entry_due(*, user: User, library: Library, role: str | None) -> bool:
    """True for a manager of an active library that has no record yet, who never entered one anywhere and has
    not closed the guide. One query."""
    if role != Role.MANAGER or not library.is_active:
        return False
    conditions: list[Any] = [Exists(DismissedTip.objects.filter(user_id=user.pk, key=FIRST_ENTRY_TIP))]
    for model in record_models().values():
        conditions.append(Exists(model.objects.filter(library_id=library.pk)))
        conditions.append(Exists(model.objects.filter(entered_by_id=user.pk)))
    return not Library.objects.filter(pk=library.pk).filter(reduce(or_, conditions)).exists()
