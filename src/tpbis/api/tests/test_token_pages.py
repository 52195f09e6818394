"""Personal API tokens: created (key shown once), listed, revoked by their user only."""

from __future__ import annotations

import re

from django.test import Client

from conftest import World
from tpbis.api.models import ApiToken


def test_it_shows_a_new_key_once_and_stores_only_its_hash(world: World) -> None:
    client = world.client_for(world.facilitator_3524)
    page = client.post("/akun/token/", {"name": "Dasbor Lamongan", "read_only": "1"}).content.decode()
    key = re.search(r'<code id="new-key">([^<]+)</code>', page)
    assert key is not None
    token = ApiToken.objects.get()
    assert token.read_only
    assert key.group(1) not in token.key_hash
    assert key.group(1) not in client.get("/akun/token/").content.decode()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key.group(1)}").get("/api/v1/me").status_code == 200


def test_it_revokes_a_token(world: World) -> None:
    client = world.client_for(world.manager)
    page = client.post("/akun/token/", {"name": "Skrip", "read_only": "0"}).content.decode()
    key = re.search(r'<code id="new-key">([^<]+)</code>', page).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get()
    assert client.post(f"/akun/token/{token.pk}/cabut/").status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me").status_code == 401


def test_it_lets_nobody_else_revoke_it(world: World) -> None:
    world.client_for(world.manager).post("/akun/token/", {"name": "Skrip", "read_only": "1"})
    token = ApiToken.objects.get()
    assert world.client_for(world.national).post(f"/akun/token/{token.pk}/cabut/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
