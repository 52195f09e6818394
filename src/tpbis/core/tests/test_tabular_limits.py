"""Spreadsheet imports refuse files past the size, row, column and cell limits before they cost memory."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest

from tpbis.core.tabular import TabularError, table_read
from tpbis.core.tests.spreadsheets import hostile_xlsx, write_xlsx

REQUIRED = ("npp", "nama")


def refusal(content: bytes, filename: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(TabularError) as caught:
        table_read(content=content, filename=filename, required=REQUIRED)
    return [(e.line, e.column, e.message) for e in caught.value.errors]


def xlsx_bytes(*rows: list[Any]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_it_refuses_an_xlsx_whose_sheet_expands_past_the_limit_before_reading_it() -> None:
    out = io.BytesIO()
    hostile_xlsx(out, rows=3_000, chars=20_000)  # 60 MB of sheet XML in well under 1 MB
    content = out.getvalue()
    assert len(content) < 1024 * 1024
    [(line, _column, message)] = refusal(content, "mitra.xlsx")
    assert line is None
    assert "terlalu besar setelah dibuka" in message


def test_it_refuses_an_xlsx_that_compresses_like_a_zip_bomb(settings: Any) -> None:
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1024**3  # only the ratio stands in the way
    out = io.BytesIO()
    hostile_xlsx(out, rows=200, chars=20_000)
    [(_line, _column, message)] = refusal(out.getvalue(), "mitra.xlsx")
    assert "dipadatkan secara tidak wajar" in message


def test_it_refuses_a_long_xlsx_cell_with_its_line_and_column(settings: Any) -> None:
    settings.IMPORT_MAX_CELL_CHARS = 50
    content = xlsx_bytes(["npp", "nama"], ["1", "Perpus A"], ["2", "P" * 51])
    assert refusal(content, "mitra.xlsx") == [(3, "B", "Isi sel terlalu panjang (51 karakter, maksimal 50).")]


def test_it_refuses_an_xlsx_with_too_many_rows_at_the_first_row_past_the_limit(settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 3
    content = xlsx_bytes(["Daftar mitra"], ["npp", "nama"], *[[str(n), f"Perpus {n}"] for n in range(5)])
    [(line, _column, message)] = refusal(content, "mitra.xlsx")
    assert (line, message) == (6, "Berkas berisi lebih dari 3 baris data. Bagi menjadi beberapa berkas.")


def test_it_refuses_an_xlsx_row_with_too_many_columns(settings: Any) -> None:
    settings.IMPORT_MAX_COLUMNS = 4
    content = xlsx_bytes(["npp", "nama"], ["1", "Perpus A", None, None, "catatan jauh di kanan"])
    assert refusal(content, "mitra.xlsx") == [
        (2, "E", "Baris ini berisi lebih dari 4 kolom. Hapus kolom yang tidak dipakai.")
    ]


def test_it_ignores_styled_empty_cells_far_to_the_right(settings: Any) -> None:
    settings.IMPORT_MAX_COLUMNS = 4
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["npp", "nama"])
    sheet.append(["1", "Perpus A"])
    sheet["Z2"].number_format = "@"  # formatted by someone, but empty
    out = io.BytesIO()
    workbook.save(out)
    table = table_read(content=out.getvalue(), filename="mitra.xlsx", required=REQUIRED)
    assert [r.values for r in table.rows] == [{"npp": "1", "nama": "Perpus A"}]


def test_it_does_not_fill_a_merged_range_that_runs_far_past_the_data() -> None:
    out = io.BytesIO()
    rows = [("npp", "nama", "kecamatan"), ("1", "Perpus A", "Sukodadi"), ("2", "Perpus B")]
    write_xlsx(out, rows, tail='<mergeCells count="1"><mergeCell ref="C2:XFD1048576"/></mergeCells>')
    table = table_read(content=out.getvalue(), filename="mitra.xlsx", required=REQUIRED)
    assert [r.get("kecamatan") for r in table.rows] == ["Sukodadi", "Sukodadi"]


def test_it_refuses_a_long_csv_cell_with_its_line_and_column(settings: Any) -> None:
    settings.IMPORT_MAX_CELL_CHARS = 50
    content = ("npp;nama\n1;Perpus A\n2;" + "P" * 51 + "\n").encode()
    assert refusal(content, "mitra.csv") == [(3, "B", "Isi sel terlalu panjang (51 karakter, maksimal 50).")]


def test_it_refuses_a_csv_cell_longer_than_the_csv_module_reads() -> None:
    content = ("npp;nama\n1;" + "P" * 200_000 + "\n").encode()
    [(line, _column, message)] = refusal(content, "mitra.csv")
    assert line == 2 and "Isi sel terlalu panjang" in message


def test_it_refuses_a_csv_with_too_many_rows_at_the_first_row_past_the_limit(settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 3
    content = ("npp,nama\n" + "".join(f"{n},Perpus {n}\n" for n in range(10))).encode()
    assert refusal(content, "mitra.csv") == [
        (5, "", "Berkas berisi lebih dari 3 baris data. Bagi menjadi beberapa berkas.")
    ]


def test_it_refuses_a_csv_row_with_too_many_columns(settings: Any) -> None:
    settings.IMPORT_MAX_COLUMNS = 3
    content = b"npp,nama\n1,Perpus A,,,jauh\n"
    [(line, column, _message)] = refusal(content, "mitra.csv")
    assert (line, column) == (2, "E")


def test_it_reads_a_file_at_the_limits(settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 3
    settings.IMPORT_MAX_CELL_CHARS = 8
    rows = [["npp", "nama"], *[[str(n), f"Perpus {n}"] for n in range(3)]]
    table = table_read(content=xlsx_bytes(*rows), filename="mitra.xlsx", required=REQUIRED)
    assert [r.get("nama") for r in table.rows] == ["Perpus 0", "Perpus 1", "Perpus 2"]
    csv_content = "\n".join(",".join(r) for r in rows).encode("cp1252")
    table = table_read(content=csv_content, filename="mitra.csv", required=REQUIRED)
    assert [r.line for r in table.rows] == [2, 3, 4]


def test_it_refuses_a_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    [(_line, _column, message)] = refusal(out.getvalue(), "mitra.xlsx")
    assert "rusak" in message
