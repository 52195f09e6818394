"""The plan's form: clear messages, every typed value kept on error."""

from __future__ import annotations

from conftest import World
from tpbis.gatherings.models import Gathering
from tpbis.gatherings.tests.test_scope import FORM


def test_an_end_before_the_start_is_a_field_error_and_keeps_what_was_typed(world: World) -> None:
    client = world.client_for(world.province_35)
    response = client.post("/gathering/baru/", {**FORM, "start_time": "13:00", "end_time": "11:00"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Jam selesai harus sesudah jam mulai." in page
    assert 'value="Gathering Lamongan"' in page
    assert "Pak Budi - Konsultan Pendamping" in page
    assert 'value="13:00"' in page and 'value="2024-09-30"' in page
    assert not Gathering.objects.exists()


def test_it_creates_with_speakers_and_a_preset_period(world: World) -> None:
    client = world.client_for(world.province_35)
    response = client.post("/gathering/baru/", {**FORM, "periode": "ytd", "period_start": "", "period_end": ""})
    gathering = Gathering.objects.get()
    assert response.status_code == 302
    assert gathering.speakers == [
        {"name": "Ibu Rina", "role": "Pelatih Ahli"},
        {"name": "Pak Budi", "role": "Konsultan Pendamping"},
    ]
    assert gathering.period_start.month == 1 and gathering.period_start.day == 1
    page = client.get(f"/gathering/{gathering.pk}/").content.decode()
    assert "Konsultan Pendamping" in page


def test_odd_input_gets_messages_not_errors(world: World) -> None:
    client = world.client_for(world.province_35)
    bad = {
        **FORM,
        "speakers": "Tanpa peran",
        "online_link": "",
        "place": "",
        "period_start": "2024-09-30",
        "period_end": "2024-01-01",
        "date": "besok",
    }
    page = client.post("/gathering/baru/", bad).content.decode()
    assert "Baris 1: tulis nama dan peran" in page
    assert "Isi tautan pertemuan daring atau tempatnya." in page
    assert "Masukkan tanggal yang valid" in page or "Enter a valid date" in page
    assert not Gathering.objects.exists()


def test_a_selection_leads_to_the_invitation_page(world: World) -> None:
    client = world.client_for(world.province_35)
    response = client.post("/gathering/baru/", {**FORM, "region": "35", "invite": "select"})
    gathering = Gathering.objects.get()
    assert response["Location"] == f"/gathering/{gathering.pk}/undangan/"
    assert not gathering.invitees.exists()
    outside = client.post(
        f"/gathering/{gathering.pk}/undangan/", {"libraries": [world.lumajang_village.pk, world.belo_laut.pk]}
    )
    assert outside.status_code == 200 and "Masukkan pilihan yang valid" in outside.content.decode()
    assert not gathering.invitees.exists()
    client.post(f"/gathering/{gathering.pk}/undangan/", {"libraries": [world.lumajang_village.pk]})
    assert list(gathering.invitees.values_list("library_id", flat=True)) == [world.lumajang_village.pk]


def test_after_the_start_the_region_and_period_stay(world: World) -> None:
    client = world.client_for(world.province_35)
    client.post("/gathering/baru/", {**FORM, "region": "35"})
    gathering = Gathering.objects.get()
    client.post(f"/gathering/{gathering.pk}/mulai/")
    response = client.post(
        f"/gathering/{gathering.pk}/ubah/", {**FORM, "region": "35.24", "period_start": "2025-01-01", "title": "Baru"}
    )
    gathering.refresh_from_db()
    assert response.status_code == 302
    assert (gathering.title, gathering.region_id, str(gathering.period_start)) == ("Baru", "35", "2024-01-01")
