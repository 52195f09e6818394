"""An entry queued on the phone from a web form that came back with an error names the photos the form
kept on the server (`staged_photos`): the record takes them, and nobody else's (issue 15)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.test import Client
from django.utils import timezone

from conftest import World, make_user
from tpbis.accounts.models import Membership, Role, User
from tpbis.api.tests.test_offline_sync import ENGAGEMENTS, edit_of, engagement, phone, send
from tpbis.libraries.models import Library
from tpbis.reports.models import CommunityEngagement, StagedPhoto
from tpbis.reports.photos import STAGED_PHOTO_DAYS, photos_for, photos_prepare, photos_stage
from tpbis.reports.tests.test_entry import engagement as web_engagement
from tpbis.reports.tests.test_entry import jpeg

KEPT_GONE = "Foto yang dilampirkan tadi sudah tidak tersedia. Lampirkan lagi."


def kept(user: User, library: Library, count: int = 1) -> list[StagedPhoto]:
    return photos_stage(prepared=photos_prepare(files=[jpeg() for _ in range(count)]), user=user, library=library)


def web_round_trip(client: Client, world: World, client_id: str) -> list[int]:
    """The web form posted with a photo and without a title: it comes back, keeping the photo."""
    data = web_engagement(client_id=client_id, title="", photos=[jpeg()])
    response = client.post(f"/laporan/pelibatan/baru/?perpustakaan={world.lamongan_village.pk}", data)
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'name="staged_photos" value="(\d+)"', response.content.decode())]


def refused_for_kept_photos(response: Any) -> bool:
    return response.status_code == 422 and response.json()["errors"] == {"photos": [KEPT_GONE]}


def test_it_attaches_the_photos_the_web_form_kept(world: World) -> None:
    client_id = str(uuid.uuid4())
    ids = web_round_trip(world.client_for(world.manager), world, client_id)
    assert len(ids) == 1
    files = [StagedPhoto.objects.get(pk=pk).image.name for pk in ids]

    # The next post was cut off; the phone's queue sends it with the form's client id, a new photo and the kept one.
    response = send(phone(world.manager), ENGAGEMENTS, engagement(world, client_id=client_id, staged_photos=ids))

    assert response.status_code == 201, response.json()
    record = CommunityEngagement.objects.get()
    photos = list(photos_for(record))
    assert len(photos) == 2
    assert photos[1].image.name == files[0]  # the kept photo after the one sent along
    assert response.json()["photo_ids"] == [p.pk for p in photos]
    assert not StagedPhoto.objects.exists()


def test_kept_photos_alone_are_enough(world: World) -> None:
    ids = [photo.pk for photo in kept(world.manager, world.lamongan_village, count=2)]

    response = send(phone(world.manager), ENGAGEMENTS, engagement(world, photos=[], staged_photos=ids))

    assert response.status_code == 201, response.json()
    assert photos_for(CommunityEngagement.objects.get()).count() == 2


def test_an_identical_resend_gets_the_record_without_a_second_copy_of_the_photos(world: World) -> None:
    client = phone(world.manager)
    ids = [photo.pk for photo in kept(world.manager, world.lamongan_village)]
    body = engagement(world, staged_photos=ids)
    assert send(client, ENGAGEMENTS, body).status_code == 201

    # The answer was lost; the queue sends the same entry again, naming kept photos the record has taken.
    again = send(client, ENGAGEMENTS, body)

    assert again.status_code == 200, again.json()
    assert CommunityEngagement.objects.count() == 1
    assert photos_for(CommunityEngagement.objects.get()).count() == 2


def test_a_resend_naming_other_kept_photos_is_another_content(world: World) -> None:
    client = phone(world.manager)
    first, second = kept(world.manager, world.lamongan_village, count=2)
    body = engagement(world, staged_photos=[first.pk])
    assert send(client, ENGAGEMENTS, body).status_code == 201

    other = send(client, ENGAGEMENTS, {**body, "staged_photos": [second.pk]})

    assert other.status_code == 409
    assert other.json()["code"] == "client_id_conflict"
    assert StagedPhoto.objects.filter(pk=second.pk).exists()


def test_it_refuses_a_photo_someone_else_kept(world: World) -> None:
    colleague = make_user("kedua@sembung.id", Role.MANAGER, library=world.lamongan_village)
    theirs = kept(colleague, world.lamongan_village)[0]

    response = send(phone(world.manager), ENGAGEMENTS, engagement(world, staged_photos=[theirs.pk]))

    assert refused_for_kept_photos(response), response.json()
    assert not CommunityEngagement.objects.exists()
    assert StagedPhoto.objects.filter(pk=theirs.pk, user=colleague).exists()


def test_it_refuses_a_photo_kept_for_another_library(world: World) -> None:
    Membership.objects.create(user=world.manager, role=Role.MANAGER, library=world.lumajang_village)
    elsewhere = kept(world.manager, world.lumajang_village)[0]

    response = send(phone(world.manager), ENGAGEMENTS, engagement(world, staged_photos=[elsewhere.pk]))

    assert refused_for_kept_photos(response), response.json()
    assert not CommunityEngagement.objects.exists()


def test_it_refuses_an_expired_or_unknown_kept_photo(world: World) -> None:
    old = kept(world.manager, world.lamongan_village)[0]
    StagedPhoto.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=STAGED_PHOTO_DAYS, minutes=1)
    )
    client = phone(world.manager)

    expired = send(client, ENGAGEMENTS, engagement(world, staged_photos=[old.pk]))
    unknown = send(client, ENGAGEMENTS, engagement(world, staged_photos=[old.pk + 1000]))

    assert refused_for_kept_photos(expired), expired.json()
    assert refused_for_kept_photos(unknown), unknown.json()
    assert not CommunityEngagement.objects.exists()


def test_kept_photos_count_toward_the_limit(world: World) -> None:
    ids = [photo.pk for photo in kept(world.manager, world.lamongan_village, count=3)]

    response = send(phone(world.manager), ENGAGEMENTS, engagement(world, staged_photos=ids))

    assert response.status_code == 422
    assert "Paling banyak 3 foto per laporan." in response.json()["errors"]["photos"]
    assert StagedPhoto.objects.count() == 3


def test_a_correction_takes_the_photos_its_form_kept(world: World) -> None:
    client = phone(world.manager)
    created = send(client, ENGAGEMENTS, engagement(world)).json()
    ids = [photo.pk for photo in kept(world.manager, world.lamongan_village)]
    body = edit_of(created, version=created["version"], staged_photos=ids)

    response = send(client, f"{ENGAGEMENTS}/{created['id']}", body, method="put")

    assert response.status_code == 200, response.json()
    assert len(response.json()["photo_ids"]) == 2
    assert not StagedPhoto.objects.exists()
