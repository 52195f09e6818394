"""Removing a wrong photo while correcting a record: the count rules, scope, audit, and files after commit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from conftest import World
from tpbis.reports.audit import audit_for
from tpbis.reports.models import AuditAction, CommunityEngagement, Photo, Status
from tpbis.reports.photos import photos_for, photos_prepare, photos_save
from tpbis.reports.services import record_return, record_update, record_verify
from tpbis.reports.tests.test_entry import jpeg
from tpbis.reports.tests.test_verification import make_engagement


def returned_engagement(world: World, photos: int = 2) -> CommunityEngagement:
    """An activity with `photos` photos that the facilitator sent back because one of them is wrong."""
    record = make_engagement(world)  # saved with one photo
    if photos > 1:
        extra = photos_prepare(files=[jpeg(f"foto{n}.jpg") for n in range(photos - 1)])
        photos_save(record=record, prepared=extra, user=world.manager, start_position=1)
    record_return(record=record, user=world.facilitator_3524, comment="Foto 2 bukan foto kegiatan")
    record.refresh_from_db()
    return record


def correction(record: CommunityEngagement, **extra: Any) -> dict[str, Any]:
    return {
        "date": record.date.isoformat(),
        "title": record.title,
        "activity_field": record.activity_field,
        "activity_kind": record.activity_kind,
        "audience": record.audience,
        "participants": str(record.participants),
        **extra,
    }


def edit_url(record: CommunityEngagement) -> str:
    return f"/laporan/pelibatan/{record.pk}/ubah/"


def files_of(photo: Photo) -> list[str]:
    return [photo.image.name, photo.thumbnail.name]


def stored(names: list[str]) -> list[bool]:
    return [default_storage.exists(name) for name in names]


def test_it_shows_each_stored_photo_with_a_box_to_remove_it(world: World) -> None:
    record = returned_engagement(world, photos=2)
    first, second = photos_for(record)

    page = world.client_for(world.manager).get(edit_url(record)).content.decode()

    assert page.count("Hapus foto ini") == 2
    for photo in (first, second):
        assert f'name="remove_photos" value="{photo.pk}"' in page
        assert f"/laporan/foto/{photo.pk}/thumb/" in page


def test_it_removes_a_wrong_photo_when_the_manager_corrects(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    record = returned_engagement(world, photos=2)
    kept, wrong = photos_for(record)
    client = world.client_for(world.manager)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(edit_url(record), correction(record, remove_photos=[wrong.pk]))

    assert response.status_code == 302
    assert callbacks  # the files went only once the correction was committed
    assert list(photos_for(record)) == [kept]
    assert stored(files_of(wrong)) == [False, False]
    assert stored(files_of(kept)) == [True, True]
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED  # back in the facilitator's queue
    entry = audit_for(record).filter(action=AuditAction.UPDATE).get()
    assert entry.user == world.manager
    assert entry.changes["photos_removed"] == [[2], None]
    assert entry.changes["photos"] == [2, 1]
    page = client.get(f"/laporan/pelibatan/{record.pk}/").content.decode()
    assert "Foto: Foto 2 → dihapus" in page
    assert "Jumlah foto: 2 → 1" in page


def test_it_renumbers_the_photos_that_remain(world: World, django_capture_on_commit_callbacks: Any) -> None:
    record = returned_engagement(world, photos=3)
    first, middle, last = photos_for(record)

    with django_capture_on_commit_callbacks(execute=True):
        world.client_for(world.manager).post(edit_url(record), correction(record, remove_photos=[first.pk]))

    assert [(p.pk, p.position) for p in photos_for(record)] == [(middle.pk, 0), (last.pk, 1)]


def test_it_refuses_to_remove_the_only_photo_without_a_new_one(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    record = returned_engagement(world, photos=1)
    [only] = photos_for(record)
    entries = audit_for(record).count()

    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for(world.manager).post(
            edit_url(record), correction(record, title="Judul baru", remove_photos=[only.pk])
        )

    assert response.status_code == 200
    assert response.context["form"].errors["photos"] == [
        "Laporan ini perlu paling sedikit 1 foto: jika menghapus foto, tambahkan foto penggantinya."
    ]
    assert "tambahkan foto penggantinya" in response.content.decode()
    assert list(photos_for(record)) == [only]
    assert stored(files_of(only)) == [True, True]
    record.refresh_from_db()
    assert (record.title, record.status) == ("Kegiatan 0", Status.RETURNED)
    assert audit_for(record).count() == entries


def test_the_service_undoes_a_removal_the_count_refuses(world: World, django_capture_on_commit_callbacks: Any) -> None:
    record = returned_engagement(world, photos=1)
    [only] = photos_for(record)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError) as refused:
        record_update(record=record, user=world.manager, data={}, remove_photos=[only.pk])

    assert "photos" in refused.value.message_dict
    assert callbacks == []  # the file deletion was dropped with the rolled-back transaction
    assert list(photos_for(record)) == [only]
    assert stored(files_of(only)) == [True, True]


def test_it_replaces_a_photo_in_the_same_correction(world: World, django_capture_on_commit_callbacks: Any) -> None:
    record = returned_engagement(world, photos=3)
    first, wrong, last = photos_for(record)

    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for(world.manager).post(
            edit_url(record), correction(record, remove_photos=[wrong.pk], photos=[jpeg("pengganti.jpg")])
        )

    assert response.status_code == 302
    photos = list(photos_for(record))
    assert len(photos) == 3
    assert photos[:2] == [first, last]
    assert [p.position for p in photos] == [0, 1, 2]
    assert not Photo.objects.filter(pk=wrong.pk).exists()
    changes = audit_for(record).filter(action=AuditAction.UPDATE).get().changes
    assert (changes["photos"], changes["photos_removed"]) == ([3, 3], [[2], None])


def test_it_still_allows_at_most_three_photos(world: World, django_capture_on_commit_callbacks: Any) -> None:
    record = returned_engagement(world, photos=3)
    before = list(photos_for(record))

    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for(world.manager).post(
            edit_url(record), correction(record, remove_photos=[before[0].pk], photos=[jpeg("a.jpg"), jpeg("b.jpg")])
        )

    assert response.status_code == 200
    assert response.context["form"].errors["photos"] == ["Paling banyak 3 foto per laporan."]
    assert list(photos_for(record)) == before
    assert all(stored(files_of(before[0])))


def test_it_never_removes_a_photo_of_another_record(world: World) -> None:
    record = returned_engagement(world, photos=2)
    other = make_engagement(world, title="Lomba mewarnai")
    [theirs] = photos_for(other)

    response = world.client_for(world.manager).post(edit_url(record), correction(record, remove_photos=[theirs.pk]))

    assert response.status_code == 200
    assert response.context["form"].errors["remove_photos"] == ["Foto yang dipilih bukan foto laporan ini."]
    assert Photo.objects.filter(pk=theirs.pk).exists()
    assert photos_for(record).count() == 2
    with pytest.raises(ValidationError) as refused:
        record_update(record=record, user=world.manager, data={}, remove_photos=[theirs.pk])
    assert refused.value.message_dict == {"remove_photos": ["Foto yang dipilih bukan foto laporan ini."]}
    assert Photo.objects.filter(pk=theirs.pk).exists()


def test_it_hides_the_record_from_a_facilitator_of_another_kabupaten(world: World) -> None:
    record = returned_engagement(world, photos=2)
    [_, wrong] = photos_for(record)
    outsider = world.client_for(world.facilitator_1905)

    assert outsider.get(edit_url(record)).status_code == 404
    assert outsider.post(edit_url(record), correction(record, remove_photos=[wrong.pk])).status_code == 404
    assert photos_for(record).count() == 2


def test_it_keeps_the_photos_of_a_verified_record(world: World) -> None:
    record = make_engagement(world)
    record_verify(record=record, user=world.facilitator_3524)
    [photo] = photos_for(record)
    client = world.client_for(world.manager)

    page = client.get(edit_url(record)).content.decode()
    response = client.post(edit_url(record), correction(record, remove_photos=[photo.pk]))

    assert "Hapus foto ini" not in page
    assert "minta fasilitator mengembalikan laporan ini" in page
    assert response.status_code == 302
    assert list(photos_for(record)) == [photo]
    record.refresh_from_db()
    assert record.status == Status.VERIFIED  # nothing changed, so it stays verified
    with pytest.raises(ValidationError):
        record_update(record=record, user=world.manager, data={}, remove_photos=[photo.pk])
    assert list(photos_for(record)) == [photo]
