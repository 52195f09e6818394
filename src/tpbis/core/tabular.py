"""Reading uploaded spreadsheets (CSV or XLSX) into rows keyed by normalised header, and the shared
shape of an import report.

Real files from Indonesian offices are messy: semicolon CSVs saved by Excel with a regional list
separator, Windows-1252 text, title rows above the header, merged header cells, formulas. Every
problem becomes a `TabularError` with an Indonesian message, never an exception a view turns into a 500.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tpbis.core.import_limits import (
    EXCEL_MAX_LINE,
    ImportLimits,
    archive_problem,
    cell_too_long_message,
    too_many_columns_message,
    too_many_rows_message,
)

P = TypeVar("P")

HEADER_SCAN_ROWS = 10
CSV_DELIMITERS = (",", ";", "\t")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
EXTENSIONS = TEXT_EXTENSIONS + XLSX_EXTENSIONS

_HEADER_SEPARATORS = re.compile(r"[\s\-/]+")
_INTEGRAL_FLOAT = re.compile(r"^(\d+)\.0+$")
# Just enough of the sheet XML to find formula cells without a saved value (see _missing_formula_values).
# A cell's body stops at the next "<c " too, so text that looks like an opening tag costs linear time.
_CELL = re.compile(rb"<c\s([^>]*?)(?<!/)>((?:(?!</c>|<c\s).)*)</c>", re.S)
_FORMULA = re.compile(rb"<f[\s>/]")
_VALUE = re.compile(rb"<v(?:\s[^>]*)?(?<!/)>")
_REFERENCE = re.compile(rb'\br="([A-Z]+)(\d+)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\s([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\s([^>]*)>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_CSV_FIELD_LIMIT = "field larger than field limit"
_SNIFF_BYTES = 256 * 1024
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')


@dataclass(frozen=True)
class RowError:
    """One problem of an import: the file line (None for the whole file), the column, a message."""

    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return _("berkas: %(message)s") % {"message": self.message}
        return _("baris %(line)s, kolom %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column or "-",
            "message": self.message,
        }


class TabularError(Exception):
    """The file cannot be read as a table; `errors` say why (usually one, for the whole file)."""

    def __init__(self, errors: Sequence[RowError] | str) -> None:
        self.errors = [RowError(None, "", errors)] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(e.message for e in self.errors))


@dataclass(frozen=True)
class Row:
    """A data row: its line in the file (as a text editor or Excel numbers it) and its cells by header."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[Row]


@dataclass(frozen=True)
class PlannedRow:
    """What an import does (or would do) with one row: "create", "update" or "unchanged"."""

    line: int
    action: str
    label: str
    detail: str = ""


@dataclass
class ImportReport:
    """The outcome of an import. With errors nothing was written; counts then describe the valid rows."""

    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    actions: list[PlannedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def plan(self, line: int, action: str, label: str, detail: str = "") -> None:
        self.actions.append(PlannedRow(line, action, label, detail))
        if action == "create":
            self.created += 1
        elif action == "update":
            self.updated += 1
        else:
            self.unchanged += 1

    def summary(self) -> str:
        return _("dibuat %(created)s, diperbarui %(updated)s, tidak berubah %(unchanged)s") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.line or 0, e.column))


def import_run(
    *,
    content: bytes,
    filename: str,
    required: Sequence[str],
    dry_run: bool,
    plan: Callable[[Table, ImportReport], P],
    apply: Callable[[P], None],
    conflict_message: str,
    check: Callable[[Table], None] | None = None,
) -> ImportReport:
    """Read the file, plan every row into `report`, and apply the plan only when no row is bad.

    Planning is repeated inside the transaction so the checks see the data that is written over.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        table = table_read(content=content, filename=filename, required=required)
        if check is not None:
            check(table)
    except TabularError as error:
        report.errors = error.errors
        return report
    if dry_run:
        plan(table, report)
        return report
    try:
        with transaction.atomic():
            planned = plan(table, report)
            if report.ok:
                apply(planned)
    except IntegrityError:
        # Someone saved conflicting data between validation and writing.
        report.errors.append(RowError(None, "", conflict_message))
    return report


def normalize_header(raw: object) -> str:
    """ "Kode Wilayah", "kode-wilayah " and "KODE_WILAYAH*" all become "kode_wilayah"."""
    text = _HEADER_SEPARATORS.sub("_", str(raw or "").replace("\ufeff", "").strip().lower())
    return text.strip("_*:")


def table_read(*, content: bytes, filename: str, required: Sequence[str]) -> Table:
    """Read an uploaded CSV or XLSX file; raise TabularError with an Indonesian message if it is unusable."""
    if not content:
        raise TabularError(_("Berkas kosong."))
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise TabularError(
            _("Berkas terlalu besar (maksimal %(mb)s MB).") % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    extension = _extension(filename)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise TabularError(
            _("Format .xls lama tidak didukung. Simpan berkas sebagai .xlsx atau CSV, lalu unggah lagi.")
        )
    limits = ImportLimits.from_settings()
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content, required, limits)
    if extension in XLSX_EXTENSIONS:
        raise TabularError(_("Berkas XLSX rusak atau bukan berkas Excel. Buka dan simpan ulang di Excel."))
    if extension not in TEXT_EXTENSIONS:
        raise TabularError(_("Jenis berkas tidak didukung. Unggah berkas CSV atau XLSX."))
    return _read_csv(content, required, limits)


def _extension(filename: str) -> str:
    name = (filename or "").lower()
    return name[name.rfind(".") :] if "." in name else ""


# --- CSV ---------------------------------------------------------------------------------------


def _encoding(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" export: UTF-16 with a byte-order mark, tab-separated.
        return "utf-16"
    if b"\x00" in content[:4096]:
        raise TabularError(_("Berkas ini bukan teks CSV. Unggah berkas CSV atau XLSX."))
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # Checked in slices so the whole file never exists twice in memory, once as bytes and once as text.
        for start in range(0, len(content), 1024 * 1024):
            decoder.decode(content[start : start + 1024 * 1024])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page, Windows-1252 for Indonesian settings.
        return "cp1252"
    return "utf-8-sig"


def _text_stream(content: bytes, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(content), encoding=encoding, errors="replace", newline="")


def _read_csv(content: bytes, required: Sequence[str], limits: ImportLimits) -> Table:
    encoding = _encoding(content)
    sample = content[:_SNIFF_BYTES].decode(encoding, errors="ignore")
    delimiter = _sniff_delimiter(sample, required)
    records = _csv_records(_text_stream(content, encoding), delimiter, limits)
    header_line, raw_headers = next(records, (0, []))
    headers = _check_headers([normalize_header(h) for h in raw_headers], required, header_line)
    rows = []
    for line, cells in records:
        row = _make_row(line, headers, [_clean_text(c) for c in cells])
        if row is not None:
            rows.append(row)
            if len(rows) > limits.rows:
                raise TabularError([RowError(line, "", too_many_rows_message(limits))])
    return Table(headers=[h for h in headers if h], rows=rows)


def _csv_records(
    stream: io.TextIOBase, delimiter: str, limits: ImportLimits | None = None
) -> Iterator[tuple[int, list[str]]]:
    """Non-empty records with the line each starts on; a quoted cell may span lines.

    With `limits`, a record with a cell too long or too many columns stops the reading.
    """
    reader = csv.reader(stream, delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                if limits is not None:
                    _check_cells(start, cells, limits)
                yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        if _CSV_FIELD_LIMIT in str(error) and limits is not None:
            message = _("Isi sel terlalu panjang (maksimal %(max)s karakter).") % {"max": limits.cell_chars}
        else:
            message = _("Baris CSV tidak dapat dibaca (%(error)s).") % {"error": error}
        raise TabularError([RowError(start, "", message)]) from error


def _sniff_delimiter(text: str, required: Sequence[str]) -> str:
    """The separator that splits the header into the most required columns (then the most columns)."""
    sample = text[:65536]

    def score(delimiter: str) -> tuple[int, int]:
        first = next(_csv_records(io.StringIO(sample, newline=""), delimiter), (0, []))[1]
        names = {normalize_header(h) for h in first}
        return (sum(1 for r in required if r in names), len(first))

    try:
        return max(CSV_DELIMITERS, key=score)
    except TabularError:
        return ","


def _clean_text(value: str) -> str:
    text = value.replace("\ufeff", "").strip()
    match = _INTEGRAL_FLOAT.match(text)
    return match.group(1) if match else text


# --- XLSX --------------------------------------------------------------------------------------


def _read_xlsx(content: bytes, required: Sequence[str], limits: ImportLimits) -> Table:
    import openpyxl  # imported here: loading it costs time that CSV imports need not pay

    damaged = _("Berkas XLSX rusak atau tidak dapat dibaca. Buka dan simpan ulang di Excel.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise TabularError(damaged) from error
    with archive:
        problem = archive_problem(archive, limits)
        if problem:
            raise TabularError(problem)
        try:
            # read_only streams each sheet's XML row by row instead of building every cell in memory.
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds (zip, XML, key) for a damaged file
            raise TabularError(damaged) from error
        try:
            return _read_workbook(workbook, archive, required, limits)
        except TabularError:
            raise
        except Exception as error:  # a damaged sheet is found only while it is read
            raise TabularError(damaged) from error
        finally:
            workbook.close()


def _read_workbook(workbook: Any, archive: zipfile.ZipFile, required: Sequence[str], limits: ImportLimits) -> Table:
    paths = _sheet_paths(archive)
    names = set(archive.namelist())
    first_rows: list[tuple[int, list[Any]]] = []
    for sheet in workbook.worksheets:
        path = paths.get(sheet.title, "")
        xml = archive.read(path) if path in names else b""
        grid = _sheet_grid(sheet, _merged_ranges(xml), limits)
        header_index = _find_header(grid, required)
        if header_index is None:
            first_rows.extend(grid[:HEADER_SCAN_ROWS])
            continue
        line, raw_headers = grid[header_index]
        headers = _check_headers([normalize_header(v) for v in raw_headers], required, line)
        data = grid[header_index + 1 :]
        if len(data) > limits.rows:
            raise TabularError([RowError(data[limits.rows][0], "", too_many_rows_message(limits))])
        problems = _missing_formula_values(xml, headers)
        if problems:
            raise TabularError(problems)
        return _table_from_grid(data, headers)
    best = max(first_rows, key=_required_count(required), default=(1, []))
    _check_headers([normalize_header(v) for v in best[1]], required, best[0])
    raise TabularError(_("Baris judul kolom tidak ditemukan di %(n)s baris pertama.") % {"n": HEADER_SCAN_ROWS})


def _required_count(required: Sequence[str]) -> Any:
    return lambda row: sum(1 for v in row[1] if normalize_header(v) in required)


def _sheet_grid(
    sheet: Any, merges: list[tuple[int, int, int, int]], limits: ImportLimits
) -> list[tuple[int, list[Any]]]:
    """Non-empty rows as (row number, cell values), merged ranges filled from their top-left cell.

    Reading stops once the rows hold a header and more data rows than allowed, so the caller can say
    which line went past the limit without the rest of the sheet being read.
    """
    sheet.reset_dimensions()  # a forged <dimension> would pad every row to 16,384 columns
    enough = limits.rows + HEADER_SCAN_ROWS + 1
    rows: dict[int, list[Any]] = {}
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if line > EXCEL_MAX_LINE:
            raise TabularError(_("Berkas XLSX rusak atau tidak dapat dibaca. Buka dan simpan ulang di Excel."))
        width = _used_width(values)
        if width:
            cells = list(values[:width])
            _check_cells(line, cells, limits)
            rows[line] = cells
            if len(rows) >= enough:
                break
    last_line = max(rows, default=0)
    for min_col, min_row, max_col, max_row in merges:
        top_left = rows.get(min_row, [])
        value = top_left[min_col - 1] if len(top_left) >= min_col else None
        # Clipped to the rows read and the column limit: a range may claim the whole sheet.
        max_col = min(max_col, limits.columns)
        for r in range(min_row, min(max_row, last_line) + 1):
            cells = rows.setdefault(r, [])
            cells.extend([None] * (max_col - len(cells)))
            cells[min_col - 1 : max_col] = [value] * (max_col - min_col + 1)
    return sorted(rows.items())


def _used_width(values: Sequence[Any]) -> int:
    """The position of the last non-empty cell (0 for an empty row)."""
    for index in range(len(values) - 1, -1, -1):
        if values[index] is not None and values[index] != "":
            return index + 1
    return 0


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """(min column, min row, max column, max row) of each merged range in the sheet XML.

    Read from the XML because openpyxl's streaming mode does not report merged cells.
    """
    from openpyxl.utils import column_index_from_string

    ranges = []
    for match in _MERGE.finditer(xml):
        first, top, last, bottom = match.groups()
        ranges.append(
            (
                column_index_from_string(first.decode()),
                int(top),
                column_index_from_string(last.decode()),
                int(bottom),
            )
        )
    return ranges


def _find_header(grid: list[tuple[int, list[Any]]], required: Sequence[str]) -> int | None:
    """Index of the header row among the first rows of the sheet.

    A header cell merged down over two rows repeats in the second row; the lowest row that still holds
    every required header is then the header, so the repeated copy is not read as data.
    """
    header = None
    for index, (_line, values) in enumerate(grid[:HEADER_SCAN_ROWS]):
        names = {normalize_header(v) for v in values}
        if all(r in names for r in required):
            header = index
        elif header is not None:
            break
    return header


def _table_from_grid(grid: list[tuple[int, list[Any]]], headers: list[str]) -> Table:
    rows = []
    for line, values in grid:
        row = _make_row(line, headers, [_cell_text(v) for v in values])
        if row is not None:
            rows.append(row)
    return Table(headers=[h for h in headers if h], rows=rows)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return _clean_text(str(value))


def _missing_formula_values(xml: bytes, headers: list[str]) -> list[RowError]:
    """Formula cells whose result was never saved (files written by scripts, not by Excel).

    openpyxl cannot tell such a cell from a formula that returned "" (both read as None), so this
    looks at the sheet's XML: Excel writes `<v>...</v>` (empty for ""), a script leaves `<v/>` or nothing.
    """
    from openpyxl.utils import column_index_from_string

    problems = []
    for cell in _CELL.finditer(xml):
        reference = _REFERENCE.search(cell.group(1))
        if reference is None or not _FORMULA.search(cell.group(2)) or _VALUE.search(cell.group(2)):
            continue
        letters, line = reference.group(1).decode(), int(reference.group(2))
        index = column_index_from_string(letters) - 1
        column = headers[index] if index < len(headers) and headers[index] else letters
        message = _(
            "Sel %(cell)s berisi rumus tanpa nilai tersimpan. Buka berkas di Excel, simpan ulang, lalu unggah lagi."
        ) % {"cell": f"{letters}{line}"}
        problems.append(RowError(line, column, message))
    return problems


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> XML path inside the archive, from workbook.xml and its relationships."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    targets = {}
    for tag in _RELATIONSHIP.finditer(archive.read("xl/_rels/workbook.xml.rels")):
        attrs = _attributes(tag.group(1))
        target = attrs.get("Target", "")
        targets[attrs.get("Id", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    paths = {}
    for tag in _SHEET.finditer(archive.read("xl/workbook.xml")):
        attrs = _attributes(tag.group(1))
        paths[html.unescape(attrs.get("name", ""))] = targets.get(attrs.get("r:id", ""), "")
    return paths


def _attributes(raw: bytes) -> dict[str, str]:
    return {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTRIBUTE.findall(raw)}


# --- shared ------------------------------------------------------------------------------------


def _check_headers(headers: list[str], required: Sequence[str], line: int) -> list[str]:
    missing = [r for r in required if r not in headers]
    if missing:
        raise TabularError(
            [
                RowError(
                    line or 1,
                    "",
                    _("Kolom wajib tidak ada: %(columns)s. Pakai templat yang disediakan.")
                    % {"columns": ", ".join(missing)},
                )
            ]
        )
    # The first column of a repeated header wins (a merged header cell repeats across its columns).
    seen: set[str] = set()
    unique = []
    for name in headers:
        unique.append(name if name not in seen else "")
        seen.add(name)
    return unique


def _make_row(line: int, headers: list[str], cells: Iterable[str]) -> Row | None:
    values = {h: c for h, c in zip(headers, cells, strict=False) if h}
    if not any(values.values()):
        return None
    return Row(line=line, values=values)


def _check_cells(line: int, cells: Sequence[Any], limits: ImportLimits) -> None:
    """Refuse a row with a cell past the column limit or a text longer than the cell limit."""
    width = _used_width(cells)
    if width > limits.columns:
        raise TabularError([RowError(line, _column_letter(width), too_many_columns_message(limits))])
    for index, value in enumerate(cells):
        if isinstance(value, str) and len(value) > limits.cell_chars:
            message = cell_too_long_message(len(value), limits)
            raise TabularError([RowError(line, _column_letter(index + 1), message)])


def _column_letter(number: int) -> str:
    """1 -> "A", 27 -> "AA", as Excel names columns (CSV errors use the same names)."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
