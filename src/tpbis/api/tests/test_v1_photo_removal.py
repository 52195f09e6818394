"""REST API v1 correction with `remove_photos`: the web form's rules, scope, and JSON refusals."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from conftest import World
from tpbis.api.tests.test_v1_records import _client
from tpbis.reports.audit import audit_for
from tpbis.reports.models import AuditAction, CommunityEngagement, Photo, Status
from tpbis.reports.photos import photos_for
from tpbis.reports.tests.test_entry import jpeg
from tpbis.reports.tests.test_photo_removal import returned_engagement
from tpbis.reports.tests.test_verification import make_engagement


def _put(client: Client, record: CommunityEngagement, **extra: Any) -> Any:
    body = {
        "date": record.date.isoformat(),
        "title": record.title,
        "activity_field": record.activity_field,
        "activity_kind": record.activity_kind,
        "audience": record.audience,
        "participants": record.participants,
        **extra,
    }
    return client.put(f"/api/v1/records/pelibatan/{record.pk}", data=json.dumps(body), content_type="application/json")


def test_it_removes_and_adds_photos_in_one_correction(world: World, django_capture_on_commit_callbacks: Any) -> None:
    record = returned_engagement(world, photos=2)
    kept, wrong = photos_for(record)
    client = _client(world)
    assert client.get(f"/api/v1/records/pelibatan/{record.pk}").json()["photo_ids"] == [kept.pk, wrong.pk]
    new_photo = base64.b64encode(jpeg().read()).decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = _put(client, record, remove_photos=[wrong.pk], photos=[new_photo])

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == Status.SUBMITTED
    assert len(body["photos"]) == 2
    assert body["photo_ids"][0] == kept.pk and wrong.pk not in body["photo_ids"]
    assert not default_storage.exists(wrong.image.name)
    changes = audit_for(record).filter(action=AuditAction.UPDATE).get().changes
    assert changes["photos_removed"] == [[2], None]


def test_it_refuses_to_remove_the_only_photo(world: World) -> None:
    record = returned_engagement(world, photos=1)
    [only] = photos_for(record)

    response = _put(_client(world), record, remove_photos=[only.pk])

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "photos": ["Laporan ini perlu paling sedikit 1 foto: jika menghapus foto, tambahkan foto penggantinya."]
    }
    assert list(photos_for(record)) == [only]
    record.refresh_from_db()
    assert record.status == Status.RETURNED


def test_it_refuses_a_photo_of_another_record(world: World) -> None:
    record = returned_engagement(world, photos=2)
    [theirs] = photos_for(make_engagement(world, title="Lomba mewarnai"))

    response = _put(_client(world), record, remove_photos=[theirs.pk])

    assert response.status_code == 422
    assert response.json()["message"] == "Data tidak valid. Periksa kolom yang ditandai."
    assert response.json()["errors"] == {"remove_photos": ["Foto yang dipilih bukan foto laporan ini."]}
    assert Photo.objects.filter(pk=theirs.pk).exists()
    assert photos_for(record).count() == 2


@pytest.mark.parametrize("bad", [["satu"], [0], [-3], [2**63], [1, 2, 3, 4], "7"])
def test_it_answers_malformed_ids_with_field_errors(world: World, bad: Any) -> None:
    record = returned_engagement(world, photos=2)

    response = _put(_client(world), record, remove_photos=bad)

    assert response.status_code == 422
    assert any(key.startswith("remove_photos") for key in response.json()["errors"])
    assert photos_for(record).count() == 2


def test_it_keeps_the_photos_of_a_verified_record(world: World) -> None:
    record = make_engagement(world)
    CommunityEngagement.objects.filter(pk=record.pk).update(status=Status.VERIFIED)
    [photo] = photos_for(record)

    response = _put(_client(world), record, remove_photos=[photo.pk], photos=[base64.b64encode(jpeg().read()).decode()])

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "remove_photos": ["Foto pada laporan yang sudah diverifikasi tidak dapat dihapus."]
    }
    assert list(photos_for(record)) == [photo]


def test_it_still_corrects_a_verified_record_that_keeps_its_photos(world: World) -> None:
    record = make_engagement(world)
    CommunityEngagement.objects.filter(pk=record.pk).update(status=Status.VERIFIED)

    response = _put(_client(world), record, participants=25)

    assert response.status_code == 200, response.content
    assert (response.json()["participants"], response.json()["status"]) == (25, Status.SUBMITTED)
    assert photos_for(record).count() == 1


def test_it_hides_the_record_from_a_facilitator_of_another_kabupaten(world: World) -> None:
    record = returned_engagement(world, photos=2)
    [_, wrong] = photos_for(record)

    response = _put(_client(world, world.facilitator_1905), record, remove_photos=[wrong.pk])

    assert response.status_code == 404
    assert photos_for(record).count() == 2
