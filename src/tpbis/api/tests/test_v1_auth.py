"""REST API v1 authorization: each persona sees its scope (200), nothing outside it (404), and a
read-only token cannot write (403)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from conftest import World
from tpbis.accounts.models import User
from tpbis.api.tokens import token_create
from tpbis.libraries.models import Library
from tpbis.reports.models import CommunityEngagement, Status
from tpbis.reports.photos import photos_prepare
from tpbis.reports.services import record_create
from tpbis.reports.tests.test_entry import jpeg
from tpbis.reports.tests.test_verification import TODAY, make_engagement

PERSONAS = ("national", "province_35", "facilitator_3524", "facilitator_1905", "manager")
# The library each persona can reach, and one it cannot (None: the nation reaches everything).
REACH: dict[str, tuple[str, str | None]] = {
    "national": ("belo_laut", None),
    "province_35": ("lumajang_village", "belo_laut"),
    "facilitator_3524": ("lamongan_district", "lumajang_village"),
    "facilitator_1905": ("belo_laut", "lamongan_village"),
    "manager": ("lamongan_village", "lumajang_village"),
}


@dataclass
class Setup:
    user: User
    inside: Library
    outside: Library | None
    inside_record: CommunityEngagement
    outside_record: CommunityEngagement | None


def _record(world: World, library: Library) -> CommunityEngagement:
    record, _ = record_create(
        model=CommunityEngagement,
        user=None,
        library=library,
        data={
            "date": TODAY,
            "title": f"Kegiatan di {library.name}",
            "activity_field": "Pendidikan",
            "activity_kind": "Pelatihan",
            "audience": "Umum",
            "participants": 12,
        },
        photos=photos_prepare(files=[jpeg()]),
    )
    return record


def _setup(world: World, persona: str) -> Setup:
    inside_name, outside_name = REACH[persona]
    inside: Library = getattr(world, inside_name)
    outside: Library | None = getattr(world, outside_name) if outside_name else None
    return Setup(
        user=getattr(world, persona),
        inside=inside,
        outside=outside,
        inside_record=_record(world, inside),
        outside_record=_record(world, outside) if outside else None,
    )


def _client(user: User, *, read_only: bool) -> Client:
    _, key = token_create(user=user, name="uji", read_only=read_only)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _reads(library: Library, record: CommunityEngagement) -> list[str]:
    return [
        f"/api/v1/partners/{library.pk}",
        f"/api/v1/partners?region={library.region_id}",
        f"/api/v1/records/pelibatan/{record.pk}",
        f"/api/v1/records/pelibatan?library_id={library.pk}",
    ]


def _update_body(record: CommunityEngagement) -> dict[str, Any]:
    return {
        "date": record.date.isoformat() if record.date else None,
        "title": record.title + " (diperbaiki)",
        "activity_field": record.activity_field,
        "activity_kind": record.activity_kind,
        "audience": record.audience,
        "participants": record.participants,
    }


def _writes(record: CommunityEngagement) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"/api/v1/records/pelibatan/{record.pk}"
    return [
        ("put", base, _update_body(record)),
        ("post", f"{base}/withdraw", {"comment": "salah input"}),
    ]


def _send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_reads_in_scope_and_hides_the_rest(world: World, persona: str) -> None:
    setup = _setup(world, persona)
    client = _client(setup.user, read_only=True)
    for path in _reads(setup.inside, setup.inside_record):
        assert client.get(path).status_code == 200, path
    assert client.get("/api/v1/me").json()["email"] == setup.user.email
    assert client.get("/api/v1/regions?parent=35").status_code == 200
    if setup.outside is None or setup.outside_record is None:
        return
    for path in _reads(setup.outside, setup.outside_record):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["message"]
    listed = client.get("/api/v1/records/pelibatan").json()
    assert setup.outside_record.pk not in {item["id"] for item in listed["items"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_writes_in_scope_only(world: World, persona: str) -> None:
    setup = _setup(world, persona)
    client = _client(setup.user, read_only=False)
    for method, path, body in _writes(setup.inside_record):
        response = _send(client, method, path, body)
        assert response.status_code == 200, (path, response.content)
    if setup.outside_record is None:
        return
    for method, path, body in _writes(setup.outside_record):
        assert _send(client, method, path, body).status_code == 404, path
    setup.outside_record.refresh_from_db()
    assert setup.outside_record.status == Status.SUBMITTED


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_writes_with_a_read_only_token(world: World, persona: str) -> None:
    setup = _setup(world, persona)
    client = _client(setup.user, read_only=True)
    for method, path, body in _writes(setup.inside_record):
        response = _send(client, method, path, body)
        assert response.status_code == 403, path
    setup.inside_record.refresh_from_db()
    assert setup.inside_record.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("national", 200), ("province_35", 200), ("facilitator_3524", 200), ("manager", 403)],
)
def test_it_lets_only_verifiers_verify(world: World, persona: str, expected: int) -> None:
    record = make_engagement(world)
    client = _client(getattr(world, persona), read_only=False)
    assert client.post(f"/api/v1/records/pelibatan/{record.pk}/verify").status_code == expected
    out_of_scope = _client(world.facilitator_1905, read_only=False)
    response = _send(out_of_scope, "post", f"/api/v1/records/pelibatan/{record.pk}/return", {"comment": "x"})
    assert response.status_code == 404


def test_it_hides_another_library_of_the_same_kabupaten_from_a_manager(world: World) -> None:
    record = _record(world, world.lamongan_district)
    client = _client(world.manager, read_only=True)
    assert client.get(f"/api/v1/partners/{world.lamongan_district.pk}").status_code == 404
    assert client.get(f"/api/v1/records/pelibatan/{record.pk}").status_code == 404


def test_it_returns_with_a_comment(world: World) -> None:
    record = make_engagement(world)
    client = _client(world.facilitator_3524, read_only=False)
    response = _send(client, "post", f"/api/v1/records/pelibatan/{record.pk}/return", {"comment": "Foto buram"})
    assert response.status_code == 200
    assert response.json()["status"] == Status.RETURNED
    assert response.json()["return_comment"] == "Foto buram"


def test_it_wants_a_token_or_a_session(world: World) -> None:
    assert Client().get("/api/v1/me").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer nope").get("/api/v1/me").status_code == 401
    session = world.client_for(world.manager)
    assert session.get("/api/v1/me").json()["role"] == "pengelola"


def test_it_checks_csrf_for_session_writes(world: World) -> None:
    record = make_engagement(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.facilitator_3524)
    response = client.post(f"/api/v1/records/pelibatan/{record.pk}/verify")
    assert response.status_code == 403
