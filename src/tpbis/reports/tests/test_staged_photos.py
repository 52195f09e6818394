"""Photos attached to a form that comes back (an error, the duplicate warning) are kept on the server for
the person who attached them, shown again as thumbnails, and carried to the record when it is saved."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import World, make_user
from tpbis.accounts.models import Role
from tpbis.reports.models import CommunityEngagement, StagedPhoto
from tpbis.reports.photos import MAX_STAGED_PER_USER, photos_for, photos_prepare, photos_stage
from tpbis.reports.tests.test_entry import engagement, jpeg

NEW = "/laporan/pelibatan/baru/?perpustakaan={pk}"


@pytest.fixture
def manager(world: World) -> Client:
    return world.client_for(world.manager)


def post(client: Client, world: World, *, photos: int = 0, staged: list[int] = (), **overrides: Any) -> Any:  # type: ignore[assignment]
    data = engagement(**overrides)
    data["photos"] = [jpeg(f"foto{i}.jpg") for i in range(photos)]
    data["staged_photos"] = [str(pk) for pk in staged]
    return client.post(NEW.format(pk=world.lamongan_village.pk), data)


def staged_ids(response: Any) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="staged_photos" value="(\d+)"', response.content.decode())]


def test_it_keeps_both_photos_when_the_form_comes_back_with_an_error(world: World, manager: Client) -> None:
    client_id = str(uuid.uuid4())
    first = post(manager, world, photos=2, client_id=client_id, participants="10")  # 5 + 7 is not 10

    assert first.status_code == 200
    body = first.content.decode()
    assert "harus sama dengan jumlah peserta" in body
    kept = staged_ids(first)
    assert len(kept) == 2
    for pk in kept:
        assert f"/laporan/foto/terlampir/{pk}/thumb/" in body
    assert not CommunityEngagement.objects.exists()

    second = post(manager, world, staged=kept, client_id=client_id, participants="12")

    assert second.status_code == 302
    record = CommunityEngagement.objects.get()
    assert photos_for(record).count() == 2
    assert not StagedPhoto.objects.exists()
    # The files moved with the photos: the record's photos are readable.
    for photo in photos_for(record):
        assert default_storage.exists(photo.image.name) and default_storage.exists(photo.thumbnail.name)


def test_it_keeps_the_photos_through_the_duplicate_warning(world: World, manager: Client) -> None:
    assert post(manager, world, photos=1).status_code == 302
    warned = post(manager, world, photos=2, title="Kelas membaca untuk anak-anak")
    assert "Sepertinya laporan ini sudah pernah diisi" in warned.content.decode()
    kept = staged_ids(warned)
    assert len(kept) == 2

    confirmed = post(manager, world, staged=kept, title="Kelas membaca untuk anak-anak", confirm_duplicate="on")

    assert confirmed.status_code == 302
    assert photos_for(CommunityEngagement.objects.latest("pk")).count() == 2


def test_it_keeps_every_typed_value_through_an_error(world: World, manager: Client) -> None:
    data = {
        "client_id": str(uuid.uuid4()),
        "date": "2026-03-14",
        "title": "Audiensi dana desa",
        "targets": ["Kepala Desa", "Swasta"],
        "outcome": "Dana",
        "amount": "",
    }
    response = manager.post(f"/laporan/advokasi/baru/?perpustakaan={world.lamongan_village.pk}", data)
    body = response.content.decode()
    assert "isi nominalnya" in body
    assert 'value="2026-03-14"' in body
    assert re.search(r'value="Kepala Desa"[^>]*checked', body)
    assert re.search(r'value="Swasta"[^>]*checked', body)
    assert not re.search(r'value="Perangkat Daerah"[^>]*checked', body)
    assert re.search(r'value="Dana"[^>]*checked', body)


def test_a_photo_staged_by_someone_else_is_not_attached(world: World, manager: Client) -> None:
    colleague = make_user("kedua@sembung.id", Role.MANAGER, library=world.lamongan_village)
    theirs = photos_stage(prepared=photos_prepare(files=[jpeg()]), user=colleague, library=world.lamongan_village)[0]

    response = post(manager, world, staged=[theirs.pk])

    assert response.status_code == 200
    assert "Lampirkan 1–3 foto kegiatan." in response.content.decode()
    assert f"/laporan/foto/terlampir/{theirs.pk}/" not in response.content.decode()
    assert not CommunityEngagement.objects.exists()
    assert StagedPhoto.objects.filter(pk=theirs.pk).exists()
    # Nor can they see it.
    assert manager.get(f"/laporan/foto/terlampir/{theirs.pk}/thumb/").status_code == 404
    assert world.client_for(colleague).get(f"/laporan/foto/terlampir/{theirs.pk}/thumb/").status_code == 200


def test_a_photo_staged_for_another_library_is_not_attached(world: World) -> None:
    other = make_user("dua@perpus.id", Role.MANAGER, library=world.lamongan_village)
    # The same person attached it on a form of a library they manage elsewhere.
    from tpbis.accounts.models import Membership

    Membership.objects.create(user=other, role=Role.MANAGER, library=world.lumajang_village)
    staged = photos_stage(prepared=photos_prepare(files=[jpeg()]), user=other, library=world.lumajang_village)[0]

    response = post(world.client_for(other), world, staged=[staged.pk])

    assert "Lampirkan 1–3 foto kegiatan." in response.content.decode()
    assert not CommunityEngagement.objects.exists()


def test_a_ticked_photo_is_removed_from_the_form(world: World, manager: Client) -> None:
    first = post(manager, world, photos=2, participants="10")
    kept = staged_ids(first)

    second = manager.post(
        NEW.format(pk=world.lamongan_village.pk),
        {**engagement(participants="10"), "staged_photos": kept, "unstage": [str(kept[0])]},
    )

    assert staged_ids(second) == [kept[1]]
    assert not StagedPhoto.objects.filter(pk=kept[0]).exists()


def test_it_caps_the_photos_a_form_carries(world: World, manager: Client) -> None:
    first = post(manager, world, photos=3, participants="10")
    kept = staged_ids(first)

    second = post(manager, world, photos=1, staged=kept, participants="10")

    assert "Paling banyak 3 foto per laporan." in second.content.decode()
    assert staged_ids(second) == kept
    assert StagedPhoto.objects.count() == 3


def test_it_caps_what_one_person_has_waiting(world: World) -> None:
    prepared = photos_prepare(files=[jpeg()])
    for _ in range(MAX_STAGED_PER_USER + 2):
        photos_stage(prepared=prepared, user=world.manager, library=world.lamongan_village)
    assert StagedPhoto.objects.filter(user=world.manager).count() == MAX_STAGED_PER_USER


def test_it_purges_photos_of_abandoned_forms(world: World, django_capture_on_commit_callbacks: Any) -> None:
    prepared = photos_prepare(files=[jpeg()])
    old = photos_stage(prepared=prepared, user=world.manager, library=world.lamongan_village)[0]
    fresh = photos_stage(prepared=prepared, user=world.manager, library=world.lamongan_village)[0]
    StagedPhoto.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    StagedPhoto.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - dt.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_staged_photos")

    assert list(StagedPhoto.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not default_storage.exists(old.image.name)
    assert default_storage.exists(fresh.image.name)


def test_it_keeps_photos_on_a_correction_that_comes_back(world: World, manager: Client) -> None:
    assert post(manager, world, photos=1).status_code == 302
    record = CommunityEngagement.objects.get()
    data = {**engagement(participants="10"), "photos": [jpeg()]}

    first = manager.post(f"/laporan/pelibatan/{record.pk}/ubah/", data)
    kept = staged_ids(first)
    assert len(kept) == 1
    second = manager.post(
        f"/laporan/pelibatan/{record.pk}/ubah/", {**engagement(participants="12"), "staged_photos": kept}
    )

    assert second.status_code == 302
    assert photos_for(record).count() == 2


def test_the_participant_group_says_what_is_required(world: World, manager: Client) -> None:
    body = manager.get(NEW.format(pk=world.lamongan_village.pk)).content.decode()
    group = body[
        body.index('id="participants-group"') : body.index("</fieldset>", body.index('id="participants-group"'))
    ]
    assert "Isi jumlah peserta, atau isi peserta laki-laki dan perempuan" in group
    assert "opsional" not in group
    assert "<legend>" in group
