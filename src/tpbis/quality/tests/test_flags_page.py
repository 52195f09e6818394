"""The data-quality page of a region: flags ranked, scoped to the viewer, with a follow-up mark."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import World
from tpbis.audit.models import AuditEvent
from tpbis.quality.models import FlagFollowUp, FollowUp, OutlierFlag
from tpbis.quality.scan import outliers_scan
from tpbis.quality.services import FlagConflict, flag_follow_up
from tpbis.quality.tests.helpers import USUAL, visitor_months

pytestmark = pytest.mark.django_db
URL = "/kualitas-data/"


@pytest.fixture
def flagged(world: World) -> dict[str, OutlierFlag]:
    """A planted outlier in Sembung (Lamongan), a farther one in Labruk Kidul (Lumajang), one in Belo Laut."""
    visitor_months(world.lamongan_village, [*USUAL[:10], 2400])
    visitor_months(world.lumajang_village, [*USUAL[:10], 9000])
    visitor_months(world.belo_laut, [*USUAL[:10], 4000])
    outliers_scan(today=dt.date(2026, 12, 6))
    return {f.library.name.split()[-1]: f for f in OutlierFlag.objects.select_related("library")}


def test_the_facilitator_sees_their_kabupaten_only(world: World, flagged: dict[str, OutlierFlag]) -> None:
    page = world.client_for(world.facilitator_3524).get(URL).content.decode()

    assert "Perpustakaan Desa Sembung" in page
    assert "jauh di atas biasanya: 2.400 pengunjung, biasanya 168–264" in page
    assert "Labruk Kidul" not in page and "Belo Laut" not in page


def test_the_province_sees_its_kabupaten_ranked_farthest_first(world: World, flagged: dict[str, OutlierFlag]) -> None:
    page = world.client_for(world.province_35).get(URL).content.decode()

    assert page.index("Labruk Kidul") < page.index("Sembung")
    assert "Belo Laut" not in page


def test_the_nation_sees_all_and_may_pick_a_region(world: World, flagged: dict[str, OutlierFlag]) -> None:
    client = world.client_for(world.national)

    assert all(name in client.get(URL).content.decode() for name in ("Sembung", "Labruk Kidul", "Belo Laut"))
    page = client.get(URL, {"wilayah": "1905"}).content.decode()
    assert "Belo Laut" in page and "Sembung" not in page


def test_a_region_outside_the_area_is_not_found(world: World, flagged: dict[str, OutlierFlag]) -> None:
    assert world.client_for(world.facilitator_3524).get(URL, {"wilayah": "35.08"}).status_code == 404
    assert world.client_for(world.province_35).get(URL, {"wilayah": "19.05"}).status_code == 404


def test_a_library_manager_may_not_open_it(world: World, flagged: dict[str, OutlierFlag]) -> None:
    client = world.client_for(world.manager)

    assert client.get(URL).status_code == 403
    mark = client.post(f"{URL}tanda/{flagged['Sembung'].pk}/", {"status": "checked", "seen": 1})
    assert mark.status_code == 403
    assert OutlierFlag.objects.get(pk=flagged["Sembung"].pk).status == FollowUp.OPEN


def test_a_flag_outside_the_area_cannot_be_marked(world: World, flagged: dict[str, OutlierFlag]) -> None:
    client = world.client_for(world.facilitator_3524)

    response = client.post(f"{URL}tanda/{flagged['Kidul'].pk}/", {"status": "checked", "seen": 1})

    assert response.status_code == 404
    assert OutlierFlag.objects.get(pk=flagged["Kidul"].pk).status == FollowUp.OPEN


def test_a_follow_up_mark_is_saved_audited_and_kept_as_history(world: World, flagged: dict[str, OutlierFlag]) -> None:
    client = world.client_for(world.facilitator_3524)
    flag = flagged["Sembung"]

    client.post(f"{URL}tanda/{flag.pk}/", {"status": "checked", "note": "Ditelepon", "seen": 1})
    response = client.post(
        f"{URL}tanda/{flag.pk}/", {"status": "corrected", "note": "Salah ketik, jadi 240", "seen": 2}, follow=True
    )

    flag.refresh_from_db()
    assert (flag.status, flag.note, flag.followed_by, flag.version) == (
        FollowUp.CORRECTED,
        "Salah ketik, jadi 240",
        world.facilitator_3524,
        3,
    )
    assert list(FlagFollowUp.objects.filter(flag=flag).values_list("previous_status", "status")) == [
        (FollowUp.OPEN, FollowUp.CHECKED),
        (FollowUp.CHECKED, FollowUp.CORRECTED),
    ]
    events = AuditEvent.objects.filter(object_id=flag.pk).order_by("pk")
    assert [e.changes["tindak lanjut"] for e in events] == [
        ["Belum ditindaklanjuti", "Sudah diperiksa"],
        ["Sudah diperiksa", "Sudah diperbaiki"],
    ]
    assert events[0].library_id == world.lamongan_village.pk
    assert "Tindak lanjut tersimpan." in response.content.decode()
    assert "Sudah diperbaiki" in response.content.decode()


def test_of_two_marks_on_the_same_reading_the_second_loses_clearly(
    world: World, flagged: dict[str, OutlierFlag]
) -> None:
    flag = flagged["Sembung"]
    flag_follow_up(flag=flag, user=world.province_35, status=FollowUp.CONFIRMED, note="Ada pameran", seen_version=1)

    # The facilitator's page was read before the province's mark: version 1.
    response = world.client_for(world.facilitator_3524).post(
        f"{URL}tanda/{flag.pk}/", {"status": "corrected", "note": "Diperbaiki", "seen": 1}, follow=True
    )

    flag.refresh_from_db()
    assert (flag.status, flag.note, flag.followed_by) == (FollowUp.CONFIRMED, "Ada pameran", world.province_35)
    assert "Tanda ini baru saja diubah oleh Jatim" in response.content.decode()
    assert FlagFollowUp.objects.filter(flag=flag).count() == 1
    with pytest.raises(FlagConflict):
        flag_follow_up(flag=flag, user=world.national, status=FollowUp.CHECKED, note="", seen_version=1)


def test_an_unknown_follow_up_changes_nothing(world: World, flagged: dict[str, OutlierFlag]) -> None:
    client = world.client_for(world.facilitator_3524)
    flag = flagged["Sembung"]

    response = client.post(f"{URL}tanda/{flag.pk}/", {"status": "open", "seen": 1}, follow=True)

    assert "Pilih tindak lanjut, lalu simpan lagi." in response.content.decode()
    assert OutlierFlag.objects.get(pk=flag.pk).version == 1
