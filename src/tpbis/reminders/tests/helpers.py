"""Data for the reminder tests: records on chosen days, managers, and rules narrowed to one kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import make_library, make_user
from tpbis.accounts.models import Role, User
from tpbis.libraries.models import Library
from tpbis.reminders.models import ReminderRule
from tpbis.reports.models import CommunityEngagement, Status, Visitors

# A Monday after the 10th: every kind of rule is due on it.
TODAY = dt.date(2026, 11, 16)


def engagement(library: Library, *, entered: dt.date, status: str = Status.SUBMITTED) -> CommunityEngagement:
    record = CommunityEngagement.objects.create(
        library=library,
        date=entered,
        title="Pelatihan literasi digital",
        activity_field="Inklusi Digital",
        activity_kind="Pelatihan",
        audience="Pelajar",
        participants=20,
        status=status,
        input_date=entered,
    )
    moment = timezone.make_aware(dt.datetime.combine(entered, dt.time(9)))
    CommunityEngagement.objects.filter(pk=record.pk).update(created_at=moment)
    return record


def visitors(library: Library, *, year: int, month: int) -> Visitors:
    return Visitors.objects.create(library=library, year=year, month=month, male=5, female=7, total=12)


def manager_of(library: Library, email: str) -> User:
    user = make_user(email, Role.MANAGER, library=library)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return user


def only(kind: str, **changes: Any) -> ReminderRule:
    """Switch every rule off but the national rule of `kind`, changed as given."""
    ReminderRule.objects.exclude(kind=kind, region__isnull=True).update(enabled=False)
    rule = ReminderRule.objects.get(kind=kind, region__isnull=True)
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.enabled = True
    rule.save()
    return rule


def villages(count: int, prefix: str = "Perpustakaan Uji") -> list[Library]:
    """`count` silent libraries with a manager each, in Kab. Lamongan."""
    made = []
    for i in range(count):
        library = make_library(f"{prefix} {i}", "35.24.01.2001")
        manager_of(library, f"uji{i}-{prefix.split()[-1].lower()}@example.id")
        made.append(library)
    return made
