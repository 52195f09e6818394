"""CSV and XLSX from an exporter's rows, written as they come so memory does not grow with the list.

CSV is comma-separated UTF-8 with a byte-order mark: the BOM makes Excel read the Indonesian text as
UTF-8, and commas are what every other reader (LibreOffice, Google Sheets, pandas, our own importer)
expects. Excel on a computer set to Indonesian splits on semicolons instead, so the XLSX file is the
one to give people who double-click in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO, Any

import xlsxwriter  # type: ignore[import-untyped]

from tpbis.exports.exporters import Exporter

PROGRESS_EVERY = 1000
CSV_CHUNK_CHARS = 64 * 1024
BOM = "\ufeff"
# A text cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[int], None]


class _Echo:
    """A file-like object whose write() returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | float) and not isinstance(value, bool) and math.isfinite(value):
        # 20.00 is "20" and 10.50 is "10.5": whole numbers read as whole numbers.
        number = Decimal(repr(value)) if isinstance(value, float) else value
        return int(number) if number == number.to_integral_value() else format(number.normalize(), "f")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(exporter: Exporter, progress: Progress | None = None) -> Iterator[str]:
    """The CSV text in pieces of about 64 KB: the header first, then the rows as they are read."""
    writer = csv.writer(_Echo())
    buffer = [BOM + writer.writerow([str(c.label) for c in exporter.columns()])]
    size = 0
    done = 0
    for done, row in enumerate(exporter.rows(), start=1):
        line = writer.writerow([_csv_cell(value) for value in row])
        buffer.append(line)
        size += len(line)
        if size >= CSV_CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)
    yield "".join(buffer)
    if progress:
        progress(done)


def csv_write(exporter: Exporter, target: IO[bytes], progress: Progress | None = None) -> None:
    for chunk in csv_chunks(exporter, progress):
        target.write(chunk.encode("utf-8"))


def xlsx_write(exporter: Exporter, target: IO[bytes] | str, progress: Progress | None = None) -> int:
    """Write the XLSX file and return the number of data rows.

    constant_memory makes xlsxwriter flush each row to a temporary file as soon as the next begins,
    so a 100,000-row sheet costs no more memory than a 10-row one.
    """
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "remove_timezone": True})
    sheet = workbook.add_worksheet(exporter.sheet_name())
    header = workbook.add_format({"bold": True, "bg_color": "#E6F0EC", "text_wrap": True, "valign": "top"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    columns = exporter.columns()
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, str(column.label), header)
    sheet.freeze_panes(1, 0)
    done = 0
    for done, row in enumerate(exporter.rows(), start=1):
        for index, value in enumerate(row):
            _xlsx_cell(sheet, done, index, value, date_format)
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)
    if columns:
        sheet.autofilter(0, 0, max(done, 1), len(columns) - 1)
    workbook.close()
    if progress:
        progress(done)
    return done


def _xlsx_cell(sheet: Any, row: int, col: int, value: Any, date_format: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value))
    elif isinstance(value, dt.datetime | dt.date):
        sheet.write_datetime(row, col, value, date_format)
    else:
        # write_string, never write(): text is text, even when it starts with "=" or looks like a number
        # (NPP and region codes keep their leading zeros and dots).
        sheet.write_string(row, col, str(value))
