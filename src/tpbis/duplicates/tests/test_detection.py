"""The scans propose the duplicates a reviewer would want to see, and nothing else."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from conftest import World, make_library
from tpbis.duplicates.detection import duplicates_scan, library_name_key, photos_scan, records_scan
from tpbis.duplicates.hashing import dhash_of
from tpbis.duplicates.models import DuplicateKind, DuplicatePair, PhotoHash
from tpbis.duplicates.tests.helpers import DAY, activity, picture
from tpbis.reports.models import Status
from tpbis.reports.photos import photos_prepare, photos_save

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _pairs(kind: str) -> list[DuplicatePair]:
    return list(DuplicatePair.objects.filter(kind=kind))


def _ids(pair: DuplicatePair) -> set[int]:
    return {pair.first_id, pair.second_id}


def test_it_hashes_a_picture_as_imagehash_dhash_does() -> None:
    # The value imagehash 4.3.2's str(dhash(image)) gives for this picture.
    assert dhash_of(Image.open(io.BytesIO(picture(7)))) == "9c9c939381e1e48c"


def test_it_folds_spellings_of_a_library_name() -> None:
    assert library_name_key("Perpusdes Sembung") == library_name_key("PERPUSTAKAAN DESA  SEMBUNG.")
    assert library_name_key("TBM Sembung") != library_name_key("Perpustakaan Desa Sembung")


def test_it_finds_one_activity_entered_by_two_libraries(world: World) -> None:
    village = activity(world.lamongan_village, "Pelatihan Komputer untuk Ibu-Ibu PKK", photos=(21,))
    district = activity(world.lamongan_district, "pelatihan komputer untuk ibu ibu PKK.", photos=(21,))
    activity(world.lamongan_district, "Lomba mewarnai anak", photos=(21,))  # same day, another title
    activity(world.lamongan_village, "Pelatihan komputer sesi 1", photos=(22,))
    activity(world.lamongan_district, "Pelatihan komputer sesi 2", photos=(22,))  # another session
    activity(world.lumajang_village, "Pelatihan komputer untuk ibu-ibu PKK", photos=(21,))  # another kabupaten
    activity(world.lamongan_district, "Pelatihan komputer untuk ibu-ibu PKK", date=DAY.replace(day=15), photos=(21,))
    call_command("duplicates_hash_photos", stdout=io.StringIO())

    assert records_scan() == 1

    (pair,) = _pairs(DuplicateKind.RECORDS)
    assert _ids(pair) == {village.pk, district.pk}
    assert {pair.first_library_id, pair.second_library_id} == {world.lamongan_village.pk, world.lamongan_district.pk}
    assert pair.evidence["date"] == DAY.isoformat()


def test_it_pairs_each_extra_copy_with_the_first_not_every_combination(world: World) -> None:
    first = activity(world.lamongan_village, "Gerakan membaca serentak", photos=(23,))
    activity(world.lamongan_district, "Gerakan membaca serentak", photos=(23,))
    activity(make_library("Perpustakaan Desa Banggle", "35.24.01.2002"), "Gerakan Membaca Serentak", photos=(23,))
    call_command("duplicates_hash_photos", stdout=io.StringIO())

    assert records_scan() == 2
    assert all(first.pk in _ids(pair) for pair in DuplicatePair.objects.all())


def test_it_ignores_withdrawn_activities_and_one_library_twice(world: World) -> None:
    activity(world.lamongan_village, "Kelas membaca")
    activity(world.lamongan_village, "Kelas membaca")  # the entry form's own warning covers this
    activity(world.lamongan_district, "Kelas membaca", status=Status.WITHDRAWN)

    assert records_scan() == 0


def test_it_notes_a_shared_photo_on_two_libraries_activities(world: World) -> None:
    activity(world.lamongan_village, "Senam lansia", photos=(3,))
    activity(world.lamongan_district, "Senam lansia bersama", photos=(3,))
    call_command("duplicates_hash_photos", stdout=io.StringIO())

    duplicates_scan()

    (pair,) = DuplicatePair.objects.all()  # proposed once, as the same activity, not again for its photo
    assert pair.kind == DuplicateKind.RECORDS
    assert pair.evidence["photo_hash"]


def test_it_hashes_a_photo_when_it_is_stored_and_finds_it_on_another_activity(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        first = activity(world.lamongan_village, "Bedah buku", photos=(11, 12))
    with django_capture_on_commit_callbacks(execute=True):
        # The same picture taken from the phone again, smaller: the perceptual hash still matches.
        second = activity(world.lamongan_village, "Pelatihan menganyam", date=DAY.replace(day=20), photos=(11,))
        other = activity(world.lamongan_district, "Dongeng", date=DAY.replace(day=21), photos=(40,))

    assert PhotoHash.objects.count() == 4
    (pair,) = _pairs(DuplicateKind.PHOTO)
    assert _ids(pair) == {first.pk, second.pk}
    assert other.pk not in _ids(pair)


def test_it_finds_a_resized_copy_of_a_photo(world: World) -> None:
    first = activity(world.lamongan_village, "Bedah buku", photos=(5,))
    second = activity(world.belo_laut, "Membaca bersama", date=DAY.replace(day=2))
    smaller = io.BytesIO()
    Image.open(io.BytesIO(picture(5))).resize((600, 450)).save(smaller, "JPEG", quality=70)
    upload = SimpleUploadedFile("kiriman-wa.jpg", smaller.getvalue(), content_type="image/jpeg")
    photos_save(record=second, prepared=photos_prepare(files=[upload]), user=None)
    call_command("duplicates_hash_photos", stdout=io.StringIO())

    assert photos_scan() == 1
    assert _ids(DuplicatePair.objects.get()) == {first.pk, second.pk}


def test_it_finds_a_library_registered_twice(world: World) -> None:
    twin = make_library("Perpusdes Sembung", world.lamongan_village.region_id)
    make_library("Perpustakaan Desa Sembung", "35.24.01.2002")  # same name, another village
    make_library("TBM Pelangi", world.lamongan_village.region_id)  # another library of the village

    assert duplicates_scan()[DuplicateKind.LIBRARY] == 1

    (pair,) = _pairs(DuplicateKind.LIBRARY)
    assert _ids(pair) == {world.lamongan_village.pk, twin.pk}


def test_it_proposes_a_library_when_it_is_registered(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        make_library("Perpustakaan Desa Sembung", world.lamongan_village.region_id)

    assert len(_pairs(DuplicateKind.LIBRARY)) == 1


def test_alike_titles_of_one_day_without_a_photo_in_common_are_two_activities(world: World) -> None:
    # Many libraries hold "Membaca bersama" on the same day: without the same photo that is no evidence.
    activity(world.lamongan_village, "Membaca bersama", photos=(24,))
    activity(world.lamongan_district, "Membaca bersama", photos=(25,))
    activity(make_library("Perpustakaan Desa Banggle", "35.24.01.2002"), "Membaca bersama")
    call_command("duplicates_hash_photos", stdout=io.StringIO())

    assert duplicates_scan() == {"records": 0, "photo": 0, "library": 0}


def test_entering_an_activity_runs_no_scan(world: World, django_capture_on_commit_callbacks: Any) -> None:
    from tpbis.reports.models import CommunityEngagement
    from tpbis.reports.services import record_create

    activity(world.lamongan_district, "Sosialisasi literasi digital")
    data = {
        "date": DAY,
        "title": "Sosialisasi Literasi Digital",
        "activity_field": "Inklusi Digital",
        "activity_kind": "Promosi",
        "audience": "Umum",
        "participants": 30,
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record_create(model=CommunityEngagement, user=world.manager, data=data, library=world.lamongan_village)

    assert not any("duplicates" in getattr(c, "__module__", "") for c in callbacks)
    assert not DuplicatePair.objects.exists()


@pytest.mark.parametrize("runs", [2])
def test_it_stores_each_pair_once_however_often_it_scans(world: World, runs: int) -> None:
    activity(world.lamongan_village, "Kelas menulis", photos=(26,))
    activity(world.lamongan_district, "Kelas menulis", photos=(26,))
    call_command("duplicates_hash_photos", stdout=io.StringIO())
    out = io.StringIO()
    for _ in range(runs):
        call_command("duplicates_scan", stdout=out)

    assert DuplicatePair.objects.count() == 1
    assert "records: 1 new pairs" in out.getvalue()
    assert "records: 0 new pairs" in out.getvalue()
