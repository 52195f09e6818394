"""A record's page and history read in people's language: labels, rupiah, one date format, no blank choice."""

from __future__ import annotations

import datetime as dt
import html
import re

from conftest import World
from tpbis.reports.models import Advocacy, CommunityEngagement, Visitors
from tpbis.reports.services import record_create, record_update

DAY = dt.date(2026, 12, 6)


def visible_text(body: str) -> str:
    """What a person reads on the page: no tags, no attribute values (hidden inputs carry ISO moments)."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _advocacy(world: World) -> Advocacy:
    record, _ = record_create(
        model=Advocacy,
        user=world.manager,
        library=world.lamongan_village,
        data={
            "date": DAY,
            "title": "Audiensi dengan kepala desa",
            "targets": ["Kepala Desa", "Perangkat Daerah"],
            "outcome": "Dana",
            "amount": 5_000_000,
            "resource_persons": 0,
            "goods": 0,
            "regulation_kind": "",
            "regulation_date": None,
        },
    )
    return record


def test_the_advocacy_history_reads_labels_lists_and_rupiah(world: World) -> None:
    record = _advocacy(world)
    record_update(
        record=Advocacy.objects.get(pk=record.pk),
        user=world.manager,
        data={"amount": 7_500_000, "date": DAY - dt.timedelta(days=1)},
    )
    page = world.client_for(world.facilitator_3524).get(f"/laporan/advokasi/{record.pk}/").content.decode()
    text = visible_text(page)
    assert "Sasaran: – → Kepala Desa, Perangkat Daerah" in text
    assert "Hasil: – → Dana (uang)" in text
    assert "Nominal (Rp): Rp 5.000.000 → Rp 7.500.000" in text
    assert "Tanggal: 6 Des 2026 → 5 Des 2026" in text
    assert "['" not in text and "5000000" not in text and "7500000" not in text


def test_the_record_page_shows_amounts_in_rupiah_and_choice_labels(world: World) -> None:
    record = _advocacy(world)
    text = visible_text(world.client_for(world.manager).get(f"/laporan/advokasi/{record.pk}/").content.decode())
    assert "Rp 5.000.000" in text
    assert "Dana (uang)" in text
    assert "Kepala Desa, Perangkat Daerah" in text


def test_the_record_page_writes_every_date_one_way(world: World) -> None:
    record, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        library=world.lamongan_village,
        data={
            "date": DAY,
            "title": "Kelas membatik",
            "activity_field": "Ekonomi",
            "activity_kind": "Pelatihan",
            "audience": "Umum",
            "participants": 1250,
        },
        submit=False,
    )
    CommunityEngagement.objects.filter(pk=record.pk).update(input_date=DAY)
    text = visible_text(world.client_for(world.manager).get(f"/laporan/pelibatan/{record.pk}/").content.decode())
    assert "Tanggal kegiatan 6 Des 2026" in text
    assert "Tanggal input 6 Des 2026" in text
    assert "1.250" in text
    assert "2026-12-06" not in text
    assert "Des." not in text


def test_a_monthly_record_names_its_month_and_year_plainly(world: World) -> None:
    record = Visitors.objects.create(
        library=world.lamongan_village, year=2026, month=11, male=1200, female=1365, total=2565
    )
    text = visible_text(world.client_for(world.manager).get(f"/laporan/pengunjung/{record.pk}/").content.decode())
    assert "Bulan November" in text
    assert "Tahun 2026" in text  # a year, never "2.026"
    assert "Total pengunjung 2.565" in text


def test_the_outcome_starts_with_no_choice_ticked_and_must_be_chosen(world: World) -> None:
    manager = world.client_for(world.manager)
    url = f"/laporan/advokasi/baru/?perpustakaan={world.lamongan_village.pk}"
    page = manager.get(url).content.decode()
    assert "---------" not in page
    outcome_inputs = re.findall(r'<input[^>]*name="outcome"[^>]*>', page)
    assert len(outcome_inputs) == 3
    assert not any("checked" in tag for tag in outcome_inputs)
    response = manager.post(
        url, {"date": DAY.isoformat(), "title": "Audiensi", "targets": ["Kepala Desa"], "amount": "5000000"}
    )
    assert response.status_code == 200
    assert "outcome" in response.context["form"].errors
    assert not Advocacy.objects.exists()


def test_required_lists_ask_the_person_to_choose(world: World) -> None:
    page = (
        world.client_for(world.manager)
        .get(f"/laporan/pelibatan/baru/?perpustakaan={world.lamongan_village.pk}")
        .content.decode()
    )
    assert '<option value="" selected>Pilih bidang kegiatan</option>' in page
    assert '<option value="" selected>Pilih sasaran</option>' in page


def test_the_list_names_a_month_and_groups_participants(world: World) -> None:
    Visitors.objects.create(library=world.lamongan_village, year=2026, month=11, male=10, female=12, total=22)
    CommunityEngagement.objects.create(
        library=world.lamongan_village,
        date=DAY,
        title="Kelas membatik",
        activity_field="Ekonomi",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=1250,
    )
    client = world.client_for(world.facilitator_3524)
    assert "Pengunjung November 2026" in visible_text(client.get("/laporan/pengunjung/").content.decode())
    text = visible_text(client.get("/laporan/pelibatan/").content.decode())
    assert "1.250 peserta" in text
    assert "6 Des 2026" in text
