"""The review list: who sees which pairs, and what merging or dismissing does."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from conftest import World, make_library, make_user
from tpbis.accounts.models import Membership, Role
from tpbis.audit.models import AuditEvent
from tpbis.duplicates.detection import duplicates_scan, records_scan
from tpbis.duplicates.models import DuplicateEvent, DuplicateKind, DuplicatePair, DuplicateStatus
from tpbis.duplicates.services import pair_dismiss, pair_merge
from tpbis.duplicates.tests.helpers import activity, hash_photos
from tpbis.reports.models import AuditAction, AuditEntry, CommunityEngagement, Status


def _record_pair(world: World, library_a: Any = None, library_b: Any = None) -> tuple[DuplicatePair, Any, Any]:
    a = activity(library_a or world.lamongan_village, "Pelatihan membuat kompos", photos=(31,))
    b = activity(library_b or world.lamongan_district, "Pelatihan Membuat Kompos", photos=(31,))
    hash_photos()
    records_scan()
    return DuplicatePair.objects.get(kind=DuplicateKind.RECORDS), a, b


def _library_pair(world: World) -> tuple[DuplicatePair, Any]:
    twin = make_library("Perpusdes Sembung", world.lamongan_village.region_id)
    duplicates_scan()
    return DuplicatePair.objects.get(kind=DuplicateKind.LIBRARY), twin


def test_it_lists_the_pairs_of_the_facilitators_kabupaten_only(world: World) -> None:
    _record_pair(world)
    lumajang_b = make_library("Perpustakaan Desa Lumajang Lain", "35.08.21.2001")
    activity(world.lumajang_village, "Lomba baca puisi", photos=(32,))
    activity(lumajang_b, "Lomba baca puisi", photos=(32,))
    hash_photos()
    records_scan()

    page = world.client_for(world.facilitator_3524).get("/duplikat/")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 1
    assert "Pelatihan membuat kompos" in page.content.decode()
    assert "Lomba baca puisi" not in page.content.decode()

    assert world.client_for(world.province_35).get("/duplikat/").context["page"].paginator.count == 2
    assert world.client_for(world.national).get("/duplikat/").context["page"].paginator.count == 2


def test_it_hides_pairs_outside_the_reviewers_area(world: World) -> None:
    pair, _a, _b = _record_pair(world)
    outsider = world.client_for(world.facilitator_1905)

    assert outsider.get(f"/duplikat/{pair.pk}/").status_code == 404
    assert outsider.post(f"/duplikat/{pair.pk}/abaikan/", {}).status_code == 404
    assert outsider.get("/duplikat/?wilayah=35.24").status_code == 404
    assert DuplicatePair.objects.get().status == DuplicateStatus.OPEN


def test_it_refuses_a_library_manager(world: World) -> None:
    pair, _a, _b = _record_pair(world)
    manager = world.client_for(world.manager)

    assert manager.get("/duplikat/").status_code == 403
    assert manager.post(f"/duplikat/{pair.pk}/gabung/", {"keep": "first"}).status_code == 403
    assert DuplicatePair.objects.get().status == DuplicateStatus.OPEN


def test_it_withdraws_the_duplicate_activity_on_merge_and_shows_the_history(world: World) -> None:
    pair, a, b = _record_pair(world)
    client = world.client_for(world.facilitator_3524)
    keep = "first" if pair.first_id == a.pk else "second"

    response = client.post(f"/duplikat/{pair.pk}/gabung/", {"keep": keep, "comment": "Kegiatan bersama"})

    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Status.SUBMITTED
    assert b.status == Status.WITHDRAWN
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(CommunityEngagement), object_id=b.pk, action=AuditAction.WITHDRAW
    )
    assert entry.user == world.facilitator_3524
    assert "Duplikat dari" in entry.comment
    assert entry.changes == {"status": [Status.SUBMITTED.value, Status.WITHDRAWN.value]}
    detail = client.get(f"/duplikat/{pair.pk}/").content.decode()
    assert "Digabung" in detail
    assert "Kegiatan bersama" in detail
    assert "Laporan ditarik" in detail


def test_it_moves_records_and_managers_to_the_kept_library_and_deactivates_the_other(world: World) -> None:
    pair, twin = _library_pair(world)
    record = activity(twin, "Kelas menulis cerpen")
    twin_manager = make_user("twin@example.id", Role.MANAGER, library=twin)
    keep = "first" if pair.first_id == world.lamongan_village.pk else "second"

    pair_merge(pair=pair, user=world.province_35, keep=keep, comment="Didaftarkan dua kali")

    record.refresh_from_db()
    twin.refresh_from_db()
    assert record.library_id == world.lamongan_village.pk
    assert Membership.objects.get(user=twin_manager).library_id == world.lamongan_village.pk
    assert twin.is_active is False
    deactivated = AuditEvent.objects.get(object_id=twin.pk, action="deactivate", content_type__model="library")
    assert deactivated.actor == world.province_35
    assert deactivated.changes == {"is_active": ["aktif", "nonaktif"]}
    assert AuditEvent.objects.filter(object_id=world.lamongan_village.pk, action="update").exists()
    assert AuditEntry.objects.filter(object_id=record.pk, changes__library__isnull=False).exists()
    event = DuplicateEvent.objects.get(pair=pair)
    assert event.changes["deactivated"][0].startswith("Perpusdes Sembung")
    assert event.changes["records_moved"][1] == "pelibatan masyarakat: 1"
    assert event.changes["memberships_moved"] == [None, 1]
    page = world.client_for(world.province_35).get("/duplikat/?status=done").content.decode()
    assert "Didaftarkan dua kali" in page


def test_it_never_proposes_a_dismissed_pair_again(world: World) -> None:
    pair, _a, _b = _record_pair(world)
    client = world.client_for(world.facilitator_3524)

    assert client.post(f"/duplikat/{pair.pk}/abaikan/", {"comment": "Dua kegiatan berbeda"}).status_code == 302
    assert duplicates_scan()[DuplicateKind.RECORDS] == 0

    assert client.get("/duplikat/").context["page"].paginator.count == 0
    done = client.get("/duplikat/?status=done")
    assert done.context["page"].paginator.count == 1
    assert "Dua kegiatan berbeda" in done.content.decode()
    assert DuplicatePair.objects.get().status == DuplicateStatus.DISMISSED


def test_the_second_of_two_reviewers_is_told_who_handled_the_pair(world: World) -> None:
    pair, a, b = _record_pair(world)
    # Both opened the pair while it was open; the facilitator dismisses first.
    seen_by_province = DuplicatePair.objects.get(pk=pair.pk)
    pair_dismiss(pair=pair, user=world.facilitator_3524)

    client = world.client_for(world.province_35)
    page = client.post(f"/duplikat/{seen_by_province.pk}/gabung/", {"keep": "first"}, follow=True).content.decode()

    assert "sudah ditangani oleh Lamongan" in page
    assert {a.status, b.status} == {Status.SUBMITTED}
    for record in (a, b):
        record.refresh_from_db()
        assert record.status == Status.SUBMITTED
    assert DuplicateEvent.objects.filter(pair=pair).count() == 1
    assert DuplicatePair.objects.get().status == DuplicateStatus.DISMISSED


def test_a_merge_without_a_choice_changes_nothing(world: World) -> None:
    pair, _a, _b = _record_pair(world)

    response = world.client_for(world.facilitator_3524).post(f"/duplikat/{pair.pk}/gabung/", {"keep": "keduanya"})

    assert response.status_code == 400
    assert "Pilih yang dipertahankan." in response.content.decode()
    assert DuplicatePair.objects.get().status == DuplicateStatus.OPEN
    assert not CommunityEngagement.objects.filter(status=Status.WITHDRAWN).exists()


def test_the_menu_offers_duplicates_to_facilitators_not_managers(world: World) -> None:
    assert "/duplikat/" in world.client_for(world.facilitator_3524).get("/bantuan/").content.decode()
    assert "/duplikat/" not in world.client_for(world.manager).get("/bantuan/").content.decode()


def test_the_list_reads_a_few_queries_whatever_its_length(world: World, django_assert_max_num_queries: Any) -> None:
    for n, title in enumerate(["Senam lansia", "Bedah buku", "Lomba mewarnai", "Kelas menjahit", "Dongeng", "Pameran"]):
        activity(world.lamongan_village, title, photos=(40 + n,))
        activity(world.lamongan_district, title, photos=(40 + n,))
        make_library(f"TBM Kembar {n}", world.lamongan_village.region_id)
        make_library(f"TBM Kembar {n}", world.lamongan_village.region_id)
    hash_photos()
    duplicates_scan()
    client = world.client_for(world.national)
    client.get("/duplikat/")  # session and menu caches warmed

    with django_assert_max_num_queries(20):
        page = client.get("/duplikat/")

    assert page.context["page"].paginator.count == 12
