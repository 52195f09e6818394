"""Dates and moments in the audit trail read "6 Des 2026, 14.30", never as stored ISO text."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import World
from tpbis.api.models import ApiToken
from tpbis.audit.models import AuditEvent
from tpbis.audit.selectors import shown_text


def test_it_shows_when_a_token_was_revoked_as_people_write_it(world: World) -> None:
    client = world.client_for(world.facilitator_3524)
    client.post("/akun/token/", {"name": "Dasbor Lamongan", "read_only": "1"})
    token = ApiToken.objects.get()
    client.post(f"/akun/token/{token.pk}/cabut/")
    moment = timezone.make_aware(dt.datetime(2026, 12, 6, 14, 30), timezone.get_fixed_timezone(7 * 60))
    event = AuditEvent.objects.get(object_id=token.pk, changes__has_key="revoked_at")
    AuditEvent.objects.filter(pk=event.pk).update(changes={"revoked_at": [None, moment.isoformat()]})

    page = world.client_for(world.national).get("/audit/").content.decode()

    assert "Dicabut pada: – → 6 Des 2026, 14.30" in page
    assert "2026-12-06T14:30" not in page


def test_it_writes_a_stored_day_without_a_time() -> None:
    assert shown_text("2026-12-06") == "6 Des 2026"
    assert shown_text("Rapat 2026-12-06") == "Rapat 2026-12-06"  # text that merely holds a date stays as typed
