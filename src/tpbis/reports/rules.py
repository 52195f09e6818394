"""Validation of records entered by people, with messages a village library manager understands.

Imported records from the real SIM are kept as they are and do not pass through these rules.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from tpbis.core.text import fold
from tpbis.reports.models import (
    Advocacy,
    AdvocacyOutcome,
    CommunityEngagement,
    InformationService,
    LibraryRecord,
    Publicity,
    Replication,
    Status,
    Visitors,
)

# Titles at least this similar (after folding) on the same day are flagged as a likely duplicate.
DUPLICATE_SIMILARITY = 0.85
MAX_PHOTOS = 3


class Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _check_date(errors: Errors, field: str, value: dt.date | None, cohort_year: int) -> None:
    if value is None:
        errors.add(field, _("Isi tanggalnya."))
        return
    if value > timezone.localdate():
        errors.add(field, _("Tanggal tidak boleh di masa depan."))
    elif value.year < cohort_year:
        errors.add(
            field,
            _("Tanggal sebelum perpustakaan bergabung (angkatan %(year)s). Periksa lagi tahunnya.")
            % {"year": cohort_year},
        )


def _check_month(errors: Errors, year: int | None, month: int | None, cohort_year: int) -> None:
    if not year or not month:
        errors.add("month", _("Pilih bulan dan tahun."))
        return
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        errors.add("month", _("Bulan ini belum berjalan. Laporan bulanan diisi untuk bulan yang sudah berjalan."))
    elif year < cohort_year:
        errors.add("year", _("Tahun sebelum perpustakaan bergabung (angkatan %(year)s).") % {"year": cohort_year})


def validate_engagement(record: CommunityEngagement, errors: Errors) -> None:
    _check_date(errors, "date", record.date, record.library.cohort_year)
    male, female = record.participants_male, record.participants_female
    if record.participants is None or record.participants < 1:
        errors.add("participants", _("Jumlah peserta paling sedikit 1."))
    elif male is not None and female is not None and male + female != record.participants:
        errors.add(
            "participants",
            _("Peserta laki-laki (%(male)s) + perempuan (%(female)s) harus sama dengan jumlah peserta (%(total)s).")
            % {"male": male, "female": female, "total": record.participants},
        )
    disability = record.participants_disability
    if disability is not None and record.participants and disability > record.participants:
        errors.add(
            "participants_disability", _("Peserta penyandang disabilitas tidak boleh lebih dari jumlah peserta.")
        )


def validate_advocacy(record: Advocacy, errors: Errors) -> None:
    _check_date(errors, "date", record.date, record.library.cohort_year)
    if not record.targets:
        errors.add("targets", _("Pilih paling sedikit satu sasaran advokasi."))
    if record.outcome == AdvocacyOutcome.FUNDS and not record.amount:
        errors.add("amount", _("Hasil berupa dana: isi nominalnya dalam rupiah."))
    if record.outcome == AdvocacyOutcome.IN_KIND and not (record.resource_persons or record.goods):
        errors.add("resource_persons", _("Hasil non-dana: isi jumlah narasumber atau jumlah barang."))
    if record.outcome == AdvocacyOutcome.REGULATION:
        if not record.regulation_kind:
            errors.add("regulation_kind", _("Hasil regulasi: pilih jenis regulasinya."))
        if record.regulation_date is None:
            errors.add("regulation_date", _("Hasil regulasi: isi tanggal terbitnya."))
        elif record.regulation_date > timezone.localdate():
            errors.add("regulation_date", _("Tanggal terbit tidak boleh di masa depan."))


def validate_publicity(record: Publicity, errors: Errors) -> None:
    _check_date(errors, "date", record.date, record.library.cohort_year)
    try:
        URLValidator(schemes=["http", "https"])(record.link or "")
    except ValidationError:
        errors.add("link", _("Tautan harus alamat web lengkap, mis. https://www.instagram.com/p/..."))


def validate_information_service(record: InformationService, errors: Errors) -> None:
    _check_month(errors, record.year, record.month, record.library.cohort_year)
    if record.bandwidth is not None and record.bandwidth < 0:
        errors.add("bandwidth", _("Bandwidth tidak boleh negatif; isi 0 jika tidak ada internet."))


def validate_visitors(record: Visitors, errors: Errors) -> None:
    _check_month(errors, record.year, record.month, record.library.cohort_year)
    if record.total != (record.male or 0) + (record.female or 0):
        errors.add("total", _("Total pengunjung harus sama dengan laki-laki + perempuan."))


VALIDATORS: dict[type[Any], Any] = {
    CommunityEngagement: validate_engagement,
    Advocacy: validate_advocacy,
    Publicity: validate_publicity,
    InformationService: validate_information_service,
    Visitors: validate_visitors,
}


def photo_limits(model: type[Any]) -> tuple[int, int] | None:
    """(fewest, most) photos a record of this type carries, or None for a type without photos.

    An activity (*pelibatan masyarakat*) needs 1–3 photos, an advocacy effort may have up to 3.
    """
    if model is CommunityEngagement:
        return (1, MAX_PHOTOS)
    if model is Advocacy:
        return (0, MAX_PHOTOS)
    return None


def record_validate_entry(record: LibraryRecord) -> None:
    """Raise a ValidationError keyed by field with every rule the record breaks."""
    errors = Errors()
    VALIDATORS[type(record)](record, errors)
    errors.raise_if_any()


def replication_validate_entry(record: Replication) -> None:
    errors = Errors()
    if record.year > timezone.localdate().year:
        errors.add("year", _("Tahun anggaran tidak boleh di masa depan."))
    if record.region.level > 2:
        errors.add("region", _("Replikasi dicatat per provinsi atau kabupaten/kota."))
    errors.raise_if_any()


def likely_duplicates(record: LibraryRecord) -> list[LibraryRecord]:
    """Records of the same library on the same date with a very similar title (not withdrawn)."""
    model = type(record)
    if not record.TITLE_FIELD or getattr(record, "date", None) is None:
        return []
    title = fold(record.title_text)
    candidates = (
        model.objects.filter(library_id=record.library_id, date=record.date)  # type: ignore[attr-defined]
        .exclude(status=Status.WITHDRAWN)
        .exclude(pk=record.pk)
    )
    return [other for other in candidates[:50] if _folded_similar(title, fold(other.title_text))]


def titles_similar(first: str, second: str) -> bool:
    """Two titles close enough to flag a likely duplicate (also used by the spreadsheet import)."""
    return _folded_similar(fold(first), fold(second))


def _folded_similar(first: str, second: str) -> bool:
    return difflib.SequenceMatcher(None, first, second).ratio() >= DUPLICATE_SIMILARITY
