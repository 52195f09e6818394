from __future__ import annotations

from conftest import World


def test_it_offers_villages_for_a_typed_fragment(world: World) -> None:
    response = world.client_for(world.facilitator_3524).get("/wilayah/cari/", {"picker_q": "labruk", "level": "4"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Labruk Kidul, Kec. Sumbersuko, Kab. Lumajang, Jawa Timur" in body
    assert 'data-code="35.08.21.2004"' in body


def test_it_says_when_nothing_matches(world: World) -> None:
    response = world.client_for(world.national).get("/wilayah/cari/", {"q": "zzzqqq"})
    assert "Tidak ada wilayah yang cocok" in response.content.decode()


def test_it_requires_login(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/wilayah/cari/", {"q": "labruk"}).status_code == 302
