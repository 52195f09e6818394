"""Spreadsheet entry of records: template, dry-run preview, all-or-nothing apply, re-import, scope, audit."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from conftest import World
from tpbis.accounts.scope import Scope, scope_for_user
from tpbis.audit.models import AuditEvent
from tpbis.core.tabular import RowError
from tpbis.reports.models import Advocacy, AuditAction, AuditEntry, CommunityEngagement, Publicity, Status, Visitors
from tpbis.reports.record_imports import (
    ImportedRow,
    record_import,
    record_import_check_register,
    record_import_check_unregister,
)

HEADER = "npp,nama_perpustakaan,kode_desa,tanggal,nama_kegiatan,bidang_kegiatan,jenis,sasaran,jumlah_peserta"
SEMBUNG = ",Perpustakaan Desa Sembung,35.24.01.2001"


def activities(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


GOOD = activities(
    f"{SEMBUNG},2026-11-20,Pelatihan membuat kompos,Pertanian,Pelatihan,Petani/Nelayan,25",
    f"{SEMBUNG},21/11/2026,Kelas membaca anak,pendidikan,promosi,anak-anak,12",
    "1905012006,,,2026-11-22,Lomba bercerita,Seni Budaya,Promosi,Pelajar,30",
)


def run(world: World, content: bytes, *, dry_run: bool = False, record_type: str = "pelibatan", **kw: Any) -> Any:
    return record_import(
        record_type=record_type,
        content=content,
        filename=kw.pop("filename", "kegiatan.csv"),
        scope=kw.pop("scope", Scope(national=True)),
        actor=kw.pop("actor", world.national),
        dry_run=dry_run,
        **kw,
    )


@pytest.mark.django_db
def test_it_imports_every_row_of_a_good_file_as_submitted_records(world: World) -> None:
    result = run(world, GOOD)

    assert result.applied and result.report.created == 3
    records = CommunityEngagement.objects.order_by("date")
    assert [r.title for r in records] == ["Pelatihan membuat kompos", "Kelas membaca anak", "Lomba bercerita"]
    # Vocabulary written as the real SIM writes it, whatever the case typed.
    assert (records[1].activity_field, records[1].activity_kind, records[1].audience) == (
        "Pendidikan",
        "Promosi",
        "Anak-Anak",
    )
    assert {r.library for r in records} == {world.lamongan_village, world.belo_laut}
    assert all(r.status == Status.SUBMITTED and r.entered_by == world.national for r in records)


@pytest.mark.django_db
def test_it_leaves_who_when_and_how_many_in_the_audit_trails(world: World) -> None:
    run(world, GOOD)

    entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(CommunityEngagement))
    assert entries.count() == 3 and {e.action for e in entries} == {AuditAction.IMPORT}
    assert {e.user for e in entries} == {world.national}
    event = AuditEvent.objects.get(library_id=world.lamongan_village.pk, action="import")
    assert event.actor == world.national
    assert event.changes == {"Pelibatan masyarakat": [None, 2]}
    assert "kegiatan.csv" in event.comment


@pytest.mark.django_db
def test_it_rejects_the_whole_file_for_one_bad_row_and_names_its_line_and_column(world: World) -> None:
    content = activities(
        f"{SEMBUNG},2026-11-20,Pelatihan membuat kompos,Pertanian,Pelatihan,Petani/Nelayan,25",
        f"{SEMBUNG},31/02/2026,Kelas membaca anak,Pendidikan,Promosi,Anak-Anak,12",
        f"{SEMBUNG},2026-11-22,Lomba bercerita,Seni Budaya,Promosi,Pelajar,30",
    )

    result = run(world, content)

    assert not result.applied
    assert CommunityEngagement.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    [error] = result.report.errors
    assert (error.line, error.column) == (3, "tanggal")
    assert str(error) == 'baris 3, kolom tanggal: "31/02/2026" bukan tanggal. Tulis seperti 2026-07-08 atau 08/07/2026.'


@pytest.mark.django_db
def test_it_applies_the_entry_forms_rules_to_every_row(world: World) -> None:
    content = activities(
        f"{SEMBUNG},2026-12-30,Kegiatan di masa depan,Pertanian,Pelatihan,Umum,10",
        f"{SEMBUNG},2026-11-20,Bidang salah,Memasak,Pelatihan,Umum,10",
        f"{SEMBUNG},2026-11-20,Tanpa peserta,Pertanian,Pelatihan,Umum,0",
        f"{SEMBUNG},2021-11-20,Sebelum angkatan,Pertanian,Pelatihan,Umum,10",
    )

    result = run(world, content, dry_run=True)

    found = {(e.line, e.column): e.message for e in result.report.errors}
    assert found[(2, "tanggal")] == "Tanggal tidak boleh di masa depan."
    assert found[(3, "bidang_kegiatan")].startswith('"Memasak" tidak dikenal. Pilihan: Pendidikan, Kesehatan')
    assert found[(4, "jumlah_peserta")] == "Jumlah peserta paling sedikit 1."
    assert "angkatan 2022" in found[(5, "tanggal")]


@pytest.mark.django_db
def test_a_dry_run_lists_the_plan_and_saves_nothing(world: World) -> None:
    result = run(world, GOOD, dry_run=True)

    assert result.report.ok and result.report.created == 3 and not result.applied
    assert [a.line for a in result.report.actions] == [2, 3, 4]
    assert CommunityEngagement.objects.count() == 0


@pytest.mark.django_db
def test_importing_the_same_file_again_creates_nothing(world: World) -> None:
    run(world, GOOD)

    again = run(world, GOOD)

    assert again.report.ok and again.report.created == 0 and again.report.unchanged == 3
    assert CommunityEngagement.objects.count() == 3


@pytest.mark.django_db
def test_two_identical_rows_are_two_activities_and_still_import_once(world: World) -> None:
    row = f"{SEMBUNG},2026-11-20,Senam lansia,Kesehatan,Promosi,Lansia,20"
    first = run(world, activities(row, row), accept_warnings=True)
    assert first.report.created == 2
    # The second copy was flagged as a likely duplicate of the first before it was accepted.
    assert [(w.line, w.column) for w in first.warnings] == [(3, "nama_kegiatan")]

    again = run(world, activities(row, row), accept_warnings=True)

    assert again.report.created == 0 and CommunityEngagement.objects.count() == 2


@pytest.mark.django_db
def test_a_facilitator_cannot_import_for_a_library_outside_their_kabupaten(world: World) -> None:
    result = run(world, GOOD, scope=scope_for_user(world.facilitator_3524), actor=world.facilitator_3524)

    assert not result.applied and CommunityEngagement.objects.count() == 0
    [error] = result.report.errors
    assert (error.line, error.column) == (4, "npp")
    assert error.message == "Perpustakaan Perpustakaan Desa Belo Laut di luar wilayah Anda."


@pytest.mark.django_db
def test_a_facilitator_imports_for_their_own_kabupaten(world: World) -> None:
    own = activities(f"{SEMBUNG},2026-11-20,Pelatihan membuat kompos,Pertanian,Pelatihan,Petani/Nelayan,25")

    result = run(world, own, scope=scope_for_user(world.facilitator_3524), actor=world.facilitator_3524)

    assert result.applied and CommunityEngagement.objects.get().entered_by == world.facilitator_3524


@pytest.mark.django_db
def test_it_explains_a_file_with_the_wrong_columns(world: World) -> None:
    content = b"perpustakaan,tanggal,kegiatan\nSembung,2026-11-20,Senam\n"

    result = run(world, content)

    [error] = result.report.errors
    assert "Kolom wajib tidak ada: nama_kegiatan, bidang_kegiatan, jenis, sasaran, jumlah_peserta" in error.message


@pytest.mark.django_db
def test_it_names_the_type_of_another_types_template(world: World) -> None:
    content = (
        b"npp,tanggal,judul,jenis_publikasi,nama_media,link\n1905012006,2026-11-20,Berita,Media Online,X,https://x.id\n"
    )

    result = run(world, content)

    assert not result.report.ok
    assert any("templat Publikasi, bukan Pelibatan masyarakat" in e.message for e in result.report.errors)


@pytest.mark.django_db
def test_it_needs_the_library_columns(world: World) -> None:
    content = (
        b"tanggal,nama_kegiatan,bidang_kegiatan,jenis,sasaran,jumlah_peserta\n2026-11-20,A,Pertanian,Promosi,Umum,3\n"
    )

    [error] = run(world, content).report.errors

    assert error.message == "Kolom npp, atau kolom nama_perpustakaan dan kode_desa, tidak ada."


@pytest.mark.django_db
def test_it_refuses_an_unknown_npp_and_an_unknown_library_name(world: World) -> None:
    content = activities(
        "9999999999,,,2026-11-20,Senam,Kesehatan,Promosi,Umum,10",
        ",Perpustakaan Desa Antah,35.24.01.2001,2026-11-20,Senam,Kesehatan,Promosi,Umum,10",
    )

    errors = run(world, content).report.errors

    assert [(e.line, e.column, e.message) for e in errors] == [
        (2, "npp", "NPP 9999999999 tidak terdaftar."),
        (
            3,
            "nama_perpustakaan",
            'Tidak ada perpustakaan mitra bernama "Perpustakaan Desa Antah" dengan kode_desa 35.24.01.2001.',
        ),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xd0\xcf\x11\xe0 old excel",
        b"PK\x03\x04 not really a zip",
    ],
    ids=["empty", "xls", "broken-xlsx"],
)
@pytest.mark.django_db
def test_a_malformed_file_gets_a_message_and_changes_nothing(world: World, content: bytes) -> None:
    result = run(world, content, filename="kegiatan.xlsx")

    assert not result.report.ok and result.report.errors[0].message
    assert CommunityEngagement.objects.count() == 0


@pytest.mark.django_db
def test_it_warns_of_a_likely_duplicate_and_saves_only_once_confirmed(world: World) -> None:
    run(world, GOOD)
    similar = activities(f"{SEMBUNG},2026-11-20,Pelatihan membuat kompos.,Pertanian,Pelatihan,Petani/Nelayan,26")

    refused = run(world, similar)

    assert refused.needs_confirmation and not refused.applied
    assert refused.warnings[0].line == 2 and "Mirip laporan yang sudah ada" in refused.warnings[0].message
    assert CommunityEngagement.objects.count() == 3
    assert run(world, similar, accept_warnings=True).applied
    assert CommunityEngagement.objects.count() == 4


@pytest.mark.django_db
def test_registered_checks_add_their_warnings_per_row(world: World) -> None:
    def many_participants(model: type[Any], rows: Sequence[ImportedRow]) -> Iterator[RowError]:
        for row in rows:
            if model is CommunityEngagement and row.record.participants > 20:
                yield RowError(row.line, "jumlah_peserta", f"jauh di atas biasanya: {row.record.participants}")

    record_import_check_register(many_participants)
    try:
        result = run(world, GOOD, dry_run=True)
    finally:
        record_import_check_unregister(many_participants)

    assert [(w.line, w.message) for w in result.sorted_warnings()] == [
        (2, "jauh di atas biasanya: 25"),
        (4, "jauh di atas biasanya: 30"),
    ]


@pytest.mark.django_db
def test_visitors_are_keyed_by_library_and_month(world: World) -> None:
    header = "npp,nama_perpustakaan,kode_desa,periode,pengunjung_laki,pengunjung_perempuan,total_pengunjung\n"
    content = (header + f"{SEMBUNG},Okt 2026,22,29,51\n{SEMBUNG},11/2026,10,12,\n").encode()

    assert run(world, content, record_type="pengunjung").report.created == 2
    assert sorted(Visitors.objects.values_list("month", "total")) == [(10, 51), (11, 22)]
    assert run(world, content, record_type="pengunjung").report.unchanged == 2

    other = (header + f"{SEMBUNG},Oktober 2026,30,29,59\n").encode()
    [error] = run(world, other, record_type="pengunjung").report.errors
    assert (error.line, error.column) == (2, "periode") and "sudah tercatat dengan angka lain" in error.message


@pytest.mark.django_db
def test_advocacy_and_publicity_rows_follow_their_rules(world: World) -> None:
    advocacy = (
        b"npp,tanggal,judul,sasaran,hasil,nominal,jumlah_narasumber,jumlah_barang,hasil_regulasi,tanggal_terbit\n"
        b'1905012006,2026-11-18,Dana pojok baca,"Kepala Desa, Swasta",Dana,Rp 5.000.000,0,0,-,\n'
        b"1905012006,2026-11-19,Narasumber kelas UMKM,Perangkat Daerah,NonDana,0,0,0,-,\n"
    )

    result = run(world, advocacy, record_type="advokasi")

    [error] = result.report.errors
    assert (error.line, error.column) == (3, "jumlah_narasumber")
    fixed = advocacy.replace(b"NonDana,0,0,0", b"Non Dana,0,2,0")
    assert run(world, fixed, record_type="advokasi").applied
    record = Advocacy.objects.get(title="Dana pojok baca")
    assert (record.targets, record.amount) == (["Kepala Desa", "Swasta"], 5_000_000)

    publicity = b"npp,tanggal,judul,jenis_publikasi,nama_media,link\n1905012006,2026-11-21,Berita,Media Online,Tiktok,vt.tiktok.com/x\n"
    assert run(world, publicity, record_type="publikasi").applied
    assert Publicity.objects.get().link == "https://vt.tiktok.com/x"


# --- pages ---------------------------------------------------------------------------------------


def _upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.django_db
def test_the_downloaded_xlsx_template_imports_through_preview_and_apply(world: World) -> None:
    client = world.client_for(world.facilitator_3524)
    response = client.get("/laporan/impor/templat/pelibatan.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    assert headers[:9] == HEADER.split(",")
    out = io.BytesIO()
    sheet.parent.save(out)  # the example row names Sembung, in the facilitator's kabupaten

    preview = client.post(
        "/laporan/impor/pratinjau/", {"jenis": "pelibatan", "berkas": _upload(out.getvalue(), "isi.xlsx")}
    )

    assert preview.status_code == 200 and CommunityEngagement.objects.count() == 0
    token = preview.context["token"]
    assert token and preview.context["report"].created == 1
    applied = client.post("/laporan/impor/pelibatan/terapkan/", {"token": token, "name": "isi.xlsx"})
    assert applied.status_code == 302
    assert CommunityEngagement.objects.get().title == "Pelatihan membuat kompos"
    # The stored preview is gone: applying twice is a 404, not a second import.
    assert client.post("/laporan/impor/pelibatan/terapkan/", {"token": token}).status_code == 404


@pytest.mark.django_db
def test_the_preview_shows_each_bad_row_and_offers_no_apply(world: World) -> None:
    client = world.client_for(world.facilitator_3524)
    content = activities(f"{SEMBUNG},2026-11-20,Senam,Kesehatan,Promosi,Umum,banyak")

    response = client.post("/laporan/impor/pratinjau/", {"jenis": "pelibatan", "berkas": _upload(content, "a.csv")})

    assert response.status_code == 200 and not response.context["token"]
    html = response.content.decode()
    assert "jumlah_peserta" in html and "&quot;banyak&quot; bukan bilangan bulat" in html


@pytest.mark.django_db
def test_a_manager_cannot_open_the_import(world: World) -> None:
    client = world.client_for(world.manager)

    assert client.get("/laporan/impor/").status_code == 403
    assert client.post("/laporan/impor/pratinjau/", {"jenis": "pelibatan"}).status_code == 403


@pytest.mark.django_db
def test_the_menu_offers_the_import_to_facilitators_only(world: World) -> None:
    assert "/laporan/impor/" in world.client_for(world.facilitator_3524).get("/laporan/").content.decode()
    assert "/laporan/impor/" not in world.client_for(world.manager).get("/laporan/").content.decode()


# --- command ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_checks_with_dry_run_then_imports(world: World, tmp_path: Path) -> None:
    path = tmp_path / "kegiatan.csv"
    path.write_bytes(GOOD)
    out = io.StringIO()

    call_command("import_records", "pelibatan", str(path), "--dry-run", stdout=out)

    assert "baru 3, sudah ada 0" in out.getvalue() and "Uji coba" in out.getvalue()
    assert CommunityEngagement.objects.count() == 0
    call_command("import_records", "pelibatan", str(path), stdout=io.StringIO())
    assert CommunityEngagement.objects.count() == 3


@pytest.mark.django_db
def test_the_command_reports_bad_rows_and_fails(world: World, tmp_path: Path) -> None:
    path = tmp_path / "kegiatan.csv"
    path.write_bytes(activities(f"{SEMBUNG},kemarin,Senam,Kesehatan,Promosi,Umum,10"))
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 kesalahan; tidak ada yang disimpan"):
        call_command("import_records", "pelibatan", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)

    assert "baris 2, kolom tanggal" in err.getvalue()


@pytest.mark.django_db
def test_the_page_asks_to_confirm_warnings_before_applying(world: World) -> None:
    client = world.client_for(world.facilitator_3524)
    row = f"{SEMBUNG},2026-11-20,Senam lansia,Kesehatan,Promosi,Lansia,20"
    preview = client.post(
        "/laporan/impor/pratinjau/", {"jenis": "pelibatan", "berkas": _upload(activities(row, row), "a.csv")}
    )
    assert 'name="terima_peringatan"' in preview.content.decode()
    token = preview.context["token"]

    unconfirmed = client.post("/laporan/impor/pelibatan/terapkan/", {"token": token})

    assert unconfirmed.status_code == 200 and CommunityEngagement.objects.count() == 0
    assert "centang kotak konfirmasi" in unconfirmed.content.decode()
    confirmed = client.post("/laporan/impor/pelibatan/terapkan/", {"token": token, "terima_peringatan": "1"})
    assert confirmed.status_code == 302 and CommunityEngagement.objects.count() == 2
