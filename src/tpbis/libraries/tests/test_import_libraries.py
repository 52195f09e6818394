"""Bulk import of partner libraries: the service, the command and the upload / preview / apply pages."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import World
from tpbis.accounts.scope import Scope, scope_for_user
from tpbis.core.tabular import ImportReport, table_read
from tpbis.libraries.imports import REQUIRED_COLUMNS, library_import
from tpbis.libraries.models import Library, LibraryKind, Support

NATION = Scope(national=True)
HEADER = "npp;nama;jenis;kode_wilayah;dukungan;sumber_dana;tahun"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *rows]).encode(encoding)


def run(content: bytes, *, scope: Scope = NATION, dry_run: bool = False, filename: str = "mitra.csv") -> ImportReport:
    return library_import(content=content, filename=filename, scope=scope, dry_run=dry_run)


def errors_of(report: ImportReport) -> list[tuple[int | None, str]]:
    return [(e.line, e.column) for e in report.errors]


GOOD = (
    "3524012002;Perpustakaan Desa Sukorame;desa_kelurahan;3524012002;full_support;;2024",
    "3508212003;TBM Grati Ceria;tbm;35.08.21.2003;bantuan_buku;;2023",
    ";Perpustakaan Kabupaten Blitar;kabupaten_kota;35.05;replikasi_mandiri;APBD Kabupaten/Kota;2020",
)


def test_it_creates_partners_from_dotted_and_undotted_codes(world: World) -> None:
    report = run(csv_bytes(*GOOD))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    village = Library.objects.get(npp="3524012002")
    assert (village.region_id, village.province_id, village.regency_id) == ("35.24.01.2002", "35", "35.24")
    assert (village.kind, village.support, village.cohort_year) == (LibraryKind.VILLAGE, Support.FULL, 2024)
    regency = Library.objects.get(name="Perpustakaan Kabupaten Blitar")
    assert (regency.npp, regency.regency_id, regency.funding_source) == (None, "35.05", "APBD Kabupaten/Kota")
    assert regency.created_at is not None and regency.updated_at is not None


def test_it_writes_nothing_in_a_dry_run(world: World) -> None:
    before = Library.objects.count()
    report = run(csv_bytes(*GOOD), dry_run=True)
    assert (report.created, report.ok, report.applied) == (3, True, False)
    assert [a.action for a in report.actions] == ["create", "create", "create"]
    assert Library.objects.count() == before


def test_it_changes_nothing_when_the_same_file_is_imported_again(world: World) -> None:
    content = csv_bytes(*GOOD)
    run(content)
    stamps = dict(Library.objects.values_list("pk", "updated_at"))
    report = run(content)
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert report.summary() == "dibuat 0, diperbarui 0, tidak berubah 3"
    assert dict(Library.objects.values_list("pk", "updated_at")) == stamps


def test_it_updates_the_partner_with_the_same_npp(world: World) -> None:
    run(csv_bytes(*GOOD))
    changed = "3524012002;Perpustakaan Desa Sukorame Maju;desa_kelurahan;35.24.01.2002;bantuan_buku;;2024"
    report = run(csv_bytes(changed, *GOOD[1:]))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert report.actions[0].detail == "nama, dukungan"
    library = Library.objects.get(npp="3524012002")
    assert (library.name, library.support) == ("Perpustakaan Desa Sukorame Maju", Support.BOOKS)


def test_it_updates_the_partner_with_the_same_name_in_the_same_region(world: World) -> None:
    row = ";  perpustakaan desa   SEMBUNG ;desa_kelurahan;3524012001;full_support;;2023"
    report = run(csv_bytes(row))
    assert (report.created, report.updated) == (0, 1)
    world.lamongan_village.refresh_from_db()
    assert world.lamongan_village.cohort_year == 2023
    assert world.lamongan_village.name == "perpustakaan desa SEMBUNG"


def test_it_sets_the_npp_of_a_partner_matched_by_name(world: World) -> None:
    row = "3524012001;Perpustakaan Desa Sembung;desa_kelurahan;35.24.01.2001;full_support;;2022"
    report = run(csv_bytes(row))
    assert (report.updated, report.actions[0].detail) == (1, "npp")
    world.lamongan_village.refresh_from_db()
    assert world.lamongan_village.npp == "3524012001"


def test_it_leaves_columns_missing_from_the_file_alone(world: World) -> None:
    Library.objects.filter(pk=world.belo_laut.pk).update(address="Jl. Pantai 1", contact_name="Bu Ani")
    row = "1905012006;Perpustakaan Desa Belo Laut;desa_kelurahan;19.05.01.2006;full_support;;2022"
    assert run(csv_bytes(row)).unchanged == 1
    report = run(csv_bytes(row + ";Jl. Pantai 2", header=HEADER + ";alamat"))
    assert report.actions[0].detail == "alamat"
    world.belo_laut.refresh_from_db()
    assert (world.belo_laut.address, world.belo_laut.contact_name) == ("Jl. Pantai 2", "Bu Ani")


def test_it_accepts_human_labels_for_kind_and_support(world: World) -> None:
    rows = (
        ";Perpus A;Perpustakaan Desa;3524012002;Full Support;;2024",
        ";TBM B;TBM;3524012003;Bantuan Buku;;2024",
        ";Perpus C;Kabupaten/Kota;3525;Replikasi Mandiri;APBD;2024",
        ";Perpus D;PROVINSI;19;full support;;2024",
    )
    report = run(csv_bytes(*rows))
    assert report.ok, report.errors
    kinds = dict(
        Library.objects.filter(name__in=["Perpus A", "TBM B", "Perpus C", "Perpus D"]).values_list("name", "kind")
    )
    assert kinds == {"Perpus A": "desa_kelurahan", "TBM B": "tbm", "Perpus C": "kabupaten_kota", "Perpus D": "provinsi"}


def test_it_finds_regions_by_name_with_prefixes_case_and_spacing(world: World) -> None:
    header = "npp;nama;jenis;kode_wilayah;dukungan;sumber_dana;tahun;provinsi;kabupaten_kota;kecamatan;desa_kelurahan"
    rows = (
        ";Perpus Grati;desa_kelurahan;;full_support;;2024;;Kabupaten Lumajang;Kec. Sumbersuko;Desa Grati",
        ";Perpus Labruk;desa_kelurahan;;full_support;;2024;Jawa Timur;KAB.  lumajang;;labruk  KIDUL",
        ";Perpus Kota Blitar;kabupaten_kota;;full_support;;2024;;Kota Blitar;;",
        ";Perpus Kab Blitar;kabupaten_kota;;full_support;;2024;;Kab. Blitar;;",
    )
    report = run(csv_bytes(*rows, header=header))
    assert report.ok, report.errors
    regions = dict(Library.objects.filter(name__startswith="Perpus ").values_list("name", "region_id"))
    assert regions["Perpus Grati"] == "35.08.21.2003"
    assert regions["Perpus Labruk"] == "35.08.21.2004"
    assert regions["Perpus Kota Blitar"] == "35.72"
    assert regions["Perpus Kab Blitar"] == "35.05"


def test_it_reports_an_ambiguous_region_name_with_its_candidates(world: World) -> None:
    header = HEADER + ";kabupaten_kota"
    report = run(csv_bytes(";Perpus Blitar;kabupaten_kota;;full_support;;2024;Blitar", header=header))
    [error] = report.errors
    assert (error.line, error.column) == (2, "kabupaten_kota")
    assert "Kab. Blitar (35.05)" in error.message and "Kota Blitar (35.72)" in error.message
    assert not Library.objects.filter(name="Perpus Blitar").exists()


def test_it_reports_a_village_name_repeated_in_the_kabupaten(world: World) -> None:
    header = HEADER + ";kabupaten_kota;desa_kelurahan"
    report = run(csv_bytes(";Perpus Sukamaju;desa_kelurahan;;full_support;;2024;Kab. Bandung;Sukamaju", header=header))
    [error] = report.errors
    assert error.column == "desa_kelurahan"
    assert "Kec. Cimaung" in error.message and "kecamatan" in error.message


def test_it_reports_an_unknown_region_name_and_code(world: World) -> None:
    header = HEADER + ";kabupaten_kota"
    rows = (
        ";Perpus X;kabupaten_kota;;full_support;;2024;Kabupaten Antah Berantah",
        ";Perpus Y;kabupaten_kota;35.99;full_support;;2024;",
        ";Perpus Z;kabupaten_kota;35-24;full_support;;2024;",
    )
    report = run(csv_bytes(*rows, header=header))
    assert errors_of(report) == [(2, "kabupaten_kota"), (3, "kode_wilayah"), (4, "kode_wilayah")]
    assert "Antah Berantah" in report.errors[0].message and "tidak ditemukan" in report.errors[0].message
    assert "tidak dikenal" in report.errors[1].message
    assert "tidak valid" in report.errors[2].message


def test_it_reports_bad_kind_support_and_year(world: World) -> None:
    rows = (
        ";Perpus A;perpustakaan sekolah;3524012002;full_support;;2024",
        ";Perpus B;desa_kelurahan;3524012003;hibah;;2024",
        ";Perpus C;desa_kelurahan;3524012004;full_support;;2017",
        ";Perpus D;desa_kelurahan;3524012005;full_support;;dua ribu",
        ";;desa_kelurahan;3524012006;full_support;APBDes;2024",
    )
    report = run(csv_bytes(*rows))
    assert errors_of(report) == [
        (2, "jenis"),
        (3, "dukungan"),
        (4, "tahun"),
        (5, "tahun"),
        (6, "nama"),
        (6, "sumber_dana"),
    ]
    assert "perpustakaan sekolah" in report.errors[0].message
    assert "2018" in report.errors[2].message


def test_it_reports_a_region_level_that_does_not_fit_the_kind(world: World) -> None:
    rows = (";Perpus A;desa_kelurahan;35.24;full_support;;2024", ";Perpus B;provinsi;35.24;full_support;;2024")
    report = run(csv_bytes(*rows))
    assert errors_of(report) == [(2, "kode_wilayah"), (3, "kode_wilayah")]
    assert "desa/kelurahan" in report.errors[0].message


def test_it_rejects_rows_outside_the_importers_province(world: World) -> None:
    rows = (
        ";Perpus Lamongan;desa_kelurahan;3524012002;full_support;;2024",
        ";Perpus Bangka;desa_kelurahan;19.05.01.2005;full_support;;2024",
    )
    report = run(csv_bytes(*rows), scope=scope_for_user(world.province_35))
    assert errors_of(report) == [(3, "kode_wilayah")]
    assert "di luar wilayah kerja Anda" in report.errors[0].message
    assert not Library.objects.filter(name__startswith="Perpus ").exists()


def test_it_requires_a_provincial_role_over_each_row(world: World) -> None:
    report = run(csv_bytes(GOOD[0]), scope=scope_for_user(world.facilitator_3524))
    assert "di luar wilayah kerja Anda" in report.errors[0].message


def test_it_rejects_a_move_of_a_partner_from_another_province(world: World) -> None:
    row = "1905012006;Perpustakaan Desa Belo Laut;desa_kelurahan;35.24.01.2003;full_support;;2022"
    report = run(csv_bytes(row), scope=scope_for_user(world.province_35))
    assert errors_of(report) == [(2, "npp")]
    assert Library.objects.get(pk=world.belo_laut.pk).region_id == "19.05.01.2006"


def test_it_reports_duplicate_npp_and_name_in_the_file(world: World) -> None:
    rows = (
        "111;Perpus A;desa_kelurahan;3524012002;full_support;;2024",
        "111;Perpus B;desa_kelurahan;3524012003;full_support;;2024",
        ";perpus a;desa_kelurahan;35.24.01.2002;full_support;;2024",
    )
    report = run(csv_bytes(*rows))
    assert errors_of(report) == [(3, "npp"), (4, "nama")]
    assert "baris 2" in report.errors[0].message and "baris 2" in report.errors[1].message


def test_it_reports_an_npp_that_belongs_to_another_partner(world: World) -> None:
    Library.objects.filter(pk=world.lamongan_village.pk).update(npp="3524012001")
    rows = (
        # Belo Laut's NPP on the row of Sembung (name and region): two different partners.
        "1905012006;Perpustakaan Desa Sembung;desa_kelurahan;35.24.01.2001;full_support;;2022",
        # Sembung matched by name, but the file gives it another NPP than the one it holds.
        "999;Perpustakaan Desa Labruk Kidul;desa_kelurahan;35.08.21.2004;bantuan_buku;;2022",
    )
    Library.objects.filter(pk=world.lumajang_village.pk).update(npp="3508212004")
    report = run(csv_bytes(*rows))
    assert errors_of(report) == [(2, "npp"), (3, "npp")]
    assert "Perpustakaan Desa Belo Laut" in report.errors[0].message
    assert "3508212004" in report.errors[1].message


def test_it_writes_nothing_when_one_row_is_bad(world: World) -> None:
    before = set(Library.objects.values_list("pk", "updated_at"))
    bad = ";Perpus Rusak;desa_kelurahan;3524012009;full_support;;2050"
    changed = "1905012006;Perpustakaan Desa Belo Laut Baru;desa_kelurahan;19.05.01.2006;full_support;;2022"
    report = run(csv_bytes(*GOOD, changed, bad))
    assert not report.ok
    assert errors_of(report) == [(6, "tahun")]
    assert (report.created, report.updated) == (3, 1)  # what the valid rows would have done
    assert set(Library.objects.values_list("pk", "updated_at")) == before


def test_it_imports_windows_1252_and_bom_files(world: World) -> None:
    row = ";Perpustakaan Désa Ma’mur;desa_kelurahan;3524012002;full_support;;2024"
    assert run(csv_bytes(row, encoding="cp1252")).ok
    assert Library.objects.filter(name="Perpustakaan Désa Ma’mur").exists()
    report = run(csv_bytes(row, encoding="utf-8-sig"))
    assert (report.unchanged, report.created) == (1, 0)


def test_it_imports_a_workbook_with_merged_headers_and_numeric_codes(world: World) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Daftar mitra TPBIS 2024"
    sheet.merge_cells("A1:G1")
    sheet.append(["NPP", "Nama", "Jenis", "Kode Wilayah", "Dukungan", "Sumber Dana", "Tahun"])
    sheet.append([3524012002, "Perpus Excel", "Perpustakaan Desa", 3524012002, "Full Support", None, 2024.0])
    out = io.BytesIO()
    workbook.save(out)
    report = run(out.getvalue(), filename="mitra.xlsx")
    assert report.ok, report.errors
    library = Library.objects.get(npp="3524012002")
    assert (library.name, library.region_id, library.cohort_year) == ("Perpus Excel", "35.24.01.2002", 2024)
    assert report.actions[0].line == 3


def test_it_reports_a_file_without_region_columns(world: World) -> None:
    report = run(b"nama,jenis,dukungan,tahun\nA,tbm,full_support,2024\n")
    assert errors_of(report) == [(1, "kode_wilayah")]


def test_it_reports_missing_required_columns(world: World) -> None:
    report = run(b"npp,nama,kode_wilayah\n1,A,35.24\n")
    assert "jenis" in report.errors[0].message and "dukungan" in report.errors[0].message


def test_it_runs_a_bounded_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    codes = [f"35.24.01.{2002 + i}" for i in range(8)] + [f"35.08.21.{2001 + i}" for i in range(8)]
    rows = [f";Perpus {i};desa_kelurahan;{code};full_support;;2024" for i, code in enumerate(codes)]
    with django_assert_max_num_queries(8):
        assert run(csv_bytes(*rows[:4])).created == 4
    with django_assert_max_num_queries(8):  # more rows, same number of queries
        report = run(csv_bytes(*rows))
    assert (report.created, report.unchanged) == (12, 4)


# --- the command ---------------------------------------------------------------------------------


def test_it_prints_the_summary_from_the_command(world: World, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "mitra.csv"
    path.write_bytes(csv_bytes(*GOOD))
    call_command("import_libraries", str(path), "--dry-run")
    assert "dibuat 3, diperbarui 0, tidak berubah 0" in capsys.readouterr().out
    assert not Library.objects.filter(npp="3524012002").exists()
    call_command("import_libraries", str(path))
    assert Library.objects.filter(npp="3524012002").exists()


def test_it_fails_the_command_with_one_line_per_error(world: World, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "mitra.csv"
    path.write_bytes(csv_bytes(GOOD[0], ";Perpus B;sekolah;3524012003;full_support;;2024"))
    with pytest.raises(CommandError) as caught:
        call_command("import_libraries", str(path))
    assert caught.value.returncode == 1
    assert "baris 3, kolom jenis: " in capsys.readouterr().err
    assert not Library.objects.filter(npp="3524012002").exists()


def test_it_fails_the_command_for_a_missing_file(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("import_libraries", str(tmp_path / "tidak-ada.csv"))


# --- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


def upload(content: bytes, name: str = "mitra.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_it_previews_then_applies_an_upload(world: World, media: Path) -> None:
    client = world.client_for(world.province_35)
    response = client.post(reverse("libraries:import_preview", args=["mitra"]), {"berkas": upload(csv_bytes(GOOD[0]))})
    assert response.status_code == 200
    assert b"Terapkan" in response.content and b"Perpustakaan Desa Sukorame" in response.content
    token = response.context["token"]
    assert not Library.objects.filter(npp="3524012002").exists()
    assert (media / "imports" / str(world.province_35.pk) / token).exists()
    response = client.post(reverse("libraries:import_apply", args=["mitra"]), {"token": token})
    assert response.status_code == 302
    assert Library.objects.filter(npp="3524012002", province_id="35").exists()
    assert not (media / "imports" / str(world.province_35.pk) / token).exists()


def test_it_shows_errors_and_no_apply_button(world: World, media: Path) -> None:
    client = world.client_for(world.province_35)
    content = csv_bytes(GOOD[0], ";Perpus Bangka;desa_kelurahan;19.05.01.2005;full_support;;2024")
    response = client.post(reverse("libraries:import_preview", args=["mitra"]), {"berkas": upload(content)})
    assert response.status_code == 200
    assert response.context["token"] == ""
    assert b"report-errors" in response.content and "di luar wilayah kerja Anda" in response.content.decode()
    assert b"Terapkan</button>" not in response.content


def test_it_shows_a_malformed_file_as_an_error_not_a_crash(world: World, media: Path) -> None:
    client = world.client_for(world.national)
    url = reverse("libraries:import_preview", args=["mitra"])
    response = client.post(url, {"berkas": upload(b"PK\x03\x04broken", "mitra.xlsx")})
    assert response.status_code == 200
    assert "rusak" in response.content.decode()
    response = client.post(url, {"berkas": upload(b"%PDF", "mitra.pdf")})
    assert response.status_code == 200
    assert response.context["partner_form"].errors


def test_it_revalidates_on_apply(world: World, media: Path) -> None:
    client = world.client_for(world.national)
    content = csv_bytes(";Perpus A;desa_kelurahan;3524012002;bantuan_buku;;2024")
    response = client.post(reverse("libraries:import_preview", args=["mitra"]), {"berkas": upload(content)})
    token = response.context["token"]
    # Meanwhile the same partner is registered twice by hand: the row no longer says which one it means.
    for _ in range(2):
        Library.objects.create(
            name="Perpus A", kind=LibraryKind.VILLAGE, region_id="35.24.01.2002", support=Support.FULL, cohort_year=2022
        )
    response = client.post(reverse("libraries:import_apply", args=["mitra"]), {"token": token})
    assert response.status_code == 200
    assert [(e.line, e.column) for e in response.context["report"].errors] == [(2, "nama")]
    assert not Library.objects.filter(name="Perpus A", support=Support.BOOKS).exists()


def test_it_refuses_bad_and_foreign_tokens(world: World, media: Path) -> None:
    owner = world.client_for(world.national)
    response = owner.post(reverse("libraries:import_preview", args=["mitra"]), {"berkas": upload(csv_bytes(GOOD[0]))})
    token = response.context["token"]
    other = world.client_for(world.province_35)
    apply_url = reverse("libraries:import_apply", args=["mitra"])
    assert other.post(apply_url, {"token": token}).status_code == 404
    assert owner.post(apply_url, {"token": "../../etc/passwd"}).status_code == 404
    assert owner.post(apply_url, {"token": "0" * 32 + ".csv"}).status_code == 404
    assert not Library.objects.filter(npp="3524012002").exists()


def test_it_forbids_the_import_to_a_library_manager(world: World, media: Path) -> None:
    client = world.client_for(world.manager)
    assert client.get(reverse("libraries:import")).status_code == 403
    response = client.post(reverse("libraries:import_preview", args=["mitra"]), {"berkas": upload(csv_bytes(GOOD[0]))})
    assert response.status_code == 403
    assert client.get(reverse("libraries:import_template", args=["mitra", "csv"])).status_code == 403


def test_it_lets_a_facilitator_import_accounts_but_not_partners(world: World, media: Path) -> None:
    client = world.client_for(world.facilitator_3524)
    page = client.get(reverse("libraries:import"))
    assert page.status_code == 200
    assert not page.context["can_partners"]
    response = client.post(reverse("libraries:import_preview", args=["mitra"]), {"berkas": upload(csv_bytes(GOOD[0]))})
    assert response.status_code == 403


def test_it_requires_login(client: Any, db: None) -> None:
    response = client.get(reverse("libraries:import"))
    assert response.status_code == 302 and "next=/mitra/impor/" in response["Location"]


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_it_offers_templates_that_pass_their_own_check(world: World, ext: str) -> None:
    client = world.client_for(world.national)
    response = client.get(reverse("libraries:import_template", args=["mitra", ext]))
    assert response.status_code == 200
    assert f"templat-impor-mitra.{ext}" in response["Content-Disposition"]
    table = table_read(content=response.content, filename=f"t.{ext}", required=REQUIRED_COLUMNS)
    assert table.headers[:7] == ["npp", "nama", "jenis", "kode_wilayah", "dukungan", "sumber_dana", "tahun"]
    report = run(response.content, filename=f"t.{ext}", dry_run=True)
    assert (report.ok, report.created + report.updated) == (True, 1), report.errors


def test_it_answers_404_for_an_unknown_template(world: World) -> None:
    client = world.client_for(world.national)
    assert client.get(reverse("libraries:import_template", args=["mitra", "pdf"])).status_code == 404
    assert client.get(reverse("libraries:import_template", args=["lain", "csv"])).status_code == 404


def test_it_tells_a_desa_from_a_kelurahan_of_the_same_name(world: World) -> None:
    header = HEADER + ";kabupaten_kota;kecamatan;desa_kelurahan"
    rows = (
        ";Perpus P1;desa_kelurahan;;full_support;;2024;Kab. Rokan Hilir;Pasir Limau Kapas;Kelurahan Panipahan",
        ";Perpus P2;desa_kelurahan;;full_support;;2024;Kab. Rokan Hilir;Pasir Limau Kapas;Panipahan",
    )
    report = run(csv_bytes(*rows, header=header), dry_run=True)
    assert errors_of(report) == [(3, "desa_kelurahan")]
    assert "Kelurahan Panipahan" in report.errors[0].message and '"Desa" atau "Kelurahan"' in report.errors[0].message
    assert report.actions[0].label.endswith("(14.07.06.1007)")
