"""The importable record types (*impor laporan*): their template columns, named as the real SIM names its
fields, and how a row's cells are read into a record's values, each problem a row error under its column."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tpbis.core.tabular import Row, RowError
from tpbis.core.text import fold
from tpbis.reports.models import (
    Advocacy,
    AdvocacyOutcome,
    CommunityEngagement,
    Publicity,
    Visitors,
    VocabularyKind,
)
from tpbis.reports.sim_import import _MONTHS as MONTH_SPELLINGS

LIBRARY_COLUMNS = ("npp", "nama_perpustakaan", "kode_desa")
_LIBRARY_EXAMPLE = ("", "Perpustakaan Desa Sembung", "35.24.01.2001")
_GROUPED_NUMBER = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_NUMERIC_MONTH = re.compile(r"^(?:(\d{1,2})[/\-.](\d{4})|(\d{4})-(\d{1,2})(?:-01(?:[ T].*)?)?)$")


def _row(values: str) -> tuple[str, ...]:
    """A template's example row: the library columns, then the type's cells written "a|b|c"."""
    return (*_LIBRARY_EXAMPLE, *values.split("|"))


class RowCells:
    """Typed reads of one row's cells; every problem is recorded as a row error under its column."""

    def __init__(self, row: Row, errors: list[RowError], vocabularies: dict[str, dict[str, str]]) -> None:
        self.row = row
        self.errors = errors
        self.vocabularies = vocabularies
        self.failed: set[str] = set()

    @property
    def ok(self) -> bool:
        return not self.failed

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row.line, column, message))
        self.failed.add(column)

    def text(self, column: str, *, required: bool = False) -> str:
        value = " ".join(self.row.get(column).split())
        if required and not value:
            self.fail(column, _("Wajib diisi."))
        return value

    def long_text(self, column: str) -> str:
        return self.row.get(column).strip()

    def date(self, column: str, *, required: bool = True) -> dt.date | None:
        raw = self.row.get(column).strip()
        if not raw:
            if required:
                self.fail(column, _("Isi tanggalnya."))
            return None
        day = parse_date(raw)
        if day is None:
            self.fail(
                column,
                _('"%(value)s" bukan tanggal. Tulis seperti 2026-07-08 atau 08/07/2026.') % {"value": raw},
            )
        return day

    def count(self, column: str, *, required: bool = False) -> int | None:
        raw = self.row.get(column).strip()
        if not raw or raw == "-":
            if required:
                self.fail(column, _("Wajib diisi dengan angka."))
            return None
        number = parse_count(raw)
        if number is None:
            self.fail(column, _('"%(value)s" bukan bilangan bulat tanpa tanda minus.') % {"value": raw})
        return number

    def choice(self, column: str, kind: str) -> str:
        raw = self.text(column)
        if not raw:
            self.fail(column, _("Wajib diisi. Pilihan: %(allowed)s.") % {"allowed": self._allowed(kind)})
            return ""
        value = self.vocabularies[kind].get(fold(raw))
        if value is None:
            self.fail(column, _unknown(raw, self._allowed(kind)))
            return ""
        return value

    def choices(self, column: str, kind: str) -> list[str]:
        raw = self.text(column)
        parts = [p.strip() for p in re.split(r"[,;]", raw) if p.strip()]
        values: list[str] = []
        for part in parts:
            value = self.vocabularies[kind].get(fold(part))
            if value is None:
                self.fail(column, _unknown(part, self._allowed(kind)))
            elif value not in values:
                values.append(value)
        return values

    def period(self, column: str) -> tuple[int, int] | None:
        raw = self.text(column)
        if not raw:
            self.fail(column, _("Isi bulan dan tahunnya, mis. Jan 2026."))
            return None
        found = parse_period(raw)
        if found is None:
            self.fail(column, _('"%(value)s" bukan bulan. Tulis seperti Jan 2026 atau 01/2026.') % {"value": raw})
        return found

    def _allowed(self, kind: str) -> str:
        return ", ".join(dict.fromkeys(self.vocabularies[kind].values()))


def _unknown(value: str, allowed: str) -> str:
    return _('"%(value)s" tidak dikenal. Pilihan: %(allowed)s.') % {"value": value, "allowed": allowed}


def parse_date(raw: str) -> dt.date | None:
    """2026-07-08 (also as Excel writes a date cell) or 08/07/2026, 8-7-2026 (day first, as in Indonesia)."""
    match = _ISO_DAY.match(raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DAY_FIRST.match(raw)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_count(raw: str) -> int | None:
    """A whole number, with thousands grouped as Indonesians write them ("1.200") or not; "Rp" allowed."""
    text = raw.replace("Rp", "").replace("rp", "").replace(" ", "").strip()
    if _GROUPED_NUMBER.match(text):
        text = text.replace(".", "").replace(",", "")
    return int(text) if text.isdigit() else None


def parse_period(raw: str) -> tuple[int, int] | None:
    """(year, month) from "Jan 2026" (the real SIM's `periode`), "Januari 2026", "01/2026" or "2026-01"."""
    text = raw.strip()
    match = _NUMERIC_MONTH.match(text)
    if match:
        month_text, year_text = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        year, month = int(year_text), int(month_text)
    else:
        parts = fold(text).split()
        if len(parts) != 2 or not parts[1].isdigit():
            return None
        month, year = MONTH_SPELLINGS.get(parts[0], 0), int(parts[1])
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return year, month


# --- the four types ----------------------------------------------------------------------------


_OUTCOMES = {
    "dana": AdvocacyOutcome.FUNDS.value,
    "nondana": AdvocacyOutcome.IN_KIND.value,
    "regulasi": AdvocacyOutcome.REGULATION.value,
}


def _engagement(cells: RowCells) -> dict[str, Any]:
    values: dict[str, Any] = {
        "date": cells.date("tanggal"),
        "title": cells.text("nama_kegiatan", required=True),
        "activity_field": cells.choice("bidang_kegiatan", VocabularyKind.ACTIVITY_FIELD),
        "activity_kind": cells.choice("jenis", VocabularyKind.ACTIVITY_KIND),
        "audience": cells.choice("sasaran", VocabularyKind.ENGAGEMENT_AUDIENCE),
        "participants": cells.count("jumlah_peserta"),
        "participants_male": cells.count("peserta_laki"),
        "participants_female": cells.count("peserta_perempuan"),
        "participants_disability": cells.count("peserta_disabilitas"),
        "story": cells.long_text("kisah_sukses"),
    }
    male, female = values["participants_male"], values["participants_female"]
    # As on the entry form: an empty total is the sum of the split.
    if values["participants"] is None and male is not None and female is not None:
        values["participants"] = male + female
    if values["participants"] is None and "jumlah_peserta" not in cells.failed:
        cells.fail("jumlah_peserta", _("Isi jumlah peserta, atau jumlah laki-laki dan perempuan."))
    return values


def _advocacy(cells: RowCells) -> dict[str, Any]:
    outcome_raw = cells.text("hasil")
    outcome = _OUTCOMES.get(re.sub(r"[^a-z]", "", outcome_raw.lower()))
    if outcome is None:
        cells.fail("hasil", _unknown(outcome_raw, "Dana, NonDana, Regulasi") if outcome_raw else _("Wajib diisi."))
    regulation_raw = cells.text("hasil_regulasi")
    regulation = ""
    if regulation_raw and regulation_raw != "-":
        regulation = cells.choice("hasil_regulasi", VocabularyKind.REGULATION_KIND)
    return {
        "date": cells.date("tanggal"),
        "title": cells.text("judul", required=True),
        "targets": cells.choices("sasaran", VocabularyKind.ADVOCACY_TARGET),
        "outcome": outcome or "",
        "amount": cells.count("nominal") or 0,
        "resource_persons": cells.count("jumlah_narasumber") or 0,
        "goods": cells.count("jumlah_barang") or 0,
        "regulation_kind": regulation,
        "regulation_date": cells.date("tanggal_terbit", required=False),
    }


def _publicity(cells: RowCells) -> dict[str, Any]:
    link = cells.row.get("link").strip()
    if link and "://" not in link:
        link = "https://" + link  # as the entry form's link field assumes
    return {
        "date": cells.date("tanggal"),
        "title": cells.text("judul", required=True),
        "media_kind": cells.choice("jenis_publikasi", VocabularyKind.MEDIA_KIND),
        "media_name": cells.text("nama_media", required=True),
        "link": link,
    }


def _visitors(cells: RowCells) -> dict[str, Any]:
    period = cells.period("periode")
    male = cells.count("pengunjung_laki", required=True)
    female = cells.count("pengunjung_perempuan", required=True)
    total = cells.count("total_pengunjung")
    if total is None and male is not None and female is not None:
        total = male + female
    return {
        "year": period[0] if period else None,
        "month": period[1] if period else None,
        "male": male or 0,
        "female": female or 0,
        "total": total or 0,
    }


@dataclass(frozen=True)
class ImportType:
    """One importable record type: its template columns (the real SIM's field names) and their reading."""

    record_type: str
    model: type[Any]
    label: Promise
    # Column -> the model field it fills, in template order; the first `required` must be in the file.
    columns: dict[str, str]
    required: tuple[str, ...]
    example: tuple[str, ...]
    read: Callable[[RowCells], dict[str, Any]]
    vocabularies: tuple[str, ...]

    @property
    def template_headers(self) -> tuple[str, ...]:
        return (*LIBRARY_COLUMNS, *self.columns)

    def column_for(self, field_name: str) -> str:
        if field_name in ("year", "month"):
            return "periode"
        for column, name in self.columns.items():
            if name == field_name:
                return column
        return field_name


IMPORT_TYPES: dict[str, ImportType] = {
    spec.record_type: spec
    for spec in (
        ImportType(
            record_type=CommunityEngagement.RECORD_TYPE,
            model=CommunityEngagement,
            label=gettext_lazy("Pelibatan masyarakat"),
            columns={
                "tanggal": "date",
                "nama_kegiatan": "title",
                "bidang_kegiatan": "activity_field",
                "jenis": "activity_kind",
                "sasaran": "audience",
                "jumlah_peserta": "participants",
                "peserta_laki": "participants_male",
                "peserta_perempuan": "participants_female",
                "peserta_disabilitas": "participants_disability",
                "kisah_sukses": "story",
            },
            required=("tanggal", "nama_kegiatan", "bidang_kegiatan", "jenis", "sasaran", "jumlah_peserta"),
            example=_row("2026-11-20|Pelatihan membuat kompos|Pertanian|Pelatihan|Petani/Nelayan|25|15|10|1|"),
            read=_engagement,
            vocabularies=(
                VocabularyKind.ACTIVITY_FIELD,
                VocabularyKind.ACTIVITY_KIND,
                VocabularyKind.ENGAGEMENT_AUDIENCE,
            ),
        ),
        ImportType(
            record_type=Advocacy.RECORD_TYPE,
            model=Advocacy,
            label=gettext_lazy("Advokasi"),
            columns={
                "tanggal": "date",
                "judul": "title",
                "sasaran": "targets",
                "hasil": "outcome",
                "nominal": "amount",
                "jumlah_narasumber": "resource_persons",
                "jumlah_barang": "goods",
                "hasil_regulasi": "regulation_kind",
                "tanggal_terbit": "regulation_date",
            },
            required=("tanggal", "judul", "sasaran", "hasil"),
            example=_row("2026-11-18|Dukungan dana pojok baca dari pemerintah desa|Kepala Desa|Dana|5000000|0|0|-|"),
            read=_advocacy,
            vocabularies=(VocabularyKind.ADVOCACY_TARGET, VocabularyKind.REGULATION_KIND),
        ),
        ImportType(
            record_type=Publicity.RECORD_TYPE,
            model=Publicity,
            label=gettext_lazy("Publikasi"),
            columns={
                "tanggal": "date",
                "judul": "title",
                "jenis_publikasi": "media_kind",
                "nama_media": "media_name",
                "link": "link",
            },
            required=("tanggal", "judul", "jenis_publikasi", "nama_media", "link"),
            example=_row(
                "2026-11-21|Pelatihan kompos di perpustakaan desa|Media Online|Instagram|https://instagram.com/p/1"
            ),
            read=_publicity,
            vocabularies=(VocabularyKind.MEDIA_KIND,),
        ),
        ImportType(
            record_type=Visitors.RECORD_TYPE,
            model=Visitors,
            label=gettext_lazy("Pengunjung"),
            columns={
                "periode": "month",
                "pengunjung_laki": "male",
                "pengunjung_perempuan": "female",
                "total_pengunjung": "total",
            },
            required=("periode", "pengunjung_laki", "pengunjung_perempuan"),
            example=_row("Okt 2026|22|29|51"),
            read=_visitors,
            vocabularies=(),
        ),
    )
}
