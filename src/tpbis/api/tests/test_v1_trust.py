"""The REST API's answers at its edges: bodies that are not objects, dates that are not dates, oversize
bodies, missing credentials, regions out of scope, guessed tokens and the public floor of the stats."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from conftest import World
from tpbis.api.tokens import token_create
from tpbis.reports.models import Status
from tpbis.reports.tests.test_verification import make_engagement


def _token_client(world: World, user: Any = None, **extra: Any) -> Client:
    _, key = token_create(user=user or world.manager, name="uji", read_only=False)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", **extra)


@pytest.mark.parametrize("body", ["123", "[null,null]", "null", '"tarik"', "true"])
def test_it_refuses_a_withdraw_body_that_is_not_an_object(world: World, body: str) -> None:
    record = make_engagement(world)
    response = _token_client(world).post(
        f"/api/v1/records/pelibatan/{record.pk}/withdraw", data=body, content_type="application/json"
    )
    assert response.status_code == 422
    assert "objek JSON" in response.json()["message"]
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED


@pytest.mark.parametrize("body", ["", "{}", '{"comment": "salah input"}'])
def test_it_withdraws_with_an_empty_body_or_an_object(world: World, body: str) -> None:
    record = make_engagement(world)
    response = _token_client(world).post(
        f"/api/v1/records/pelibatan/{record.pk}/withdraw", data=body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.WITHDRAWN


@pytest.mark.parametrize("query", ["start=0", "end=0", "start=1700000000", "start=2024-1-1", "end=kemarin"])
def test_it_refuses_a_list_date_that_is_not_an_iso_date(world: World, query: str) -> None:
    make_engagement(world)
    response = _token_client(world).get(f"/api/v1/records/pelibatan?{query}")
    assert response.status_code == 422
    field = query.split("=")[0]
    assert field in response.json()["errors"]


def test_it_filters_a_list_by_iso_dates(world: World) -> None:
    record = make_engagement(world)
    assert record.date is not None
    day = record.date.isoformat()
    listed = _token_client(world).get(f"/api/v1/records/pelibatan?start={day}&end={day}").json()
    assert [item["id"] for item in listed["items"]] == [record.pk]


def test_it_refuses_page_zero(world: World) -> None:
    assert _token_client(world).get("/api/v1/records/pelibatan?page=0").status_code == 422


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_it_answers_an_oversize_body_with_json(world: World) -> None:
    record = make_engagement(world)
    body = json.dumps({"comment": "x" * 5000})
    response = _token_client(world).post(
        f"/api/v1/records/pelibatan/{record.pk}/withdraw", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "terlalu besar" in response.json()["message"]
    # The compatible API only reads: whatever the size of a body, its refusal is JSON too.
    compat = _token_client(world).post("/api/pelibatan35", data=body, content_type="application/json")
    assert compat["Content-Type"].startswith("application/json")
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED


def test_it_asks_an_anonymous_writer_to_authenticate(world: World) -> None:
    record = make_engagement(world)
    # A real browser or script without a session: the CSRF check must not turn "who are you?" into 403.
    client = Client(enforce_csrf_checks=True)
    for method, path in (
        ("post", f"/api/v1/records/pelibatan/{record.pk}/verify"),
        ("post", "/api/v1/records/pelibatan"),
        ("put", f"/api/v1/records/pelibatan/{record.pk}"),
        ("get", "/api/v1/me"),
    ):
        kwargs = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 401, (method, path)
        assert response["WWW-Authenticate"].startswith("Bearer")
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED


def test_it_still_checks_csrf_for_a_signed_in_session(world: World) -> None:
    record = make_engagement(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.facilitator_3524)
    assert client.post(f"/api/v1/records/pelibatan/{record.pk}/verify").status_code == 403


@pytest.mark.parametrize("record_type", ["pelibatan", "advokasi", "pengunjung", "replikasi"])
def test_it_hides_a_region_out_of_scope_as_not_found(world: World, record_type: str) -> None:
    client = _token_client(world, world.facilitator_3524)
    for region in ("19.05", "19", "35.08.21.2004"):
        response = client.get(f"/api/v1/records/{record_type}?region={region}")
        assert response.status_code == 404, region
        assert response.json()["message"]
    assert client.get(f"/api/v1/records/{record_type}?region=35.24").status_code == 200


# ------------------------------------------------------------------------------------- guessed tokens


@pytest.fixture
def _token_limit(settings: Any) -> None:
    settings.API_TOKEN_FAILURE_LIMIT = 5
    settings.API_TOKEN_FAILURE_WINDOW = 900


@pytest.mark.usefixtures("_token_limit")
def test_it_blocks_an_address_that_guesses_tokens(world: World) -> None:
    for i in range(5):
        guess = Client(HTTP_AUTHORIZATION=f"Bearer tpbis_tebakan{i}", REMOTE_ADDR="203.0.113.7")
        assert guess.get("/api/v1/me").status_code == 401
    blocked = Client(HTTP_AUTHORIZATION="Bearer tpbis_tebakan9", REMOTE_ADDR="203.0.113.7").get("/api/v1/me")
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 900
    assert "Coba lagi dalam" in blocked.json()["message"]
    # Even a real token from that address waits: otherwise the answer would still tell a good guess apart.
    real = _token_client(world, REMOTE_ADDR="203.0.113.7").get("/api/v1/me")
    assert real.status_code == 429


@pytest.mark.usefixtures("_token_limit")
def test_it_lets_other_addresses_use_their_tokens(world: World) -> None:
    for i in range(8):
        Client(HTTP_AUTHORIZATION=f"Bearer tpbis_tebakan{i}", REMOTE_ADDR="203.0.113.7").get("/api/v1/me")
    response = _token_client(world, REMOTE_ADDR="198.51.100.20").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == world.manager.email


@pytest.mark.usefixtures("_token_limit")
def test_it_blocks_token_guessing_on_the_compatible_api(world: World, settings: Any) -> None:
    settings.SIM_API_REQUIRE_TOKEN = True
    for i in range(5):
        assert Client(REMOTE_ADDR="203.0.113.7").get(f"/api/pelibatan35?token=tpbis_x{i}").status_code == 401
    blocked = Client(REMOTE_ADDR="203.0.113.7").get("/api/pelibatan35?token=tpbis_x9")
    assert blocked.status_code == 429
    assert blocked.json()["status"] == "error"
    assert int(blocked["Retry-After"]) > 0
    assert _token_client(world, REMOTE_ADDR="198.51.100.20").get("/api/pelibatan35").status_code == 200


# ---------------------------------------------------------------------------------- public floor


def test_it_keeps_anonymous_stats_at_kabupaten_level_or_above(world: World) -> None:
    make_engagement(world)
    client = Client()
    for code in ("", "35", "35.24", "3524"):
        assert client.get(f"/api/v1/stats?region={code}").status_code == 200, code
    for code in ("35.24.01", "35.24.01.2001", "3524012001"):
        response = client.get(f"/api/v1/stats?region={code}")
        assert response.status_code == 404, code
        assert "kabupaten/kota" in response.json()["message"]


def test_it_gives_the_same_figures_as_the_public_page(world: World) -> None:
    make_engagement(world)
    stats = Client().get("/api/v1/stats?region=35.24").json()
    page = Client().get("/capaian/?wilayah=35.24")
    figures = page.context["figures"]
    assert stats["records"]["pelibatan"] == {
        "submitted": figures.records["pelibatan"].submitted,
        "verified": figures.records["pelibatan"].verified,
    }
    assert stats["partners"]["total"] == figures.partners.total


def test_it_gives_a_signed_in_caller_deeper_stats_within_scope(world: World) -> None:
    make_engagement(world)
    facilitator = _token_client(world, world.facilitator_3524)
    response = facilitator.get("/api/v1/stats?region=35.24.01.2001")
    assert response.status_code == 200
    assert response.json()["records"]["pelibatan"]["submitted"] == 1
    assert facilitator.get("/api/v1/stats?region=35.08.21.2004").status_code == 404
    session = world.client_for(world.facilitator_3524)
    assert session.get("/api/v1/stats?region=35.24.01").status_code == 200
    # A manager's scope is their library, not its village: a village's figures hold other libraries.
    manager = world.client_for(world.manager)
    assert manager.get("/api/v1/stats?region=35.24.01.2001").status_code == 404
    # Above the floor everyone gets the public figures, whatever their scope.
    assert manager.get("/api/v1/stats?region=19.05").status_code == 200
