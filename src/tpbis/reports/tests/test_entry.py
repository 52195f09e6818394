"""Entering records through the phone forms: defaults, validation, duplicates, idempotency, audit."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from conftest import World
from tpbis.reports.audit import audit_for
from tpbis.reports.models import (
    Advocacy,
    AuditAction,
    CommunityEngagement,
    InformationService,
    Publicity,
    Status,
    Visitors,
)

TODAY = timezone.localdate()


def jpeg(name: str = "kegiatan.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 90)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def engagement(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "date": TODAY.isoformat(),
        "title": "Kelas membaca untuk anak",
        "activity_field": "Pendidikan",
        "activity_kind": "Pelatihan",
        "audience": "Anak-Anak",
        "participants": "12",
        "participants_male": "5",
        "participants_female": "7",
        "participants_disability": "1",
        "story": "",
        "client_id": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


@pytest.fixture
def manager(world: World):  # type: ignore[no-untyped-def]
    return world.client_for(world.manager)


def post_engagement(client: Any, world: World, photos: int = 1, **overrides: Any) -> Any:
    data = engagement(**overrides)
    data["photos"] = [jpeg(f"foto{i}.jpg") for i in range(photos)]
    return client.post(f"/laporan/pelibatan/baru/?perpustakaan={world.lamongan_village.pk}", data)


def test_it_prefills_today_and_the_managers_library(world: World, manager: Any) -> None:
    response = manager.get("/laporan/pelibatan/baru/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{TODAY.isoformat()}"' in body
    assert "Perpustakaan Desa Sembung" in body


def test_it_saves_an_engagement_with_photos_as_submitted(world: World, manager: Any) -> None:
    response = post_engagement(manager, world, photos=2)
    assert response.status_code == 302
    record = CommunityEngagement.objects.get()
    assert record.library == world.lamongan_village
    assert record.status == Status.SUBMITTED
    assert record.entered_by == world.manager
    assert record.participants_disability == 1
    entry = audit_for(record).get()
    assert entry.action == AuditAction.CREATE
    assert entry.user == world.manager
    assert entry.changes["title"] == [None, "Kelas membaca untuk anak"]


def test_it_derives_the_total_from_the_sex_split(world: World, manager: Any) -> None:
    assert post_engagement(manager, world, participants="").status_code == 302
    assert CommunityEngagement.objects.get().participants == 12


@pytest.mark.parametrize(
    ("overrides", "photos", "message"),
    [
        ({"date": (TODAY + dt.timedelta(days=1)).isoformat()}, 1, "Tanggal tidak boleh di masa depan"),
        ({"date": "2021-06-01"}, 1, "sebelum perpustakaan bergabung"),
        ({"participants": "0", "participants_male": "", "participants_female": ""}, 1, "paling sedikit 1"),
        ({"participants": "10"}, 1, "harus sama dengan jumlah peserta"),
        ({"participants_disability": "20"}, 1, "tidak boleh lebih dari jumlah peserta"),
        ({"date": "31/02/2026"}, 1, "Masukkan tanggal yang valid"),
        ({}, 0, "Lampirkan"),
        ({}, 4, "Paling banyak 3 foto"),
    ],
)
def test_it_refuses_an_invalid_engagement_with_a_clear_message(
    world: World, manager: Any, overrides: dict[str, Any], photos: int, message: str
) -> None:
    response = post_engagement(manager, world, photos=photos, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CommunityEngagement.objects.exists()


def test_it_saves_once_when_the_same_submission_arrives_twice(world: World, manager: Any) -> None:
    client_id = str(uuid.uuid4())
    first = post_engagement(manager, world, client_id=client_id)
    second = post_engagement(manager, world, client_id=client_id)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert CommunityEngagement.objects.count() == 1


def test_it_flags_a_likely_duplicate_before_saving(world: World, manager: Any) -> None:
    post_engagement(manager, world)
    response = post_engagement(manager, world, title="Kelas Membaca untuk Anak-anak")
    assert response.status_code == 200
    assert "Sepertinya laporan ini sudah pernah diisi" in response.content.decode()
    assert CommunityEngagement.objects.count() == 1
    confirmed = post_engagement(manager, world, title="Kelas Membaca untuk Anak-anak", confirm_duplicate="on")
    assert confirmed.status_code == 302
    assert CommunityEngagement.objects.count() == 2


def _advocacy(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "date": TODAY.isoformat(),
        "title": "Audiensi dengan kepala desa",
        "targets": ["Kepala Desa"],
        "outcome": "Dana",
        "amount": "5000000",
        "client_id": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": ""}, "isi nominalnya"),
        ({"outcome": "NonDana", "amount": ""}, "jumlah narasumber atau jumlah barang"),
        ({"outcome": "Regulasi", "amount": ""}, "pilih jenis regulasinya"),
        ({"outcome": "Regulasi", "regulation_kind": "Peraturan Kepala Desa/Lurah"}, "isi tanggal terbitnya"),
        ({"targets": []}, "Bidang ini tidak boleh kosong"),
    ],
)
def test_it_checks_advocacy_outcomes(world: World, manager: Any, overrides: dict[str, Any], message: str) -> None:
    response = manager.post(f"/laporan/advokasi/baru/?perpustakaan={world.lamongan_village.pk}", _advocacy(**overrides))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert not Advocacy.objects.exists()


def test_it_saves_a_regulation_outcome(world: World, manager: Any) -> None:
    response = manager.post(
        f"/laporan/advokasi/baru/?perpustakaan={world.lamongan_village.pk}",
        _advocacy(
            outcome="Regulasi",
            amount="",
            regulation_kind="Peraturan Kepala Desa/Lurah",
            regulation_date=TODAY.isoformat(),
        ),
    )
    assert response.status_code == 302
    assert Advocacy.objects.get().regulation_kind == "Peraturan Kepala Desa/Lurah"


def test_it_requires_a_real_link_for_publicity(world: World, manager: Any) -> None:
    url = f"/laporan/publikasi/baru/?perpustakaan={world.lamongan_village.pk}"
    data = {"date": TODAY.isoformat(), "title": "Liputan", "media_kind": "Media Online", "media_name": "Instagram"}
    bad = manager.post(url, {**data, "link": "bukan tautan", "client_id": str(uuid.uuid4())})
    assert bad.status_code == 200
    assert not Publicity.objects.exists()
    good = manager.post(url, {**data, "link": "instagram.com/p/abc", "client_id": str(uuid.uuid4())})
    assert good.status_code == 302
    assert Publicity.objects.get().link == "https://instagram.com/p/abc"


def test_it_opens_the_existing_monthly_record_instead_of_a_second(world: World, manager: Any) -> None:
    url = f"/laporan/pengunjung/baru/?perpustakaan={world.lamongan_village.pk}"
    data = {"month": TODAY.month, "year": TODAY.year, "male": "10", "female": "12"}
    assert manager.post(url, {**data, "client_id": str(uuid.uuid4())}).status_code == 302
    record = Visitors.objects.get()
    assert record.total == 22
    again = manager.post(url, {**data, "male": "11", "client_id": str(uuid.uuid4())})
    assert again["Location"] == f"/laporan/pengunjung/{record.pk}/ubah/"
    assert Visitors.objects.count() == 1
    # What was typed is not lost: the existing report's form opens with it, unsaved until sent.
    page = manager.get(again["Location"])
    assert "Angka yang Anda ketik sudah dipindahkan ke laporan itu" in page.content.decode()
    assert page.context["form"]["male"].value() == "11"
    record.refresh_from_db()
    assert record.male == 10
    assert manager.get(again["Location"]).context["form"]["male"].value() == 10  # carried once only


def test_it_refuses_a_month_that_has_not_started(world: World, manager: Any) -> None:
    next_month = (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    response = manager.post(
        f"/laporan/peningkatan/baru/?perpustakaan={world.lamongan_village.pk}",
        {
            "month": next_month.month,
            "year": next_month.year,
            "books": "100",
            "digital_books": "0",
            "computers": "1",
            "bandwidth": "10",
            "client_id": str(uuid.uuid4()),
        },
    )
    assert response.status_code in (200,)
    assert not InformationService.objects.exists()


def test_it_hides_another_kabupatens_record(world: World, manager: Any) -> None:
    post_engagement(manager, world)
    record = CommunityEngagement.objects.get()
    assert world.client_for(world.facilitator_1905).get(f"/laporan/pelibatan/{record.pk}/").status_code == 404
    assert world.client_for(world.facilitator_3524).get(f"/laporan/pelibatan/{record.pk}/").status_code == 200


def test_it_refuses_entry_for_a_library_outside_scope(world: World, manager: Any) -> None:
    response = manager.get(f"/laporan/pelibatan/baru/?perpustakaan={world.belo_laut.pk}")
    assert response.status_code == 404


def test_it_opens_the_visitor_form_on_the_month_a_link_asks_for(world: World) -> None:
    client = world.client_for(world.manager)
    base = f"/laporan/pengunjung/baru/?perpustakaan={world.lamongan_village.pk}"
    last = TODAY.replace(day=1) - dt.timedelta(days=1)
    page = client.get(f"{base}&bulan={last.month}&tahun={last.year}").content.decode()
    assert f'<option value="{last.month}" selected>' in page
    assert f'<option value="{last.year}" selected>' in page
    # A month in the future or a malformed one falls back to this month.
    for odd in ("bulan=13&tahun=2026", "bulan=x&tahun=y", f"bulan=12&tahun={TODAY.year + 1}"):
        page = client.get(f"{base}&{odd}").content.decode()
        assert f'<option value="{TODAY.month}" selected>' in page
