"""The yearly profile form: bounds in words a manager understands, one profile per year, two tabs, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from conftest import World
from tpbis.audit.models import AuditEvent
from tpbis.profiles.models import LibraryProfile
from tpbis.profiles.tests.helpers import YEAR, form_data, profile_make, visitors
from tpbis.reports.models import Status


def _url(world: World, year: int = YEAR) -> str:
    return f"/profil/{world.lamongan_village.pk}/?tahun={year}"


def test_it_refuses_five_million_titles_with_a_clear_message(world: World) -> None:
    response = world.client_for(world.manager).post(_url(world), form_data(titles="5000000", copies="5000000"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Jumlah judul tidak wajar untuk satu perpustakaan (5.000.000); periksa lagi." in page
    assert not LibraryProfile.objects.exists()


@pytest.mark.parametrize("field", ["titles", "copies", "staff_paid", "staff_volunteer", "staff_trained", "members"])
def test_it_refuses_negative_numbers(world: World, field: str) -> None:
    response = world.client_for(world.manager).post(_url(world), form_data(**{field: "-3"}))
    assert response.status_code == 200
    assert "Tidak boleh negatif; isi 0 bila tidak ada." in response.content.decode()
    assert not LibraryProfile.objects.exists()


def test_it_refuses_fewer_copies_than_titles(world: World) -> None:
    response = world.client_for(world.manager).post(_url(world), form_data(titles="900", copies="800"))
    assert "Jumlah eksemplar (800) tidak boleh kurang dari jumlah judul (900)." in response.content.decode()
    assert not LibraryProfile.objects.exists()


def test_it_refuses_more_trained_staff_than_staff_and_an_impossible_week(world: World) -> None:
    data = form_data(staff_paid="1", staff_volunteer="1", staff_trained="3", opening_days="8")
    page = world.client_for(world.manager).post(_url(world), data).content.decode()
    assert "Tenaga terlatih tidak boleh lebih banyak dari tenaga dibayar dan relawan." in page
    assert "Hari buka per minggu antara 1 dan 7." in page
    assert not LibraryProfile.objects.exists()


def test_it_asks_for_the_kind_of_internet(world: World) -> None:
    page = world.client_for(world.manager).post(_url(world), form_data(internet_kind="")).content.decode()
    assert "Pilih jenis sambungan internetnya." in page
    assert not LibraryProfile.objects.exists()


def test_it_refuses_a_location_outside_indonesia(world: World) -> None:
    # Lamongan typed without the minus sign: north of the equator, in the Java Sea's far side.
    data = form_data(latitude="7.1163", longitude="112.4167")
    page = world.client_for(world.manager).post(_url(world), data).content.decode()
    assert "berada di luar Indonesia; periksa lagi" in page
    assert not LibraryProfile.objects.exists()


def test_it_asks_for_both_coordinates(world: World) -> None:
    page = world.client_for(world.manager).post(_url(world), form_data(latitude="-7.1163")).content.decode()
    assert "Isi lintang dan bujur, atau kosongkan keduanya." in page
    assert not LibraryProfile.objects.exists()


def test_it_saves_a_profile_with_its_location_and_audits_it(world: World) -> None:
    data = form_data(latitude="-7.116312345678", longitude="112.416789")
    client = world.client_for(world.manager)
    response = client.post(_url(world), data)
    assert response.status_code == 302
    profile = LibraryProfile.objects.get(library=world.lamongan_village, year=YEAR)
    assert (profile.titles, profile.copies, profile.members) == (1250, 2400, 310)
    assert profile.latitude == Decimal("-7.116312")  # six decimals kept from the phone's GPS
    assert profile.updated_by == world.manager
    event = AuditEvent.objects.get(object_id=profile.pk, action="create")
    assert event.library_id == world.lamongan_village.pk
    assert event.changes["titles"] == [None, 1250]
    assert event.actor == world.manager
    page = client.get(response["Location"]).content.decode()
    assert f"Profil tahun {YEAR} tersimpan." in page


def test_an_edit_is_audited_with_before_and_after(world: World) -> None:
    profile = profile_make(world.lamongan_village)
    data = form_data(version=str(profile.version), members="420")
    assert world.client_for(world.facilitator_3524).post(_url(world), data).status_code == 302
    profile.refresh_from_db()
    assert profile.members == 420
    assert profile.version == 2
    event = AuditEvent.objects.get(object_id=profile.pk, action="update")
    assert event.changes == {"members": [310, 420]}
    assert event.actor == world.facilitator_3524


def test_two_tabs_saving_the_same_new_profile_make_one_profile_and_a_clear_conflict(world: World) -> None:
    client = world.client_for(world.manager)
    first_tab = client.get(_url(world))
    second_tab = client.get(_url(world))
    assert first_tab.context["form"]["version"].value() == second_tab.context["form"]["version"].value() == 0
    assert client.post(_url(world), form_data(members="300")).status_code == 302
    response = client.post(_url(world), form_data(members="999"))
    assert response.status_code == 409
    page = response.content.decode()
    assert f"Profil tahun {YEAR} baru saja disimpan oleh" in page
    assert "Isian Anda belum disimpan" in page
    assert LibraryProfile.objects.get().members == 300


def test_a_stale_edit_is_refused(world: World) -> None:
    profile = profile_make(world.lamongan_village)
    LibraryProfile.objects.filter(pk=profile.pk).update(version=3, members=500)
    response = world.client_for(world.manager).post(_url(world), form_data(version="1", members="999"))
    assert response.status_code == 409
    profile.refresh_from_db()
    assert (profile.members, profile.version) == (500, 3)


def test_the_database_keeps_one_profile_per_library_and_year(world: World) -> None:
    profile_make(world.lamongan_village)
    with pytest.raises(IntegrityError), transaction.atomic():
        profile_make(world.lamongan_village)
    profile_make(world.lamongan_village, year=YEAR - 1)  # another year is another profile
    assert LibraryProfile.objects.count() == 2


def test_a_new_year_starts_from_last_years_profile(world: World) -> None:
    profile_make(
        world.lamongan_village, year=YEAR - 1, members=275, latitude=Decimal("-7.1"), longitude=Decimal("112.4")
    )
    response = world.client_for(world.manager).get(_url(world))
    form = response.context["form"]
    assert form["members"].value() == 275
    assert form["version"].value() == 0
    assert f"Isian diambil dari profil tahun {YEAR - 1}." in response.content.decode()


def test_the_form_shows_the_years_visits_from_the_visitor_records(world: World) -> None:
    visitors(world.lamongan_village, 1, 120)
    visitors(world.lamongan_village, 2, 80, status=Status.VERIFIED)
    visitors(world.lamongan_village, 3, 400, status=Status.RETURNED)  # not counted until corrected
    page = world.client_for(world.manager).get(_url(world)).content.decode()
    assert f"Kunjungan {YEAR}: 200" in page
    assert "2 bulan dilaporkan" in page


def test_a_library_outside_the_scope_is_not_found(world: World) -> None:
    assert world.client_for(world.facilitator_1905).get(_url(world)).status_code == 404
    assert world.client_for(world.manager).get(f"/profil/{world.lamongan_district.pk}/").status_code == 404
    response = world.client_for(world.facilitator_1905).post(_url(world), form_data())
    assert response.status_code == 404
    assert not LibraryProfile.objects.exists()


def test_the_facilitator_of_the_library_may_state_its_profile(world: World) -> None:
    assert world.client_for(world.facilitator_3524).get(_url(world)).status_code == 200
    assert world.client_for(world.facilitator_3524).post(_url(world), form_data()).status_code == 302
