"""A gathering for tests, made through the service as the organiser would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tpbis.accounts.models import User
from tpbis.accounts.scope import scope_for_user
from tpbis.gatherings.models import Gathering
from tpbis.gatherings.services import GatheringData, gathering_create

PERIOD = (dt.date(2024, 1, 1), dt.date(2024, 9, 30))


def gathering_make(*, actor: User, region_code: str, **extra: Any) -> Gathering:
    fields: dict[str, Any] = {
        "title": "Gathering uji",
        "date": timezone.localdate() + dt.timedelta(days=7),
        "start_time": dt.time(9, 0),
        "end_time": dt.time(12, 0),
        "region_code": region_code,
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        "online_link": "https://zoom.us/j/123",
        "speakers": (("Ibu Rina", "Pelatih Ahli"),),
        **extra,
    }
    return gathering_create(actor=actor, scope=scope_for_user(actor), data=GatheringData(**fields))


def started_now(gathering: Gathering) -> Gathering:
    """Move the gathering to today, from an hour ago, so check-in is open."""
    now = timezone.localtime()
    start = (now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    Gathering.objects.filter(pk=gathering.pk).update(date=now.date(), start_time=start, end_time=dt.time(23, 59))
    gathering.refresh_from_db()
    return gathering
