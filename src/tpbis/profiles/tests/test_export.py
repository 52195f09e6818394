"""The IPLM (KTAK) export of a region's profiles, compared with values computed by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from conftest import World, make_library
from tpbis.exports.tests.helpers import body, csv_rows, xlsx_rows
from tpbis.profiles.tests.helpers import YEAR, profile_make, visitors
from tpbis.reports.models import Status


def _by_name(rows: list[list[Any]]) -> dict[str, dict[str, Any]]:
    header = rows[0]
    return {row[2]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def _plant(world: World) -> None:
    profile_make(
        world.lamongan_village,
        titles=1_250,
        copies=2_400,
        staff_paid=1,
        staff_volunteer=3,
        staff_trained=2,
        members=310,
        opening_days=6,
        opening_hours=Decimal("5.5"),
        latitude=Decimal("-7.116312"),
        longitude=Decimal("112.416789"),
    )
    profile_make(world.lamongan_village, year=YEAR - 1, titles=900, copies=1_000)  # last year's: not exported
    profile_make(world.lumajang_village, titles=77, copies=77)  # another kabupaten
    village = world.lamongan_village
    visitors(village, 1, 120)
    visitors(village, 2, 80, status=Status.VERIFIED)
    visitors(village, 2, 95)  # a correction of February: replaces the 80
    visitors(village, 3, 400, status=Status.RETURNED)  # returned: not counted
    visitors(village, 4, 55, status=Status.DRAFT)  # draft: not counted
    visitors(village, 12, 999, year=YEAR - 1)  # last year
    visitors(world.lamongan_district, 5, 1_000, status=Status.VERIFIED)


def test_the_iplm_export_matches_hand_computed_values(world: World) -> None:
    _plant(world)
    make_library("Perpustakaan Desa Nonaktif", "35.24.01.2002", is_active=False)
    make_library("TBM Angkatan Depan", "35.24.01.2002", cohort_year=YEAR + 1)
    response = world.client_for(world.facilitator_3524).get(f"/ekspor/iplm.csv?tahun={YEAR}")
    assert response.status_code == 200
    assert f"iplm-{YEAR}-35.24-" in response["Content-Disposition"]
    rows = _by_name(csv_rows(response))
    # Only the active partners of Lamongan that had joined by the year; a library without a profile is
    # listed with its visits and blank cells, so the office sees what is missing.
    assert set(rows) == {world.lamongan_village.name, world.lamongan_district.name}
    sembung = rows[world.lamongan_village.name]
    assert sembung["Tahun"] == str(YEAR)
    assert sembung["Kabupaten/Kota"] == "Kabupaten Lamongan"
    assert sembung["Koleksi: jumlah judul"] == "1250"
    assert sembung["Koleksi: jumlah eksemplar"] == "2400"
    assert sembung["Tenaga: dibayar"] == "1"
    assert sembung["Tenaga: relawan"] == "3"
    assert sembung["Tenaga: jumlah"] == "4"  # 1 paid + 3 volunteers
    assert sembung["Tenaga: terlatih"] == "2"
    assert sembung["Anggota terdaftar"] == "310"
    assert sembung["Kunjungan setahun (laporan pengunjung)"] == str(120 + 95)  # January + corrected February
    assert sembung["Bulan dengan laporan pengunjung"] == "2"
    assert sembung["Hari buka per minggu"] == "6"
    assert sembung["Jam buka per hari"] == "5.5"
    assert sembung["Internet"] == "Ya"
    assert sembung["Jenis internet"] == "Data seluler"
    assert (sembung["Lintang"], sembung["Bujur"]) == ("-7.116312", "112.416789")
    assert sembung["Profil diisi"] == "Ya"
    district = rows[world.lamongan_district.name]
    assert district["Koleksi: jumlah judul"] == ""
    assert district["Kunjungan setahun (laporan pengunjung)"] == "1000"
    assert district["Profil diisi"] == "Belum"


def test_the_xlsx_export_carries_numbers_and_last_year_on_request(world: World) -> None:
    _plant(world)
    response = world.client_for(world.province_35).get(f"/ekspor/iplm.xlsx?wilayah=35.24&tahun={YEAR - 1}")
    assert response.status_code == 200
    rows = _by_name(xlsx_rows(body(response)))
    sembung = rows[world.lamongan_village.name]
    assert sembung["Tahun"] == YEAR - 1
    assert sembung["Koleksi: jumlah judul"] == 900
    assert sembung["Kunjungan setahun (laporan pengunjung)"] == 999
    assert sembung["Bulan dengan laporan pengunjung"] == 1


def test_the_province_exports_every_kabupaten_it_covers(world: World) -> None:
    _plant(world)
    response = world.client_for(world.province_35).get(f"/ekspor/iplm.csv?wilayah=35&tahun={YEAR}")
    rows = _by_name(csv_rows(response))
    assert world.lumajang_village.name in rows
    assert rows[world.lumajang_village.name]["Koleksi: jumlah judul"] == "77"
    assert world.belo_laut.name not in rows


def test_a_manager_may_not_export_and_a_region_outside_is_not_found(world: World) -> None:
    assert world.client_for(world.manager).get("/ekspor/iplm.csv").status_code == 403
    assert world.client_for(world.facilitator_3524).get("/ekspor/iplm.csv?wilayah=19.05").status_code == 404
    assert world.client_for(world.facilitator_3524).get("/ekspor/iplm.csv?wilayah=35").status_code == 404
