"""Downloading a list as CSV or XLSX: contents, scope and filters exactly as on the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client

from conftest import World
from tpbis.exports.tests.helpers import DAY, body, csv_rows, engagement, one_of_each, xlsx_rows
from tpbis.kpi.models import Colour, CurrentScore
from tpbis.reports.models import CommunityEngagement, Photo, Status
from tpbis.reports.services import record_create, record_verify


def _ids(rows: list[list[Any]]) -> list[int]:
    return [int(row[0]) for row in rows[1:]]


def _page_ids(client: Client, url: str) -> list[int]:
    """The ids of every row the list page would show, across all its pages."""
    response = client.get(url)
    assert response.status_code == 200
    return [obj.pk for obj in response.context["page"].paginator.object_list]


def test_it_exports_partners_as_csv_with_account_status_and_regions(world: World) -> None:
    response = world.client_for(world.facilitator_3524).get("/ekspor/mitra.csv")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = dt.date.today().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="mitra-35.24-{today}.csv"'
    rows = csv_rows(response)
    header = rows[0]
    assert header[:3] == ["ID", "Nama perpustakaan", "Jenis"]
    assert {"Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan", "Kode wilayah", "Status akun"} <= set(header)
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {world.lamongan_village.name, world.lamongan_district.name}
    village = by_name[world.lamongan_village.name]
    assert village["Provinsi"] == "Jawa Timur"
    assert village["Kabupaten/Kota"] == "Kabupaten Lamongan"
    assert village["Kode wilayah"] == "35.24.01.2001"
    assert village["Jenis"] == "Perpustakaan desa/kelurahan"
    assert village["Status akun"] == "Diundang"  # the manager's account exists but never signed in
    assert by_name[world.lamongan_district.name]["Status akun"] == "Belum punya akun"
    assert by_name[world.lamongan_district.name]["Angkatan"] == "2019"


def test_it_exports_partners_as_xlsx_with_numbers_and_dates(world: World) -> None:
    response = world.client_for(world.national).get("/ekspor/mitra.xlsx?region=19")
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert "mitra-19-" in response["Content-Disposition"]
    rows = xlsx_rows(body(response))
    header, (belo_laut,) = rows[0], rows[1:]
    record = dict(zip(header, belo_laut, strict=True))
    assert record["Nama perpustakaan"] == "Perpustakaan Desa Belo Laut"
    assert record["Angkatan"] == 2022  # a number, not text
    assert record["NPP"] == "1905012006"  # text: an NPP is a code, not a number
    assert isinstance(record["Terdaftar"], dt.datetime)  # a real date cell
    assert record["Kabupaten/Kota"] == "Kabupaten Bangka Barat"


@pytest.mark.parametrize("record_type", ["pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_exports_each_library_record_type_with_library_region_and_status(
    world: World, record_type: str, fmt: str
) -> None:
    records = one_of_each(world.lamongan_village)
    response = world.client_for(world.facilitator_3524).get(f"/ekspor/{record_type}.{fmt}")
    assert response.status_code == 200
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(body(response))
    header, data = rows[0], rows[1:]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert int(row["ID"]) == records[record_type].pk
    assert row["Perpustakaan"] == world.lamongan_village.name
    assert row["Kabupaten/Kota"] == "Kabupaten Lamongan"
    assert row["Status"] == "Belum Diverifikasi"
    assert "Jumlah lampiran" in header


def test_it_writes_every_entry_field_of_an_engagement(world: World) -> None:
    record = engagement(world.lamongan_village, external_attachments="https://sim.example/a.jpg")
    Photo.objects.create(
        content_type=ContentType.objects.get_for_model(CommunityEngagement),
        object_id=record.pk,
        image="photos/a.jpg",
        thumbnail="photos/thumbs/a.jpg",
        width=10,
        height=10,
    )
    response = world.client_for(world.facilitator_3524).get("/ekspor/pelibatan.xlsx")
    header, row = xlsx_rows(body(response))
    values = dict(zip(header, row, strict=True))
    assert values["Tanggal kegiatan"] == dt.datetime(2026, 3, 14)
    assert values["Nama kegiatan"] == "Pelatihan literasi digital"
    assert values["Bidang kegiatan"] == "Inklusi Digital"
    assert values["Jumlah peserta"] == 25
    assert values["Peserta laki-laki"] == 10
    assert values["Peserta perempuan"] == 15
    assert values["Peserta penyandang disabilitas"] == 2
    assert values["Jumlah lampiran"] == 2  # one stored photo and one link to the old system
    assert values["Tanggal input"] == dt.datetime(2026, 3, 14)


def test_it_writes_advocacy_targets_and_amounts(world: World) -> None:
    one_of_each(world.lamongan_village)
    rows = csv_rows(world.client_for(world.national).get("/ekspor/advokasi.csv"))
    values = dict(zip(rows[0], rows[1], strict=True))
    assert values["Sasaran"] == "Kepala Desa, Swasta"
    assert values["Hasil"] == "Dana (uang)"
    assert values["Nominal (Rp)"] == "5000000"
    assert values["Tanggal"] == "2026-03-14"


def test_it_exports_replications_with_their_region(world: World) -> None:
    records = one_of_each(world.lamongan_village)
    rows = xlsx_rows(body(world.client_for(world.province_35).get("/ekspor/replikasi.xlsx")))
    header, (row,) = rows[0], rows[1:]
    values = dict(zip(header, row, strict=True))
    assert values["ID"] == records["replikasi"].pk
    assert values["Kode wilayah"] == "35.24"
    assert values["Provinsi"] == "Jawa Timur"
    assert values["Dana (Rp)"] == 250_000_000
    assert values["Jumlah desa"] == 12
    assert "Perpustakaan" not in header
    # Outside East Java: none.
    assert xlsx_rows(body(world.client_for(world.facilitator_1905).get("/ekspor/replikasi.xlsx")))[1:] == []


def test_it_exports_the_ranking_with_rank_score_and_colour(world: World) -> None:
    engagement(world.lamongan_village, status=Status.VERIFIED)
    client = world.client_for(world.province_35)
    rows = xlsx_rows(body(client.get("/ekspor/peringkat.xlsx")))
    header = rows[0]
    assert header[:3] == ["Peringkat", "Perpustakaan", "Jenis"]
    assert [row[0] for row in rows[1:]] == list(range(1, len(rows)))
    page = client.get("/iku/").context["page"].paginator.object_list
    assert [row[1] for row in rows[1:]] == [score.library.name for score in page]
    first = dict(zip(header, rows[1], strict=True))
    score = CurrentScore.objects.get(library=world.lamongan_village)
    assert first["Perpustakaan"] == world.lamongan_village.name
    assert first["Skor"] == float(score.score)
    assert first["Warna"] == Colour(score.colour).label
    assert world.belo_laut.name not in {row[1] for row in rows[1:]}


def test_it_gives_a_facilitator_of_another_kabupaten_no_lamongan_rows(world: World) -> None:
    engagement(world.lamongan_village)
    engagement(world.belo_laut, title="Kegiatan di Belo Laut")
    client = world.client_for(world.facilitator_1905)
    for kind in ("mitra", "pelibatan", "peringkat"):
        text = body(client.get(f"/ekspor/{kind}.csv")).decode("utf-8-sig")
        assert "Lamongan" not in text
        assert "Sembung" not in text
        assert "Belo Laut" in text


@pytest.mark.parametrize("url", ["/ekspor/mitra.csv", "/ekspor/pelibatan.xlsx", "/ekspor/peringkat.csv"])
def test_it_answers_404_for_a_region_filter_outside_the_scope(world: World, url: str) -> None:
    client = world.client_for(world.facilitator_1905)
    assert client.get(url + "?region=35.24").status_code == 404
    assert client.get(url + "?region=19.05").status_code == 200


def test_it_answers_404_for_a_library_outside_the_scope(world: World) -> None:
    client = world.client_for(world.facilitator_1905)
    assert client.get(f"/ekspor/pelibatan.csv?perpustakaan={world.lamongan_village.pk}").status_code == 404


def test_it_answers_404_for_an_unknown_list_and_asks_to_log_in(world: World) -> None:
    assert world.client_for(world.national).get("/ekspor/rahasia.csv").status_code == 404
    assert world.client_for(world.national).get("/ekspor/mitra.pdf").status_code == 404
    response = Client().get("/ekspor/mitra.csv")
    assert response.status_code == 302
    assert "/akun/masuk/" in response["Location"]


def test_it_refuses_a_user_without_any_role(world: World, django_user_model: Any) -> None:
    nobody = django_user_model.objects.create_user("tanpa.peran@example.id", "rahasia-uji-123")
    client = world.client_for(nobody)
    assert client.get("/ekspor/mitra.csv").status_code == 403
    assert client.get("/ekspor/pelibatan.csv").status_code == 403


def test_it_applies_the_page_filters(world: World) -> None:
    engagement(world.lamongan_village, title="Lama", date=dt.date(2025, 5, 1))
    engagement(world.lamongan_village, title="Terverifikasi", status=Status.VERIFIED)
    engagement(world.lamongan_village, title="Kesehatan", activity_field="Kesehatan")
    engagement(world.lumajang_village, title="Di Lumajang")
    client = world.client_for(world.province_35)

    def titles(query: str) -> set[str]:
        rows = csv_rows(client.get("/ekspor/pelibatan.csv?" + query))
        column = rows[0].index("Nama kegiatan")
        return {row[column] for row in rows[1:]}

    assert titles("") == {"Lama", "Terverifikasi", "Kesehatan", "Di Lumajang"}
    assert titles("status=verified") == {"Terverifikasi"}
    assert titles("start=2026-01-01") == {"Terverifikasi", "Kesehatan", "Di Lumajang"}
    assert titles("activity_field=Kesehatan") == {"Kesehatan"}
    assert titles("region=35.08") == {"Di Lumajang"}
    assert titles(f"perpustakaan={world.lumajang_village.pk}") == {"Di Lumajang"}


@pytest.mark.parametrize(
    "query",
    ["", "region=35.24", "status=verified", "start=2026-03-01&end=2026-03-31", "start=bukan-tanggal", "page=2"],
)
def test_it_exports_exactly_the_records_the_page_lists(world: World, query: str) -> None:
    for i in range(3):
        engagement(world.lamongan_village, title=f"Sembung {i}", status=Status.VERIFIED if i else Status.SUBMITTED)
    engagement(world.lumajang_village, date=dt.date(2026, 4, 2))
    engagement(world.belo_laut)
    engagement(world.lamongan_district, status=Status.DRAFT)
    client = world.client_for(world.province_35)
    exported = _ids(csv_rows(client.get("/ekspor/pelibatan.csv?" + query)))
    assert exported == _page_ids(client, "/laporan/pelibatan/?" + query)


@pytest.mark.parametrize(
    "query", ["", "region=35", "kind=desa_kelurahan", "account_status=none", "active=all", "q=sembung", "support=x"]
)
def test_it_exports_exactly_the_partners_the_page_lists(world: World, query: str) -> None:
    world.lumajang_village.is_active = False
    world.lumajang_village.save()
    client = world.client_for(world.national)
    exported = _ids(csv_rows(client.get("/ekspor/mitra.csv?" + query)))
    assert exported == _page_ids(client, "/mitra/?" + query)


def test_it_streams_csv_from_an_iterator_in_a_constant_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    CommunityEngagement.objects.bulk_create(
        CommunityEngagement(
            library=world.lamongan_village,
            date=DAY,
            title=f"Kegiatan {i}",
            activity_field="Pendidikan",
            activity_kind="Pelatihan",
            audience="Umum",
            participants=10,
            input_date=DAY,
        )
        for i in range(4500)
    )
    client = world.client_for(world.facilitator_3524)
    # Session, user, scope, count, region names and the rows in three chunks of 2,000: no query per row.
    with django_assert_max_num_queries(12):
        response = client.get("/ekspor/pelibatan.csv")
        assert isinstance(response, StreamingHttpResponse)
        rows = csv_rows(response)
    assert len(rows) == 4501


def test_it_exports_the_child_region_table_of_the_dashboard(world: World) -> None:
    data = {
        "date": DAY,
        "title": "Kelas menulis",
        "activity_field": "Pendidikan",
        "activity_kind": "Pelatihan",
        "audience": "Umum",
        "participants": 12,
    }
    record, _ = record_create(model=CommunityEngagement, user=world.manager, library=world.lamongan_village, data=data)
    record_verify(record=record, user=world.facilitator_3524)
    record_create(model=CommunityEngagement, user=None, library=world.lumajang_village, data=data)
    client = world.client_for(world.province_35)
    query = "wilayah=35&mulai=2026-01-01&sampai=2026-12-31&urut=-pelibatan"
    page_rows = client.get("/dasbor/?" + query).context["rows"]
    rows = xlsx_rows(body(client.get("/ekspor/wilayah.xlsx?" + query)))
    header, exported = rows[0], rows[1:]
    assert [row[0] for row in exported] == [row.region.code for row in page_rows]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in exported}
    lamongan = by_code["35.24"]
    assert lamongan["Wilayah"] == "Kabupaten Lamongan"
    assert lamongan["Mitra"] == 2
    assert lamongan["Tanpa akun"] == 1
    assert lamongan["% tanpa akun"] == 50
    assert lamongan["Pelibatan masyarakat (dikirim)"] == 1
    assert lamongan["Pelibatan masyarakat (terverifikasi)"] == 1
    assert lamongan["Peserta"] == 12
    assert lamongan["Mulai"] == dt.datetime(2026, 1, 1)
    assert by_code["35.08"]["Pelibatan masyarakat (dikirim)"] == 1
    assert by_code["35.08"]["Pelibatan masyarakat (terverifikasi)"] == 0
    assert "wilayah-35-" in client.get("/ekspor/wilayah.csv?" + query)["Content-Disposition"]


def test_it_keeps_the_child_region_table_to_the_scope(world: World) -> None:
    client = world.client_for(world.facilitator_1905)
    assert client.get("/ekspor/wilayah.csv?wilayah=35").status_code == 404
    assert client.get("/ekspor/wilayah.csv?wilayah=bukan-kode").status_code == 404
    assert client.get("/ekspor/wilayah.csv").status_code == 200  # their own kabupaten
    assert world.client_for(world.manager).get("/ekspor/wilayah.csv").status_code == 403
