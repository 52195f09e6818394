"""Creating and revoking an API token is audited: who, when, which token, never the key."""

from __future__ import annotations

import re

from django.utils import timezone

from conftest import World
from tpbis.api.models import ApiToken
from tpbis.audit.models import AuditAction, AuditEvent
from tpbis.audit.selectors import change_lines


def test_it_records_a_token_created_and_revoked_without_its_key(world: World) -> None:
    client = world.client_for(world.facilitator_3524)
    page = client.post("/akun/token/", {"name": "Dasbor Lamongan", "read_only": "1"}).content.decode()
    key = re.search(r'<code id="new-key">([^<]+)</code>', page).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get()
    client.post(f"/akun/token/{token.pk}/cabut/")
    client.post(f"/akun/token/{token.pk}/cabut/")  # already revoked: nothing more to record

    created, revoked = AuditEvent.objects.filter(object_id=token.pk, content_type__model="apitoken").order_by("pk")
    assert (created.action, created.actor) == (AuditAction.TOKEN_CREATE, world.facilitator_3524)
    assert (revoked.action, revoked.actor) == (AuditAction.TOKEN_REVOKE, world.facilitator_3524)
    assert created.changes["name"] == [None, "Dasbor Lamongan"]
    assert created.changes["read_only"] == [None, "ya"]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert revoked.changes["revoked_at"] == [
        None,
        timezone.localtime(token.revoked_at).replace(microsecond=0).isoformat(),
    ]
    assert key not in str(created.changes) and key not in created.object_repr
    labels = [line.label for line in change_lines(created)]
    assert labels == ["Nama token", "Awalan kunci", "Hanya baca"]
