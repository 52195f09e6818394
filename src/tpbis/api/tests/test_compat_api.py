"""The compatible API on our own entries: shape, filters, errors, province codes, cache, token setting."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World, make_library
from tpbis.api.tokens import token_create
from tpbis.libraries.models import LibraryKind
from tpbis.reports.models import InformationService, Replication, Status, Visitors
from tpbis.reports.services import record_verify
from tpbis.reports.tests.test_verification import make_engagement

TODAY = timezone.localdate()
THIS_YEAR = f"01/01/{TODAY.year}"


def _get(path: str, **params: Any) -> tuple[int, Any]:
    response = Client().get(path, params)
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def test_it_serves_only_verified_records_with_the_real_fields(world: World) -> None:
    waiting = make_engagement(world, title="Belum diverifikasi")
    verified = make_engagement(world, title="Sudah diverifikasi", days_ago=1)
    record_verify(record=verified, user=world.facilitator_3524)

    status, body = _get("/api/pelibatan3524")

    assert status == 200
    assert [row["nama_kegiatan"] for row in body["data"]] == ["Sudah diverifikasi"]
    row = body["data"][0]
    assert list(row) == [
        "tanggal", "nama_kegiatan", "perpus_nama", "provinsi_name", "kabupaten_name", "kecamatan_name",
        "desa_name", "bidang_kegiatan", "jenis", "sasaran", "jumlah_peserta", "attachment", "tanggal_input",
        "is_verified",
    ]  # fmt: skip
    assert row["kabupaten_name"] == "Kab. Lamongan"
    assert row["provinsi_name"] == "Jawa Timur"
    assert row["perpus_nama"] == "Perpustakaan Desa Sembung"
    assert row["is_verified"] == "Sudah Diverifikasi"
    assert row["tanggal_input"] == TODAY.isoformat()
    photo_urls = row["attachment"].split(",")
    assert len(photo_urls) == 1
    assert photo_urls[0].startswith("http") and photo_urls[0].endswith("/full/")
    assert waiting.status == Status.SUBMITTED


def test_it_writes_dashes_for_a_kabupaten_library(world: World) -> None:
    record = Visitors.objects.create(
        library=world.lamongan_district, year=TODAY.year, month=1, male=3, female=4, total=7, status=Status.VERIFIED
    )
    _, body = _get("/api/pengunjung3524")
    assert body["data"] == [
        {
            "periode": f"Jan {TODAY.year}",
            "perpus_nama": "Perpustakaan Daerah Lamongan",
            "provinsi_name": "Jawa Timur",
            "kabupaten_name": "Kab. Lamongan",
            "kecamatan_name": " - ",
            "desa_name": " - ",
            "pengunjung_laki": 3,
            "pengunjung_perempuan": 4,
            "total_pengunjung": 7,
        }
    ]
    assert record.pk


def test_it_filters_information_service_by_input_date(world: World) -> None:
    InformationService.objects.create(
        library=world.lamongan_village, year=TODAY.year, month=11, books=10, bandwidth=Decimal("20.00"),
        status=Status.VERIFIED, input_date=dt.date(TODAY.year, 1, 20),
    )  # fmt: skip
    InformationService.objects.create(
        library=world.lamongan_village, year=TODAY.year, month=1, bandwidth=Decimal("2.50"),
        status=Status.VERIFIED, input_date=dt.date(TODAY.year, 2, 3),
    )  # fmt: skip

    _, january = _get("/api/peningkatan3524", tanggal_awal=THIS_YEAR, tanggal_akhir=f"31/01/{TODAY.year}")
    _, both = _get("/api/peningkatan3524", tanggal_awal=THIS_YEAR, tanggal_akhir=f"28/02/{TODAY.year}")

    assert [(r["bulan"], r["bandwidth"]) for r in january["data"]] == [("November", 20)]
    assert [(r["bulan"], r["tahun"], r["bandwidth"]) for r in both["data"]] == [
        ("November", str(TODAY.year), 20),
        ("Januari", str(TODAY.year), 2.5),
    ]


def test_it_serves_a_province_code(world: World) -> None:
    sumbersuko = make_library("Perpustakaan Desa Lain", "35.08.21.2004", kind=LibraryKind.VILLAGE)
    for library in (world.lamongan_village, sumbersuko, world.belo_laut):
        Visitors.objects.create(library=library, year=TODAY.year, month=1, total=1, male=1, status=Status.VERIFIED)

    _, east_java = _get("/api/pengunjung35")
    _, lamongan = _get("/api/pengunjung3524")

    assert {r["kabupaten_name"] for r in east_java["data"]} == {"Kab. Lamongan", "Kab. Lumajang"}
    assert len(lamongan["data"]) == 1


def test_it_says_provinsi_nama_in_replikasi(world: World) -> None:
    Replication.objects.create(
        region_id="35.24", year=TODAY.year, funds=21_500_000, funding_source="APBD", villages=12,
        status=Status.VERIFIED,
    )  # fmt: skip
    _, body = _get("/api/replikasi3524")
    assert body["data"] == [
        {
            "provinsi_nama": "Jawa Timur",
            "kabupaten_name": "Kab. Lamongan",
            "dana": 21_500_000,
            "sumber_dana": "APBD",
            "jumlah_desa": 12,
            "tanggal_input": TODAY.isoformat(),
            "is_verified": "Sudah Diverifikasi",
        }
    ]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/laporan3524", {}, 404),
        ("/api/pelibatan9999", {}, 404),
        ("/api/pelibatan352", {}, 404),
        ("/api/pelibatan", {}, 404),
        ("/api/pelibatan3524", {"tanggal_awal": "2026-01-01"}, 400),
        ("/api/pelibatan3524", {"tanggal_akhir": "31/02/2026"}, 400),
    ],
)
def test_it_answers_errors_in_the_real_envelope(world: World, path: str, params: dict[str, str], status: int) -> None:
    code, body = _get(path, **params)
    assert code == status
    assert body["status"] == "error"
    assert body["message"]


def test_it_forgets_its_cached_answer_after_a_verification(world: World) -> None:
    record = make_engagement(world)
    _, before = _get("/api/pelibatan3524")
    record_verify(record=record, user=world.facilitator_3524)
    _, after = _get("/api/pelibatan3524")
    assert before["data"] == []
    assert len(after["data"]) == 1


def test_it_compresses_for_clients_that_accept_it(world: World) -> None:
    for n in range(8):
        record_verify(record=make_engagement(world, title=f"Kegiatan nomor {n}"), user=world.facilitator_3524)
    response = Client().get("/api/pelibatan3524", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]


def test_it_can_require_a_token(world: World, settings: Any) -> None:
    settings.SIM_API_REQUIRE_TOKEN = True
    _, key = token_create(user=world.facilitator_3524, name="dasbor", read_only=True)

    refused, body = _get("/api/pelibatan3524")
    with_query, _ = _get("/api/pelibatan3524", token=key)
    with_header = Client().get("/api/pelibatan3524", HTTP_AUTHORIZATION=f"Bearer {key}")
    wrong, _ = _get("/api/pelibatan3524", token=key + "x")

    assert (refused, body["status"]) == (401, "error")
    assert with_query == 200
    assert with_header.status_code == 200
    assert wrong == 401
