"""Import of the real SIM's public API responses (*impor SIM lama*) for one kabupaten/kota.

A folder holds the endpoint responses of one kabupaten on one day (`pelibatan3513.json`, ...,
`iku3513.json`) and is the whole truth for that kabupaten from 1 January to that day. The real system
has no record ids, so a row is recognised by a fingerprint of its content (without its verification
status, so a verification updates the record in place) plus its occurrence number among identical rows.

Everything is read, validated and matched before anything is written; one bad row means nothing is
written. Records entered in this system (origin `entry`) are never touched.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.core.text import fold
from tpbis.libraries.models import Library, LibraryKind, Support
from tpbis.regions.codes import normalize_code
from tpbis.regions.models import Kind, Level, Region
from tpbis.reports.audit import audit_log_many
from tpbis.reports.models import (
    Advocacy,
    AuditAction,
    AuditEntry,
    CommunityEngagement,
    InformationService,
    Origin,
    Publicity,
    Replication,
    SimImport,
    SimScore,
    Status,
    Visitors,
)
from tpbis.reports.signals import records_changed

# Summary order; `iku` is read last because its libraries are matched against those of the records.
RECORD_TYPES = ("pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung", "replikasi")
IKU = "iku"
_FILE_NAME = re.compile(r"^(pelibatan|advokasi|publikasi|peningkatan|pengunjung|replikasi|iku)(\d{4})\.json$")
_FOLDER_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})$")

VERIFIED_TEXT = "Sudah Diverifikasi"
NOT_VERIFIED_TEXT = "Belum Diverifikasi"
IMPORT_COMMENT = "impor SIM"
WITHDRAW_COMMENT = "tidak ada lagi di SIM lama"
REAPPEAR_COMMENT = "muncul lagi di SIM lama"

_MODELS: dict[str, type[models.Model]] = {
    "pelibatan": CommunityEngagement,
    "advokasi": Advocacy,
    "publikasi": Publicity,
    "peningkatan": InformationService,
    "pengunjung": Visitors,
    "replikasi": Replication,
}
_LIBRARY_NAME_LENGTH = Library._meta.get_field("name").max_length
_LIBRARY_RECORD_MODELS = (CommunityEngagement, Advocacy, Publicity, InformationService, Visitors)

# Indonesian month names and the abbreviations both languages use ("May 2026", "Mei 2026", "Agu 2026").
_MONTHS: dict[str, int] = {
    **{name: n for n, name in enumerate(
        ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober",
         "november", "desember"), start=1)},
    **{name: n for n, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"), start=1)},
    **{name: n for n, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)},
    "pebruari": 2, "mei": 5, "agu": 8, "agt": 8, "ags": 8, "sept": 9, "okt": 10, "nop": 11, "nopember": 11,
    "des": 12,
}  # fmt: skip
MONTH_NAMES = (
    "",
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


class SimImportError(Exception):
    """A folder that cannot be imported; names the file and the record (1-based) when there is one."""

    def __init__(self, message: str, *, file: str = "", number: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.number = number

    def __str__(self) -> str:
        if self.file and self.number is not None:
            return _("%(file)s, data ke-%(n)s: %(message)s") % {
                "file": self.file,
                "n": self.number,
                "message": self.message,
            }
        if self.file:
            return f"{self.file}: {self.message}"
        return self.message


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryRef:
    """A library as the real SIM names it on a record: name, kecamatan and desa ("-" for kabupaten)."""

    name: str
    district: str
    village: str

    @property
    def is_regency(self) -> bool:
        return self.village.strip() in ("", "-")


@dataclass
class SimRow:
    """One validated record row, with the values of our model's fields."""

    record_type: str
    file: str
    number: int
    key: str
    library: LibraryRef | None
    status: str
    input_date: dt.date | None
    values: dict[str, Any]
    unverified_field_missing: bool = False


@dataclass(frozen=True)
class IkuRow:
    number: int
    name: str
    village: str
    score: Decimal | None

    @property
    def is_regency(self) -> bool:
        return self.village.strip() in ("", "-")


@dataclass
class SimFolder:
    """A folder read and validated, not yet matched against the database."""

    path: Path
    regency: Region
    rows: dict[str, list[SimRow]]
    iku: list[IkuRow] | None
    iku_file: str
    as_of: dt.date
    last_input: dt.date
    oddities: list[str] = field(default_factory=list)

    @property
    def period_start(self) -> dt.date:
        return dt.date(self.as_of.year, 1, 1)


def _key(value: str) -> str:
    """Names compared without case, punctuation or spaces ("Alas Tengah" is "Alastengah")."""
    return fold(value).replace(" ", "")


_REGENCY_NOISE = {"kab", "kabupaten", "kota", "kotamadya", "adm", "administrasi"}


def _regency_name_matches(written: str, regency: Region) -> bool:
    words = fold(written).split()
    says_kota = bool(words) and words[0] in ("kota", "kotamadya")
    while words and words[0] in _REGENCY_NOISE:
        words.pop(0)
    if says_kota != (regency.kind == Kind.KOTA):
        return False
    return "".join(words) == regency.search_name.replace(" ", "")


class _Fields:
    """Typed access to one record's fields; every failure names the file and record number."""

    def __init__(self, record: dict[str, Any], *, file: str, number: int) -> None:
        self.record = record
        self.file = file
        self.number = number

    def error(self, message: str) -> SimImportError:
        return SimImportError(message, file=self.file, number=self.number)

    def raw(self, name: str) -> Any:
        if name not in self.record:
            raise self.error(_("kolom '%(field)s' tidak ada") % {"field": name})
        return self.record[name]

    def text(self, name: str, *, max_length: int | None = None) -> str:
        value = self.raw(name)
        if not isinstance(value, str):
            raise self.error(_("kolom '%(field)s' harus berupa teks") % {"field": name})
        if max_length is not None and len(value) > max_length:
            raise self.error(_("kolom '%(field)s' lebih dari %(n)s karakter") % {"field": name, "n": max_length})
        return value

    def optional_text(self, name: str) -> str:
        value = self.record.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.error(_("kolom '%(field)s' harus berupa teks") % {"field": name})
        return value

    def texts(self, name: str) -> list[str]:
        value = self.raw(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(_("kolom '%(field)s' harus berupa daftar teks") % {"field": name})
        return list(value)

    def count(self, name: str, *, null_is_zero: bool = False) -> int:
        value = self.raw(name)
        if value is None and null_is_zero:
            return 0
        number = _as_int(value)
        if number is None or number < 0:
            raise self.error(_("kolom '%(field)s' harus bilangan bulat tidak negatif") % {"field": name})
        return number

    def number_value(self, name: str, *, max_digits: int, places: int, rounded: bool = False) -> Decimal:
        value = self.raw(name)
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = Decimal(-1)
        if not number.is_finite() or number < 0:
            raise self.error(_("kolom '%(field)s' harus angka tidak negatif") % {"field": name})
        step = Decimal(1).scaleb(-places)
        if rounded:
            number = number.quantize(step, rounding=ROUND_HALF_UP)
        elif number != number.quantize(step, rounding=ROUND_HALF_UP):
            raise self.error(_("kolom '%(field)s' paling banyak %(n)s angka desimal") % {"field": name, "n": places})
        if number.adjusted() >= max_digits - places:
            raise self.error(_("kolom '%(field)s' terlalu besar") % {"field": name})
        return number

    def day(self, name: str) -> dt.date:
        value = self.raw(name)
        parsed = _as_date(value)
        if parsed is None:
            raise self.error(
                _("kolom '%(field)s' bukan tanggal TTTT-BB-HH: %(value)r") % {"field": name, "value": value}
            )
        return parsed

    def optional_day(self, name: str) -> dt.date | None:
        value = self.record.get(name)
        if value in (None, "", "-"):
            return None
        return self.day(name)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _as_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10]) if len(value.strip()) in (10, 19) else None
    except ValueError:
        return None


def _status(f: _Fields) -> tuple[str, bool]:
    """The status and whether the row lacked a verification field (the real system serves those)."""
    if "is_verified" not in f.record:
        return Status.VERIFIED, True
    value = f.record["is_verified"]
    if value == VERIFIED_TEXT:
        return Status.VERIFIED, False
    if value == NOT_VERIFIED_TEXT:
        return Status.SUBMITTED, False
    raise f.error(
        _("kolom 'is_verified' harus '%(yes)s' atau '%(no)s'") % {"yes": VERIFIED_TEXT, "no": NOT_VERIFIED_TEXT}
    )


def _engagement(f: _Fields) -> dict[str, Any]:
    day = f.day("tanggal")
    return {
        "date": day,
        "date_unknown": _is_new_year(day),
        "title": f.text("nama_kegiatan"),
        "activity_field": f.text("bidang_kegiatan"),
        "activity_kind": f.text("jenis"),
        "audience": f.text("sasaran"),
        "participants": f.count("jumlah_peserta"),
        "external_attachments": f.optional_text("attachment"),
    }


def _advocacy(f: _Fields) -> dict[str, Any]:
    day = f.day("tanggal")
    regulation = f.optional_text("hasil_regulasi")
    return {
        "date": day,
        "date_unknown": _is_new_year(day),
        "title": f.text("judul"),
        "targets": f.texts("sasaran"),
        "outcome": f.text("hasil"),
        "amount": f.count("nominal", null_is_zero=True),
        "resource_persons": f.count("jumlah_narasumber", null_is_zero=True),
        "goods": f.count("jumlah_barang", null_is_zero=True),
        # The real system writes "-" for "no regulation".
        "regulation_kind": "" if regulation.strip() == "-" else regulation,
        "regulation_date": f.optional_day("tanggal_terbit"),
        "external_attachments": f.optional_text("attachment"),
    }


def _publicity(f: _Fields) -> dict[str, Any]:
    day = f.day("tanggal")
    return {
        # A publication dated 1 January has no known date (see _is_new_year); its model says so with no date.
        "date": None if _is_new_year(day) else day,
        "title": f.text("judul"),
        "media_kind": f.text("jenis_publikasi"),
        "media_name": f.text("nama_media"),
        "link": f.optional_text("link"),
    }


def _information_service(f: _Fields) -> dict[str, Any]:
    month = _MONTHS.get(fold(f.text("bulan")))
    if month is None:
        raise f.error(_("kolom 'bulan' bukan nama bulan: %(value)r") % {"value": f.record["bulan"]})
    year = f.count("tahun")
    if not 2000 <= year <= 2100:
        raise f.error(_("kolom 'tahun' bukan tahun: %(value)r") % {"value": f.record["tahun"]})
    return {
        "year": year,
        "month": month,
        "books": f.count("jumlah_buku"),
        "digital_books": f.count("jumlah_buku_digital"),
        "computers": f.count("jumlah_komputer"),
        "bandwidth": f.number_value("bandwidth", max_digits=8, places=2),
    }


def _visitors(f: _Fields) -> dict[str, Any]:
    period = f.text("periode")
    parts = fold(period).split()
    month = _MONTHS.get(parts[0]) if len(parts) == 2 else None
    year = _as_int(parts[1]) if len(parts) == 2 else None
    if month is None or year is None or not 2000 <= year <= 2100:
        raise f.error(_("kolom 'periode' bukan bulan dan tahun (mis. 'Jan 2026'): %(value)r") % {"value": period})
    return {
        "year": year,
        "month": month,
        "male": f.count("pengunjung_laki"),
        "female": f.count("pengunjung_perempuan"),
        "total": f.count("total_pengunjung"),
    }


def _replication(f: _Fields) -> dict[str, Any]:
    return {
        "funds": f.count("dana"),
        "funding_source": f.text("sumber_dana"),
        "villages": f.count("jumlah_desa"),
    }


_PARSERS: dict[str, Callable[[_Fields], dict[str, Any]]] = {
    "pelibatan": _engagement,
    "advokasi": _advocacy,
    "publikasi": _publicity,
    "peningkatan": _information_service,
    "pengunjung": _visitors,
    "replikasi": _replication,
}


def _is_new_year(day: dt.date) -> bool:
    # The real system ignores activities dated exactly 1 January: most likely an empty date that its
    # API fills with the start of the period, so the true date is unknown.
    return day.month == 1 and day.day == 1


def _fingerprint(record: dict[str, Any]) -> str:
    content = {k: v for k, v in record.items() if k != "is_verified"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_lengths(f: _Fields, model: type[models.Model], values: dict[str, Any]) -> None:
    for name, value in values.items():
        model_field = model._meta.get_field(name)
        limit = getattr(model_field, "max_length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            raise f.error(
                _("%(field)s lebih dari %(n)s karakter")
                % {"field": getattr(model_field, "verbose_name", name), "n": limit}
            )


def _load(path: Path) -> list[Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise SimImportError(_("tidak dapat dibaca: %(error)s") % {"error": error}, file=path.name) from error
    except UnicodeDecodeError as error:
        raise SimImportError(_("bukan teks UTF-8"), file=path.name) from error
    except json.JSONDecodeError as error:
        raise SimImportError(
            _("bukan JSON yang sah (baris %(line)s, kolom %(col)s)") % {"line": error.lineno, "col": error.colno},
            file=path.name,
        ) from error
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise SimImportError(_("tidak berisi daftar 'data'"), file=path.name)
    return document["data"]


def _records(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    for number, record in enumerate(_load(path), start=1):
        if not isinstance(record, dict):
            raise SimImportError(_("bukan objek JSON"), file=path.name, number=number)
        yield number, record


class _RegionCheck:
    """Every row names its kabupaten and province; a row of another kabupaten stops the import."""

    def __init__(self, regency: Region, province: Region, oddities: list[str]) -> None:
        self.regency = regency
        self.province = province
        self.oddities = oddities
        self.seen_provinces: set[str] = set()

    def check(self, f: _Fields, *, regency_field: str, province_field: str) -> None:
        written = f.text(regency_field)
        if not _regency_name_matches(written, self.regency):
            raise f.error(
                _("%(field)s '%(written)s' bukan %(regency)s (kode %(code)s dari nama berkas)")
                % {
                    "field": regency_field,
                    "written": written,
                    "regency": self.regency.short_name,
                    "code": self.regency.undotted_code,
                }
            )
        province = f.text(province_field)
        if _key(province) != _key(self.province.name) and province not in self.seen_provinces:
            # Province names have many spellings (DKI, DIY); the kabupaten code already decides.
            self.seen_provinces.add(province)
            self.oddities.append(
                _("provinsi tertulis '%(written)s', wilayah %(code)s adalah %(name)s")
                % {"written": province, "code": self.province.code, "name": self.province.name}
            )


def _folder_files(folder: Path) -> tuple[str, dict[str, Path]]:
    if not folder.is_dir():
        raise SimImportError(_("Folder %(path)s tidak ada.") % {"path": folder})
    files: dict[str, Path] = {}
    codes: set[str] = set()
    for path in sorted(folder.iterdir()):
        match = _FILE_NAME.match(path.name)
        if match:
            files[match.group(1)] = path
            codes.add(match.group(2))
    if not files:
        raise SimImportError(_("Folder %(path)s tidak berisi berkas SIM (mis. pelibatan3513.json).") % {"path": folder})
    if len(codes) > 1:
        raise SimImportError(
            _("Berkas di folder ini untuk lebih dari satu kabupaten/kota: %(codes)s")
            % {"codes": ", ".join(sorted(codes))}
        )
    return codes.pop(), files


def _regency_for(code: str) -> Region:
    dotted = normalize_code(code)
    regency = Region.objects.filter(code=dotted, level=Level.REGENCY).first() if dotted else None
    if regency is None:
        raise SimImportError(_("Kode kabupaten/kota %(code)s tidak dikenal.") % {"code": code})
    return regency


def sim_folder_read(*, folder: Path, as_of: dt.date | None = None) -> SimFolder:
    """Read and validate every file of the folder; raises SimImportError on the first bad record."""
    code, files = _folder_files(folder)
    regency = _regency_for(code)
    province = Region.objects.get(code=regency.province_code)
    oddities: list[str] = []
    regions = _RegionCheck(regency, province, oddities)
    rows: dict[str, list[SimRow]] = {}
    for record_type in RECORD_TYPES:
        if record_type in files:
            rows[record_type] = _read_rows(record_type, files[record_type], regions)
    iku = _read_iku(files[IKU], regions) if IKU in files else None
    input_dates = [r.input_date for typed in rows.values() for r in typed if r.input_date is not None]
    last_input = max(input_dates, default=None)
    if as_of is None:
        folder_date = _FOLDER_DATE.search(folder.resolve().name)
        as_of = _as_date(folder_date.group(1)) if folder_date else None
    as_of = as_of or last_input
    if as_of is None:
        raise SimImportError(_("Tanggal data tidak diketahui: beri --as-of TTTT-BB-HH (folder tanpa tanggal input)."))
    last_input = last_input or as_of
    for row in rows.get("pengunjung", []):
        row.input_date = _visitors_input_date(row, as_of)
    return SimFolder(
        path=folder,
        regency=regency,
        rows=rows,
        iku=iku,
        iku_file=files[IKU].name if IKU in files else "",
        as_of=as_of,
        last_input=last_input,
        oddities=oddities,
    )


def _visitors_input_date(row: SimRow, as_of: dt.date) -> dt.date:
    # The real API gives visitors no input date; the month's last day (never after the folder's
    # day) keeps the row inside the period it was reported for.
    year, month = row.values["year"], row.values["month"]
    return min(dt.date(year, month, calendar.monthrange(year, month)[1]), as_of)


def _read_rows(record_type: str, path: Path, regions: _RegionCheck) -> list[SimRow]:
    model = _MODELS[record_type]
    parse = _PARSERS[record_type]
    occurrences: Counter[str] = Counter()
    rows: list[SimRow] = []
    for number, record in _records(path):
        f = _Fields(record, file=path.name, number=number)
        if record_type == "replikasi":
            regions.check(f, regency_field="kabupaten_name", province_field="provinsi_nama")
            library = None
        else:
            regions.check(f, regency_field="kabupaten_name", province_field="provinsi_name")
            name = f.text("perpus_nama", max_length=_LIBRARY_NAME_LENGTH)
            library = LibraryRef(name, f.text("kecamatan_name"), f.text("desa_name"))
        values = parse(f)
        _check_lengths(f, model, values)
        input_date = f.day("tanggal_input") if record_type != "pengunjung" else None
        if record_type == "replikasi" and input_date is not None:
            values["year"] = input_date.year
        status, unverified_missing = _status(f)
        fingerprint = _fingerprint(record)
        occurrences[fingerprint] += 1
        rows.append(
            SimRow(
                record_type=record_type,
                file=path.name,
                number=number,
                key=f"{fingerprint}#{occurrences[fingerprint]}",
                library=library,
                status=status,
                input_date=input_date,
                values=values,
                unverified_field_missing=unverified_missing,
            )
        )
    return rows


def _read_iku(path: Path, regions: _RegionCheck) -> list[IkuRow]:
    rows: list[IkuRow] = []
    for number, record in _records(path):
        f = _Fields(record, file=path.name, number=number)
        regions.check(f, regency_field="kabupaten_kota", province_field="provinsi")
        raw_score = f.raw("skor")
        score: Decimal | None = None
        if not (isinstance(raw_score, str) and raw_score.strip() in ("-", "")):
            # Only a comparison figure: a longer fraction is rounded, not refused.
            score = f.number_value("skor", max_digits=6, places=2, rounded=True)
        name = f.text("nama_perpustakaan", max_length=_LIBRARY_NAME_LENGTH)
        rows.append(IkuRow(number, name, f.text("desa_kelurahan"), score))
    return rows


# --- matching libraries --------------------------------------------------------------------------


class _Directory:
    """The kabupaten's kecamatan, villages and partner libraries, indexed by name, with planned additions."""

    def __init__(self, *, regency: Region, cohort_year: int) -> None:
        self.regency = regency
        self.cohort_year = cohort_year
        self.districts: dict[str, list[Region]] = defaultdict(list)
        self.villages: dict[str, list[Region]] = defaultdict(list)
        self.regions: dict[str, Region] = {regency.code: regency}
        for region in Region.objects.filter(code__startswith=regency.code + ".").order_by("code"):
            self.regions[region.code] = region
            index = self.districts if region.level == Level.DISTRICT else self.villages
            index[region.search_name.replace(" ", "")].append(region)
        self.libraries: dict[tuple[str, str], list[Library]] = defaultdict(list)
        self.all_libraries: list[Library] = list(Library.objects.filter(regency=regency).order_by("pk"))
        for library in self.all_libraries:
            self.libraries[(_key(library.name), library.region_id)].append(library)
        self.created: list[Library] = []
        self.iku_rows: list[IkuRow] = []
        self.oddities: list[str] = []
        self._reported_ambiguous: set[str] = set()

    def district_name(self, code: str) -> str:
        return self.regions[code[:8]].name

    def create(self, *, name: str, kind: str, region: Region) -> Library:
        library = Library(
            name=name,
            kind=kind,
            region=region,
            support=Support.FULL,
            cohort_year=self.cohort_year,
        )
        library.sync_region_columns()
        self.libraries[(_key(name), region.code)].append(library)
        self.all_libraries.append(library)
        self.created.append(library)
        return library

    def regency_library(self, name: str, occurrence: int) -> Library:
        same_name = self.libraries[(_key(name), self.regency.code)]
        if len(same_name) >= occurrence:
            return same_name[occurrence - 1]
        at_regency = [lib for lib in self.all_libraries if lib.region_id == self.regency.code]
        if occurrence == 1 and len(at_regency) == 1:
            # A kabupaten has one kabupaten library; its registered name may differ from the SIM's.
            self.oddities.append(
                _("perpustakaan kabupaten '%(sim)s' dicocokkan dengan '%(ours)s'")
                % {"sim": name, "ours": at_regency[0].name}
            )
            return at_regency[0]
        return self.create(name=name, kind=LibraryKind.REGENCY, region=self.regency)

    def village_for_ref(self, ref: LibraryRef) -> Region | None:
        districts = self.districts.get(_key(ref.district), [])
        if len(districts) != 1:
            return None
        prefix = districts[0].code + "."
        villages = [v for v in self.villages.get(_key(ref.village), []) if v.code.startswith(prefix)]
        if len(villages) != 1:
            return None
        everywhere = self.villages[_key(ref.village)]
        if len(everywhere) > 1 and _key(ref.village) not in self._reported_ambiguous:
            self._reported_ambiguous.add(_key(ref.village))
            self.oddities.append(
                _("desa %(village)s ada di %(n)s kecamatan (%(districts)s); kecamatan menentukan")
                % {
                    "village": ref.village,
                    "n": len(everywhere),
                    "districts": ", ".join(self.district_name(v.code) for v in everywhere),
                }
            )
        return villages[0]

    def for_ref(self, ref: LibraryRef, *, file: str, number: int) -> Library:
        if ref.is_regency:
            return self.regency_library(ref.name, 1)
        village = self.village_for_ref(ref)
        if village is None:
            # A village spelt differently from Kemendagri's list: a partner already registered under
            # that name in the kabupaten (one only) still tells where the library is.
            same_name = [lib for lib in self.all_libraries if _key(lib.name) == _key(ref.name)]
            if len(same_name) == 1:
                return same_name[0]
            raise SimImportError(
                _("kecamatan '%(district)s' dengan desa '%(village)s' tidak ditemukan di %(regency)s")
                % {"village": ref.village, "district": ref.district, "regency": self.regency.short_name},
                file=file,
                number=number,
            )
        same = self.libraries[(_key(ref.name), village.code)]
        if same:
            return same[0]
        return self.create(name=ref.name, kind=LibraryKind.VILLAGE, region=village)

    def for_iku(self, row: IkuRow, *, occurrence: int, referenced: set[int], file: str) -> Library:
        if row.is_regency:
            return self.regency_library(row.name, occurrence)
        candidates = self.villages.get(_key(row.village), [])
        # Libraries that this folder's records point at come first: they settle which of two
        # same-named villages is meant.
        found = sorted(
            (lib for v in candidates for lib in self.libraries[(_key(row.name), v.code)]),
            key=lambda lib: id(lib) not in referenced,
        )
        if len(found) >= occurrence:
            return found[occurrence - 1]
        if not candidates:
            same_name = [lib for lib in self.all_libraries if _key(lib.name) == _key(row.name)]
            if len(same_name) == 1 and occurrence == 1:
                return same_name[0]
            raise SimImportError(
                _("desa '%(village)s' tidak ditemukan di %(regency)s")
                % {"village": row.village, "regency": self.regency.short_name},
                file=file,
                number=row.number,
            )
        if len(candidates) > 1:
            self.oddities.append(
                _(
                    "iku: desa %(village)s ada di %(n)s kecamatan (%(districts)s); '%(library)s' dipasang di "
                    "Kec. %(chosen)s, periksa"
                )
                % {
                    "village": row.village,
                    "n": len(candidates),
                    "districts": ", ".join(self.district_name(v.code) for v in candidates),
                    "library": row.name,
                    "chosen": self.district_name(candidates[0].code),
                }
            )
        return self.create(name=row.name, kind=LibraryKind.VILLAGE, region=candidates[0])


@dataclass
class _Matches:
    by_ref: dict[LibraryRef, Library]
    by_iku: list[Library]
    directory: _Directory

    def folder_libraries(self) -> list[Library]:
        unique: dict[int, Library] = {}
        for library in [*self.by_ref.values(), *self.by_iku]:
            unique.setdefault(id(library), library)
        return list(unique.values())


def _match_libraries(folder: SimFolder) -> _Matches:
    directory = _Directory(regency=folder.regency, cohort_year=folder.as_of.year)
    by_ref: dict[LibraryRef, Library] = {}
    for typed in folder.rows.values():
        for row in typed:
            if row.library is not None and row.library not in by_ref:
                by_ref[row.library] = directory.for_ref(row.library, file=row.file, number=row.number)
    referenced = {id(lib) for lib in by_ref.values()}
    by_iku: list[Library] = []
    occurrences: Counter[tuple[str, str]] = Counter()
    for iku_row in folder.iku or []:
        pair = (_key(iku_row.name), "-" if iku_row.is_regency else _key(iku_row.village))
        occurrences[pair] += 1
        if occurrences[pair] == 2:
            # The real SIM listed a library twice (one with a score, one without): two entries there,
            # so two here; the spare leaves the list later and is then deactivated.
            directory.oddities.append(
                _("iku: '%(name)s' (%(village)s) tercantum lebih dari sekali; tiap baris disimpan sendiri")
                % {"name": iku_row.name, "village": iku_row.village}
            )
        occurrence = occurrences[pair]
        library = directory.for_iku(iku_row, occurrence=occurrence, referenced=referenced, file=folder.iku_file)
        directory.iku_rows.append(iku_row)
        if any(library is other for other in by_iku):
            # Only reachable through the match by name alone; one library cannot hold two scores a day.
            raise SimImportError(
                _("perpustakaan '%(name)s' sudah dicocokkan dengan baris iku lain") % {"name": iku_row.name},
                file=folder.iku_file,
                number=iku_row.number,
            )
        by_iku.append(library)
    if folder.iku is not None:
        in_iku = {id(lib) for lib in by_iku}
        missing = [lib for lib in by_ref.values() if id(lib) not in in_iku]
        if missing:
            directory.oddities.append(
                _("%(n)s perpustakaan punya laporan tetapi tidak ada di daftar iku: %(names)s")
                % {"n": len(missing), "names": ", ".join(lib.name for lib in missing)}
            )
    return _Matches(by_ref=by_ref, by_iku=by_iku, directory=directory)


# --- writing -------------------------------------------------------------------------------------


@dataclass
class SimImportResult:
    """What an import found and changed, as the summary lines the command prints."""

    sim_import: SimImport
    counts: dict[str, int]
    created: Counter[str] = field(default_factory=Counter)
    withdrawn: Counter[str] = field(default_factory=Counter)
    status_changed: Counter[str] = field(default_factory=Counter)
    restored: Counter[str] = field(default_factory=Counter)
    libraries_created: int = 0
    libraries_deactivated: list[str] = field(default_factory=list)
    libraries_reactivated: list[str] = field(default_factory=list)
    oddities: list[str] = field(default_factory=list)
    date_unknown: dict[str, Counter[str]] = field(default_factory=dict)  # library name → type → rows

    def lines(self) -> list[str]:
        lines = [", ".join(f"{name} {n}" for name, n in self.counts.items())]
        changes = [
            _("baru: %(n)s") % {"n": self.created.total()},
            _("ditarik: %(n)s") % {"n": self.withdrawn.total()},
            _("status berubah: %(n)s") % {"n": self.status_changed.total()},
        ]
        if self.restored.total():
            changes.append(_("muncul lagi: %(n)s") % {"n": self.restored.total()})
        if self.libraries_created:
            changes.append(_("perpustakaan baru: %(n)s") % {"n": self.libraries_created})
        if self.libraries_deactivated:
            changes.append(_("perpustakaan dinonaktifkan: %(n)s") % {"n": len(self.libraries_deactivated)})
        if self.libraries_reactivated:
            changes.append(_("perpustakaan diaktifkan kembali: %(n)s") % {"n": len(self.libraries_reactivated)})
        lines.append(", ".join(changes))
        lines += self.oddities
        if self.date_unknown:
            lines.append(_("bertanggal 1 Januari, untuk diperbaiki oleh perpustakaan:"))
        for name, counts in sorted(self.date_unknown.items()):
            lines.append(f"  - {name}: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "created": dict(self.created),
            "withdrawn": dict(self.withdrawn),
            "status_changed": dict(self.status_changed),
            "restored": dict(self.restored),
            "libraries_created": self.libraries_created,
            "libraries_deactivated": self.libraries_deactivated,
            "libraries_reactivated": self.libraries_reactivated,
            "oddities": self.oddities,
            "date_unknown": {name: dict(c) for name, c in self.date_unknown.items()},
        }


def _oddities(folder: SimFolder) -> tuple[list[str], dict[str, Counter[str]]]:
    """The data's known quirks, counted per type; every row is kept, none is dropped."""
    lines: list[str] = []
    date_unknown: dict[str, Counter[str]] = defaultdict(Counter)
    for record_type, rows in folder.rows.items():
        duplicates = sum(1 for r in rows if not r.key.endswith("#1"))
        if duplicates:
            lines.append(
                _("%(type)s: %(n)s baris identik dengan baris lain (disimpan semua)")
                % {"type": record_type, "n": duplicates}
            )
        if record_type in ("peningkatan", "pengunjung"):
            lines += _monthly_oddities(record_type, rows, folder.as_of)
        missing = sum(1 for r in rows if r.unverified_field_missing)
        if missing:
            lines.append(
                _("%(type)s: %(n)s baris tanpa status verifikasi (dianggap terverifikasi)")
                % {"type": record_type, "n": missing}
            )
        unknown = [r for r in rows if r.values.get("date_unknown")]
        if unknown:
            lines.append(
                _("%(type)s: %(n)s baris bertanggal 1 Januari ditandai tanggal tidak diketahui")
                % {"type": record_type, "n": len(unknown)}
            )
            for row in unknown:
                assert row.library is not None
                date_unknown[row.library.name][record_type] += 1
        outside = [
            r for r in rows if r.input_date is not None and not folder.period_start <= r.input_date <= folder.as_of
        ]
        if outside:
            lines.append(
                _("%(type)s: %(n)s baris dengan tanggal input di luar periode %(start)s s.d. %(end)s")
                % {"type": record_type, "n": len(outside), "start": folder.period_start, "end": folder.as_of}
            )
    return lines, dict(date_unknown)


def _monthly_oddities(record_type: str, rows: Sequence[SimRow], as_of: dt.date) -> list[str]:
    lines: list[str] = []
    per_month = Counter((r.library, r.values["year"], r.values["month"]) for r in rows)
    extra = sum(n - 1 for n in per_month.values() if n > 1)
    if extra:
        lines.append(
            _("%(type)s: %(n)s laporan ganda untuk perpustakaan+bulan yang sama (disimpan semua)")
            % {"type": record_type, "n": extra}
        )
    future = [r for r in rows if (r.values["year"], r.values["month"]) > (as_of.year, as_of.month)]
    if future:
        months = sorted({(r.values["year"], r.values["month"]) for r in future})
        lines.append(
            _("%(type)s: %(n)s laporan untuk bulan di masa depan (%(months)s)")
            % {
                "type": record_type,
                "n": len(future),
                "months": ", ".join(f"{MONTH_NAMES[m]} {y}" for y, m in months),
            }
        )
    return lines


def _audit_status(
    records: Sequence[Any], *, action: str, before: dict[int, str], user: User | None, comment: str
) -> None:
    if not records:
        return
    content_type = ContentType.objects.get_for_model(records[0])
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                content_type=content_type,
                object_id=r.pk,
                action=action,
                user=user,
                changes={"status": [before[r.pk], r.status]},
                comment=comment,
            )
            for r in records
        ],
        batch_size=500,
    )


def _existing(record_type: str, rows: Sequence[SimRow], folder: SimFolder) -> models.QuerySet[Any]:
    """Imported records of the kabupaten in the period, and those of rows input before it (kept, reported)."""
    model = _MODELS[record_type]
    scope = Q(region=folder.regency) if record_type == "replikasi" else Q(library__regency=folder.regency)
    early_keys = [r.key for r in rows if r.input_date is not None and r.input_date < folder.period_start]
    period = Q(input_date__gte=folder.period_start) | Q(import_key__in=early_keys)
    return model._default_manager.filter(scope, period, origin=Origin.SIM_IMPORT).only(
        "pk", "import_key", "status", "input_date", "verified_by", "verified_at", "updated_at"
    )


def _new_status(current: str, wanted: str, verified_by_id: int | None) -> str | None:
    """The status an imported record moves to, or None. A verification made here by a person stands."""
    if current == wanted:
        return None
    if wanted == Status.VERIFIED or current == Status.WITHDRAWN:
        return wanted
    if current == Status.VERIFIED and verified_by_id is None:
        return wanted
    return None


def _sync_type(
    record_type: str,
    rows: Sequence[SimRow],
    folder: SimFolder,
    matches: _Matches,
    result: SimImportResult,
    user: User | None,
) -> None:
    model = _MODELS[record_type]
    existing: dict[str, Any] = {}
    for record in _existing(record_type, rows, folder):
        existing.setdefault(record.import_key, record)
    now = timezone.now()
    to_create: list[Any] = []
    changed: dict[str, list[Any]] = defaultdict(list)  # audit action → records
    before: dict[int, str] = {}
    for row in rows:
        record = existing.pop(row.key, None)
        if record is None:
            owner: dict[str, Any] = (
                {"region": folder.regency} if row.library is None else {"library": matches.by_ref[row.library]}
            )
            to_create.append(
                model(
                    **owner,
                    **row.values,
                    status=row.status,
                    input_date=row.input_date,
                    origin=Origin.SIM_IMPORT,
                    import_key=row.key,
                )
            )
            continue
        new_status = _new_status(record.status, row.status, record.verified_by_id)
        if new_status is None:
            continue
        before[record.pk] = record.status
        if record.status == Status.WITHDRAWN:
            action = AuditAction.IMPORT
        else:
            action = AuditAction.VERIFY if new_status == Status.VERIFIED else AuditAction.UPDATE
        record.status = new_status
        record.updated_at = now
        if new_status == Status.VERIFIED:
            record.verified_at = now
        changed[action].append(record)
    withdrawn = [
        r
        for r in existing.values()
        if r.status != Status.WITHDRAWN and folder.period_start <= r.input_date <= folder.as_of
    ]
    for record in withdrawn:
        before[record.pk] = record.status
        record.status = Status.WITHDRAWN
        record.updated_at = now
    updated = [*changed[AuditAction.VERIFY], *changed[AuditAction.UPDATE], *changed[AuditAction.IMPORT], *withdrawn]
    model._default_manager.bulk_update(updated, ["status", "updated_at", "verified_at"], batch_size=500)
    model._default_manager.bulk_create(to_create, batch_size=500)
    audit_log_many(records=to_create, action=AuditAction.IMPORT, user=user, comment=IMPORT_COMMENT)
    verified, unverified, restored = (changed[a] for a in (AuditAction.VERIFY, AuditAction.UPDATE, AuditAction.IMPORT))
    _audit_status(verified, action=AuditAction.VERIFY, before=before, user=user, comment=IMPORT_COMMENT)
    _audit_status(unverified, action=AuditAction.UPDATE, before=before, user=user, comment=IMPORT_COMMENT)
    _audit_status(restored, action=AuditAction.IMPORT, before=before, user=user, comment=REAPPEAR_COMMENT)
    _audit_status(withdrawn, action=AuditAction.WITHDRAW, before=before, user=user, comment=WITHDRAW_COMMENT)
    result.created[record_type] = len(to_create)
    result.status_changed[record_type] = len(verified) + len(unverified)
    result.restored[record_type] = len(changed[AuditAction.IMPORT])
    result.withdrawn[record_type] = len(withdrawn)


def _with_import_history(regency: Region) -> models.QuerySet[Library]:
    """Libraries of the kabupaten that an import brought or fed: only those may an import (de)activate."""
    history: Any = Exists(SimScore.objects.filter(library=OuterRef("pk")))
    for model in _LIBRARY_RECORD_MODELS:
        history = history | Exists(model._default_manager.filter(library=OuterRef("pk"), origin=Origin.SIM_IMPORT))
    return Library.objects.filter(history, regency=regency)


def _spellings(matches: _Matches) -> list[tuple[Library, dict[str, str]]]:
    """Each library's name and village as this folder writes them, by the real API's field names."""
    written: dict[int, tuple[Library, dict[str, str]]] = {}
    for ref, library in matches.by_ref.items():
        names = written.setdefault(id(library), (library, {}))[1]
        names.update(perpus_nama=ref.name, kecamatan_name=ref.district, desa_name=ref.village)
    for row, library in zip(matches.directory.iku_rows, matches.by_iku, strict=True):
        names = written.setdefault(id(library), (library, {}))[1]
        names.update(nama_perpustakaan=row.name, desa_kelurahan=row.village)
    return list(written.values())


def _sync_spellings(matches: _Matches) -> None:
    changed = []
    for library, names in _spellings(matches):
        merged = {**(library.sim_names or {}), **names}
        if merged != library.sim_names:
            library.sim_names = merged
            changed.append(library)
    Library.objects.bulk_update([lib for lib in changed if lib.pk], ["sim_names"], batch_size=500)


def _sync_libraries(folder: SimFolder, matches: _Matches, result: SimImportResult) -> None:
    directory = matches.directory
    _sync_spellings(matches)
    Library.objects.bulk_create(directory.created, batch_size=500)
    result.libraries_created = len(directory.created)
    if folder.iku is None:
        return
    in_folder = matches.folder_libraries()
    kept = [lib.pk for lib in in_folder]
    inactive = [lib.pk for lib in in_folder if not lib.is_active]
    history = _with_import_history(folder.regency)
    reactivate = list(history.filter(pk__in=inactive).order_by("name"))
    deactivate = list(history.filter(is_active=True).exclude(pk__in=kept).order_by("name"))
    Library.objects.filter(pk__in=[lib.pk for lib in reactivate]).update(is_active=True, updated_at=timezone.now())
    Library.objects.filter(pk__in=[lib.pk for lib in deactivate]).update(is_active=False, updated_at=timezone.now())
    result.libraries_reactivated = [lib.name for lib in reactivate]
    result.libraries_deactivated = [lib.name for lib in deactivate]
    still_inactive = len(inactive) - len(reactivate)
    if still_inactive:
        result.oddities.append(
            _("%(n)s perpustakaan nonaktif di sistem ini tetapi ada di SIM lama (dibiarkan nonaktif)")
            % {"n": still_inactive}
        )


def _sync_scores(folder: SimFolder, matches: _Matches, sim_import: SimImport) -> None:
    if folder.iku is None:
        return
    score_for = {lib.pk: row.score for row, lib in zip(folder.iku, matches.by_iku, strict=True)}
    SimScore.objects.filter(library__regency=folder.regency, as_of=folder.as_of).exclude(
        library__in=list(score_for)
    ).delete()
    existing = {s.library_id: s for s in SimScore.objects.filter(library__in=list(score_for), as_of=folder.as_of)}
    for score in existing.values():
        score.score = score_for[score.library_id]
        score.sim_import = sim_import
    SimScore.objects.bulk_update(list(existing.values()), ["score", "sim_import"], batch_size=500)
    SimScore.objects.bulk_create(
        [
            SimScore(library_id=pk, as_of=folder.as_of, score=score, sim_import=sim_import)
            for pk, score in score_for.items()
            if pk not in existing
        ],
        batch_size=500,
    )


def _check_not_older(folder: SimFolder) -> None:
    """Refuse a folder taken before the last one imported: it would withdraw what later folders brought.

    Compared on the folder's day, not its last input date, which can go back when the real
    system deletes the latest record.
    """
    earlier = SimImport.objects.filter(region=folder.regency, period_start=folder.period_start)
    days = [_as_date(s.get("as_of")) or period_end for s, period_end in earlier.values_list("summary", "period_end")]
    latest = max(days, default=None)
    if latest is not None and folder.as_of < latest:
        raise SimImportError(
            _("Folder ini berisi data per %(this)s, lebih lama daripada impor terakhir %(regency)s (%(latest)s).")
            % {"this": folder.as_of, "regency": folder.regency.short_name, "latest": latest}
        )


def sim_import_folder(*, folder: Path, as_of: dt.date | None = None, user: User | None = None) -> SimImportResult:
    """Import one folder of the real SIM's responses; all or nothing. Raises SimImportError on bad input."""
    sim_folder = sim_folder_read(folder=folder, as_of=as_of)
    _check_not_older(sim_folder)
    matches = _match_libraries(sim_folder)
    oddities, date_unknown = _oddities(sim_folder)
    counts = {t: len(rows) for t, rows in sim_folder.rows.items()}
    counts["perpustakaan"] = len(matches.folder_libraries())
    with transaction.atomic():
        sim_import = SimImport(
            region=sim_folder.regency,
            period_start=sim_folder.period_start,
            period_end=sim_folder.last_input,
            source=str(folder.resolve())[:500],
            imported_by=user,
        )
        result = SimImportResult(
            sim_import=sim_import,
            counts=counts,
            oddities=[*sim_folder.oddities, *oddities, *matches.directory.oddities],
            date_unknown=date_unknown,
        )
        _sync_libraries(sim_folder, matches, result)
        for record_type, rows in sim_folder.rows.items():
            _sync_type(record_type, rows, sim_folder, matches, result, user)
        sim_import.summary = {"as_of": sim_folder.as_of.isoformat(), **result.as_json()}
        sim_import.save()
        _sync_scores(sim_folder, matches, sim_import)
        library_ids = set(Library.objects.filter(regency=sim_folder.regency).values_list("pk", flat=True))
        records_changed.send(sender=SimImport, library_ids=library_ids)
    return result
