"""Reading real-world CSV and XLSX files into rows with their line numbers."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import openpyxl
import pytest

from tpbis.core.tabular import TabularError, normalize_header, table_read

REQUIRED = ("npp", "nama", "kode_wilayah")


def read(content: bytes, filename: str = "data.csv") -> Any:
    return table_read(content=content, filename=filename, required=REQUIRED)


def error_messages(content: bytes, filename: str = "data.csv") -> list[str]:
    with pytest.raises(TabularError) as caught:
        read(content, filename)
    return [e.message for e in caught.value.errors]


def xlsx_bytes(workbook: Any) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_it_reads_semicolon_csv_with_headers_in_any_case_and_order() -> None:
    table = read(b"Kode-Wilayah ; NAMA;npp;Catatan\n3524;Perpus A;11\n")
    assert table.rows[0].values == {"kode_wilayah": "3524", "nama": "Perpus A", "npp": "11"}
    assert table.rows[0].get("catatan") == ""
    assert table.rows[0].line == 2


def test_it_reads_tab_separated_text() -> None:
    table = read(b"npp\tnama\tkode_wilayah\n1\tA, B\t35.24\n")
    assert table.rows[0].get("nama") == "A, B"


def test_it_strips_a_utf8_byte_order_mark() -> None:
    table = read("npp,nama,kode_wilayah\n1,Perpustakaan Désa,35.24\n".encode("utf-8-sig"))
    assert table.headers[0] == "npp"
    assert table.rows[0].get("nama") == "Perpustakaan Désa"


def test_it_falls_back_to_windows_1252() -> None:
    content = "npp;nama;kode_wilayah\n1;Perpustakaan Désa Ma’mur;35.24\n".encode("cp1252")
    assert read(content).rows[0].get("nama") == "Perpustakaan Désa Ma’mur"


def test_it_keeps_line_numbers_across_multi_line_cells_and_blank_lines() -> None:
    content = b'npp,nama,kode_wilayah\n1,"Perpus\ndua baris",35.24\n\n2,B,35.24\n'
    table = read(content)
    assert [r.line for r in table.rows] == [2, 5]
    assert table.rows[0].get("nama") == "Perpus\ndua baris"


def test_it_turns_integral_floats_into_plain_numbers() -> None:
    assert read(b"npp,nama,kode_wilayah\n12345.0,A,3524.0\n").rows[0].values["kode_wilayah"] == "3524"


@pytest.mark.parametrize(
    ("content", "filename", "fragment"),
    [
        (b"", "data.csv", "kosong"),
        (b"PK\x03\x04not really a zip", "data.xlsx", "rusak"),
        (b"plain text", "data.xlsx", "rusak"),
        (b"\xd0\xcf\x11\xe0old excel", "data.xls", ".xls"),
        (b"%PDF-1.4", "data.pdf", "tidak didukung"),
        (b"\x00\x01\x02binary", "data.csv", "bukan teks"),
        (b"npp,nama\n1,A\n", "data.csv", "kode_wilayah"),
    ],
)
def test_it_rejects_malformed_files_with_an_indonesian_message(content: bytes, filename: str, fragment: str) -> None:
    messages = error_messages(content, filename)
    assert any(fragment in m for m in messages), messages


def test_it_rejects_a_file_larger_than_the_limit(settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 10
    assert "terlalu besar" in error_messages(b"npp,nama,kode_wilayah\n1,A,35\n")[0]


def test_it_normalises_headers() -> None:
    assert normalize_header(" Kabupaten/Kota ") == "kabupaten_kota"
    assert normalize_header("Kode Wilayah*") == "kode_wilayah"
    assert normalize_header("desa-kelurahan") == "desa_kelurahan"


def test_it_finds_the_header_under_title_rows_and_expands_merged_cells() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "DAFTAR MITRA TPBIS KABUPATEN LAMONGAN"
    sheet.merge_cells("A1:D1")
    sheet["A3"] = "NPP"
    sheet.merge_cells("A3:A4")  # a header spanning the two header rows
    sheet["B3"] = "Nama"
    sheet.merge_cells("B3:B4")
    sheet["C3"] = "Wilayah"
    sheet.merge_cells("C3:D3")  # a group label over two sub-headers
    sheet["C4"] = "Kode Wilayah"
    sheet["D4"] = "Keterangan"
    sheet.append([3524012001, "Perpus A", "35.24.01.2001", "baru"])
    sheet.append([3524.0, "Perpus B", 3524, None])
    table = read(xlsx_bytes(workbook), "mitra.xlsx")
    assert [r.line for r in table.rows] == [5, 6]
    assert table.rows[0].values == {
        "npp": "3524012001",
        "nama": "Perpus A",
        "kode_wilayah": "35.24.01.2001",
        "keterangan": "baru",
    }
    assert table.rows[1].get("npp") == "3524"
    assert table.rows[1].get("kode_wilayah") == "3524"


def test_it_reads_cached_formula_values() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["npp", "nama", "kode_wilayah"])
    sheet.append([1, "Perpus A", '=CONCATENATE("35",".24")'])
    content = _with_cached_value(xlsx_bytes(workbook), "C2", "35.24")
    assert read(content, "mitra.xlsx").rows[0].get("kode_wilayah") == "35.24"


def test_it_accepts_a_formula_whose_saved_result_is_empty() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["npp", "nama", "kode_wilayah"])
    sheet.append(['=IF(1=1,"","x")', "Perpus A", "35.24"])
    content = _with_cached_value(xlsx_bytes(workbook), "A2", "")
    assert read(content, "mitra.xlsx").rows[0].get("npp") == ""


def test_it_reports_a_formula_without_a_saved_value() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["npp", "nama", "kode_wilayah"])
    sheet.append([1, "Perpus A", "=A2+3523"])  # openpyxl saves formulas without results
    with pytest.raises(TabularError) as caught:
        read(xlsx_bytes(workbook), "mitra.xlsx")
    [error] = caught.value.errors
    assert (error.line, error.column) == (2, "kode_wilayah")
    assert "simpan ulang" in error.message and "C2" in error.message


def test_it_reads_the_sheet_that_holds_the_headers() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Petunjuk pengisian"])
    data = workbook.create_sheet("Data")
    data.append(["npp", "nama", "kode_wilayah"])
    data.append([7, "Perpus A", "35.24"])
    assert read(xlsx_bytes(workbook), "mitra.xlsx").rows[0].get("npp") == "7"


def test_it_reports_missing_columns_of_a_workbook() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["npp", "nama"])
    assert "kode_wilayah" in error_messages(xlsx_bytes(workbook), "mitra.xlsx")[0]


def _with_cached_value(content: bytes, cell: str, value: str) -> bytes:
    """Rewrite a formula cell as Excel saves it: the formula plus its last computed result."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                pattern = re.compile(rb'<c r="' + cell.encode() + rb'"([^>]*)><f>(.*?)</f><v\s*/>')
                replacement = rb'<c r="' + cell.encode() + rb'"\1 t="str"><f>\2</f><v>' + value.encode() + rb"</v>"
                data, count = pattern.subn(replacement, data)
                assert count == 1, data
            target.writestr(item, data)
    return out.getvalue()
