"""REST API v1 entry: the web form's validation, idempotent submission, same-month and duplicate checks."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from django.test import Client

from conftest import World
from tpbis.api.tokens import token_create
from tpbis.reports.models import CommunityEngagement, Status, Visitors
from tpbis.reports.tests.test_entry import jpeg
from tpbis.reports.tests.test_verification import TODAY


def _client(world: World, user: Any = None) -> Client:
    _, key = token_create(user=user or world.manager, name="uji", read_only=False)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body, default=str), content_type="application/json")


def _engagement(world: World, **overrides: Any) -> dict[str, Any]:
    photo = base64.b64encode(jpeg().read()).decode()
    return {
        "library_id": world.lamongan_village.pk,
        "date": TODAY.isoformat(),
        "title": "Pelatihan membatik",
        "activity_field": "Ekonomi",
        "activity_kind": "Pelatihan",
        "audience": "Pelaku UMKM",
        "participants_male": 4,
        "participants_female": 11,
        "photos": [photo],
        **overrides,
    }


def test_it_saves_once_however_often_it_is_sent(world: World) -> None:
    client = _client(world)
    body = _engagement(world, client_id=str(uuid.uuid4()))

    first = _post(client, "/api/v1/records/pelibatan", body)
    again = _post(client, "/api/v1/records/pelibatan", body)

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert CommunityEngagement.objects.count() == 1
    saved = first.json()
    assert saved["participants"] == 15  # summed like the web form does
    assert saved["status"] == Status.SUBMITTED
    assert len(saved["photos"]) == 1


def test_it_refuses_what_the_web_form_refuses(world: World) -> None:
    response = _post(
        _client(world), "/api/v1/records/pelibatan", _engagement(world, activity_field="Memancing", photos=[])
    )
    assert response.status_code == 422
    body = response.json()
    assert body["message"]
    assert set(body["errors"]) == {"activity_field", "photos"} or "activity_field" in body["errors"]
    assert CommunityEngagement.objects.count() == 0


def test_it_answers_type_errors_with_field_errors(world: World) -> None:
    response = _post(_client(world), "/api/v1/records/pelibatan", _engagement(world, date="kemarin"))
    assert response.status_code == 422
    assert "date" in response.json()["errors"]


def test_it_points_to_the_existing_report_of_the_month(world: World) -> None:
    existing = Visitors.objects.create(library=world.lamongan_village, year=TODAY.year, month=TODAY.month, total=0)
    body = {"library_id": world.lamongan_village.pk, "year": TODAY.year, "month": TODAY.month, "male": 3, "female": 2}
    response = _post(_client(world), "/api/v1/records/pengunjung", body)
    assert response.status_code == 409
    assert response.json()["existing_id"] == existing.pk


def test_it_asks_to_confirm_a_likely_duplicate(world: World) -> None:
    client = _client(world)
    assert _post(client, "/api/v1/records/pelibatan", _engagement(world)).status_code == 201
    duplicate = _post(client, "/api/v1/records/pelibatan", _engagement(world))
    confirmed = _post(client, "/api/v1/records/pelibatan", _engagement(world, confirm_duplicate=True))
    assert duplicate.status_code == 409
    assert duplicate.json()["duplicates"]
    assert confirmed.status_code == 201


def test_it_refuses_a_library_outside_the_scope(world: World) -> None:
    response = _post(_client(world), "/api/v1/records/pelibatan", _engagement(world, library_id=world.belo_laut.pk))
    assert response.status_code == 404


def test_it_records_a_replication_for_a_facilitator_only(world: World) -> None:
    body = {"region": "3524", "year": TODAY.year, "funds": 5_000_000, "funding_source": "APBD", "villages": 3}
    assert _post(_client(world, world.facilitator_3524), "/api/v1/records/replikasi", body).status_code == 201
    assert _post(_client(world, world.manager), "/api/v1/records/replikasi", body).status_code == 403
    elsewhere = _post(_client(world, world.facilitator_1905), "/api/v1/records/replikasi", body)
    assert elsewhere.status_code == 422
    assert "region" in elsewhere.json()["errors"]


def test_it_lists_with_filters_and_pages(world: World) -> None:
    client = _client(world)
    for n in range(3):
        _post(
            client,
            "/api/v1/records/pelibatan",
            _engagement(world, title=["Lomba mewarnai", "Senam lansia", "Kelas komputer"][n]),
        )
    page = client.get("/api/v1/records/pelibatan", {"page_size": 2, "status": "submitted"}).json()
    assert (page["count"], page["pages"], len(page["items"])) == (3, 2, 2)
    assert client.get("/api/v1/records/pelibatan", {"status": "verified"}).json()["count"] == 0


def test_it_serves_its_openapi_schema_and_docs(world: World) -> None:
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/records/pelibatan" in paths
    assert "/api/v1/partners/{library_id}" in paths
    assert world.client_for(world.manager).get("/api/v1/docs").status_code == 200
