"""Limits on what an uploaded spreadsheet may hold, checked while it is read so a hostile file costs little.

An XLSX file is a zip archive: 1 MB on disk can hold 800 MB of sheet XML. The archive's directory says how
large every member is once unpacked, and Python's zipfile never unpacks a member past that size, so the
directory is checked before anything is read. Rows, columns and cell lengths are checked row by row while
streaming, and reading stops at the first one past its limit.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

# Members smaller than this are never judged by their ratio: tiny XML parts compress very well.
RATIO_GRACE_BYTES = 1024 * 1024
# Excel's own last row; a sheet XML naming a later row is not a real spreadsheet.
EXCEL_MAX_LINE = 1_048_576


@dataclass(frozen=True)
class ImportLimits:
    uncompressed_bytes: int
    compression_ratio: int
    rows: int
    columns: int
    cell_chars: int

    @classmethod
    def from_settings(cls) -> ImportLimits:
        return cls(
            uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            compression_ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )


def archive_problem(archive: zipfile.ZipFile, limits: ImportLimits) -> str:
    """Why the archive must not be unpacked ("" when it may): too large once unpacked, or a zip bomb."""
    members = archive.infolist()
    total = sum(member.file_size for member in members)
    if total > limits.uncompressed_bytes:
        return _(
            "Berkas XLSX ini terlalu besar setelah dibuka (%(size)s MB, maksimal %(max)s MB). "
            "Bagi menjadi beberapa berkas atau hapus kolom dan lembar yang tidak dipakai."
        ) % {"size": total // (1024 * 1024), "max": limits.uncompressed_bytes // (1024 * 1024)}
    for member in members:
        compressed = max(member.compress_size, 1)
        if member.file_size > RATIO_GRACE_BYTES and member.file_size / compressed > limits.compression_ratio:
            return _(
                "Berkas XLSX ini dipadatkan secara tidak wajar (%(ratio)s kali) dan tidak dibuka. "
                "Simpan ulang di Excel atau unggah sebagai CSV."
            ) % {"ratio": member.file_size // compressed}
    return ""


def too_many_rows_message(limits: ImportLimits) -> str:
    return _("Berkas berisi lebih dari %(max)s baris data. Bagi menjadi beberapa berkas.") % {"max": limits.rows}


def too_many_columns_message(limits: ImportLimits) -> str:
    return _("Baris ini berisi lebih dari %(max)s kolom. Hapus kolom yang tidak dipakai.") % {"max": limits.columns}


def cell_too_long_message(length: int, limits: ImportLimits) -> str:
    return _("Isi sel terlalu panjang (%(length)s karakter, maksimal %(max)s).") % {
        "length": length,
        "max": limits.cell_chars,
    }
