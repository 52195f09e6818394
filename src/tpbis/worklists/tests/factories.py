"""Records for the work-list tests, written straight to the database (the entry rules are tested elsewhere)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tpbis.accounts.models import User
from tpbis.libraries.models import Library
from tpbis.reports.models import CommunityEngagement, Publicity, Status, Visitors


def backdate(record: Any, *, days: int) -> Any:
    """Move a record's creation (and last change) `days` into the past: auto_now fields ignore create()."""
    moment = timezone.now() - dt.timedelta(days=days)
    type(record).objects.filter(pk=record.pk).update(created_at=moment, updated_at=moment)
    record.refresh_from_db()
    return record


def engagement(
    library: Library, user: User | None, *, days_ago: int = 0, status: str = Status.SUBMITTED, **extra: Any
) -> CommunityEngagement:
    record = CommunityEngagement.objects.create(
        library=library,
        entered_by=user,
        status=status,
        date=timezone.localdate() - dt.timedelta(days=days_ago),
        title=extra.pop("title", f"Kegiatan {days_ago} hari lalu"),
        activity_field="Kesehatan",
        activity_kind="Promosi",
        audience="Umum",
        participants=extra.pop("participants", 20),
        **extra,
    )
    return backdate(record, days=days_ago)


def publicity(library: Library, user: User | None, *, days_ago: int = 0, status: str = Status.SUBMITTED) -> Publicity:
    record = Publicity.objects.create(
        library=library,
        entered_by=user,
        status=status,
        date=timezone.localdate() - dt.timedelta(days=days_ago),
        title=f"Berita {days_ago}",
        media_kind="Koran",
        media_name="Radar",
    )
    return backdate(record, days=days_ago)


def visitors(library: Library, user: User | None, *, year: int, month: int, status: str = Status.SUBMITTED) -> Visitors:
    return Visitors.objects.create(
        library=library, entered_by=user, status=status, year=year, month=month, male=3, female=4, total=7
    )
