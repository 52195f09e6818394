"""Links sent out start with SITE_URL, else with the address the request came on, else the background default."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from conftest import World
from tpbis.core.links import absolute_url, site_url
from tpbis.gatherings.services import whatsapp_text
from tpbis.gatherings.tests.helpers import gathering_make


@pytest.fixture
def no_site_url(settings: Any) -> None:
    settings.SITE_URL = ""
    settings.BACKGROUND_SITE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "sim.perpusdes.id"]


def _invitation_text(world: World, *, secure: bool = False, **headers: str) -> str:
    client = Client(**headers)
    client.force_login(world.facilitator_3524)
    response = client.post(
        f"/mitra/{world.lamongan_village.pk}/undang/", {"name": "Bu Sri", "phone": "081234"}, secure=secure
    )
    assert response.status_code == 200
    match = re.search(r'<pre class="share" id="invite-text">(.*?)</pre>', response.content.decode(), re.S)
    assert match, "the invitation text is shown"
    return match.group(1)


def test_it_links_an_invitation_to_the_address_the_facilitator_used(world: World, no_site_url: None) -> None:
    text = _invitation_text(world, HTTP_HOST="127.0.0.1:8123")
    assert re.search(r"http://127\.0\.0\.1:8123/akun/aktivasi/[\w-]+/", text), text
    assert ":8000" not in text


def test_it_links_to_the_name_and_scheme_of_the_request(world: World, no_site_url: None) -> None:
    text = _invitation_text(world, HTTP_HOST="sim.perpusdes.id", secure=True)
    assert "https://sim.perpusdes.id/akun/aktivasi/" in text


def test_site_url_wins_when_it_is_set(world: World, settings: Any) -> None:
    settings.SITE_URL = "https://sim-tpbis.jatimprov.go.id"
    text = _invitation_text(world, HTTP_HOST="127.0.0.1:8123")
    assert "https://sim-tpbis.jatimprov.go.id/akun/aktivasi/" in text
    assert "8123" not in text


def test_without_a_request_links_use_the_background_address(world: World, settings: Any) -> None:
    settings.SITE_URL = ""
    settings.BACKGROUND_SITE_URL = "http://127.0.0.1:8123"
    gathering = gathering_make(actor=world.facilitator_3524, region_code="35.24")
    assert f"http://127.0.0.1:8123/gathering/{gathering.pk}/" in whatsapp_text(gathering)
    assert site_url() == "http://127.0.0.1:8123"
    assert absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"


def test_the_gathering_check_in_code_points_at_the_address_used(world: World, no_site_url: None) -> None:
    gathering = gathering_make(actor=world.facilitator_3524, region_code="35.24")
    client = Client(HTTP_HOST="127.0.0.1:8123")
    client.force_login(world.facilitator_3524)
    page = client.get(f"/gathering/{gathering.pk}/").content.decode()
    assert f"http://127.0.0.1:8123/gathering/{gathering.pk}/hadir/" in page
    assert "127.0.0.1:8000" not in page
