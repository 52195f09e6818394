"""Spreadsheet entry of records (*impor laporan*): activities, advocacy, publicity and monthly visitors
collected on paper at meetings, typed into a CSV or XLSX template whose columns carry the real SIM's field
names, and entered in one go.

Every row passes the checks an entry form's record passes (the vocabularies the form offers and
`record_validate` of the services); one bad row means nothing is saved. Each created record carries a row
fingerprint in `import_key` ("tbl:" + SHA-256 of the type, the library and the row's values, then the
occurrence of that same row in the file), so importing the same file again creates nothing. Monthly
visitors are also keyed by their natural key (library, month): a month already reported with the same
figures is unchanged, with other figures it is a row error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.audit.models import AuditAction as SharedAuditAction
from tpbis.audit.services import audit_change_many
from tpbis.core.tabular import ImportReport, Row, RowError, Table, TabularError, import_run, table_read
from tpbis.core.text import fold
from tpbis.libraries.models import Library
from tpbis.regions.codes import normalize_code
from tpbis.reports.audit import audit_log_many
from tpbis.reports.forms import MONTHS, vocabulary
from tpbis.reports.models import (
    AuditAction,
    Status,
    Visitors,
)
from tpbis.reports.record_import_types import IMPORT_TYPES, ImportType, RowCells
from tpbis.reports.rules import titles_similar
from tpbis.reports.services import record_validate
from tpbis.reports.signals import record_months, records_changed

logger = logging.getLogger(__name__)

KEY_PREFIX = "tbl:"
_BATCH = 500
# Hints at another type's template are looked for only in files this small (the error path reads them again).
_HINT_MAX_BYTES = 2 * 1024 * 1024


# --- the registry of extra row checks ----------------------------------------------------------


@dataclass(frozen=True)
class ImportedRow:
    """A row about to become a record: its line in the file and the unsaved record (library attached)."""

    line: int
    record: Any


RecordImportCheck = Callable[[type[Any], Sequence[ImportedRow]], Iterable[RowError]]
_CHECKS: list[RecordImportCheck] = []


def record_import_check_register(check: RecordImportCheck) -> None:
    """Add a check run on every import's new rows; it returns warnings (line, column, message) to confirm.

    Apps above reports (the outlier scan of `quality`) register from their AppConfig.ready(), so this
    module never imports them. A column is one of the template's (see `record_import_column`).
    """
    if check not in _CHECKS:
        _CHECKS.append(check)


def record_import_check_unregister(check: RecordImportCheck) -> None:
    if check in _CHECKS:
        _CHECKS.remove(check)


def record_import_column(model: type[Any], field_name: str) -> str:
    """The template column that fills a model field ("participants" -> "jumlah_peserta")."""
    for spec in IMPORT_TYPES.values():
        if spec.model is model:
            return spec.column_for(field_name)
    return field_name


# --- the import ------------------------------------------------------------------------------


@dataclass
class _Draft:
    line: int
    values: dict[str, Any]
    npp: str
    name: str
    code: str
    valid: bool
    library: Library | None = None
    record: Any = None
    key: str = ""


@dataclass
class RecordImportResult:
    """What an import did or would do: the shared report, the warnings to confirm, and per-library counts."""

    record_type: str
    report: ImportReport
    warnings: list[RowError] = field(default_factory=list)
    # Warnings were found and not accepted: nothing was saved although every row is valid.
    needs_confirmation: bool = False
    by_library: dict[int, int] = field(default_factory=dict)

    @property
    def applied(self) -> bool:
        return self.report.applied and not self.needs_confirmation

    def sorted_warnings(self) -> list[RowError]:
        return sorted(self.warnings, key=lambda e: (e.line or 0, e.column))


@dataclass
class _Plan:
    creates: list[_Draft] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


def record_import(
    *,
    record_type: str,
    content: bytes,
    filename: str,
    scope: Scope,
    actor: User | None,
    dry_run: bool,
    accept_warnings: bool = False,
) -> RecordImportResult:
    """Check every row of the file, then (unless `dry_run`, a bad row, or warnings not accepted) create
    all its new records in one transaction, audited as `actor`'s import.

    Rows are refused for libraries outside the facilitator's kabupaten (or province, or nation).
    """
    spec = IMPORT_TYPES[record_type]
    result = RecordImportResult(record_type=record_type, report=ImportReport(dry_run=dry_run))

    def plan(table: Table, report: ImportReport) -> _Plan:
        planned = _plan(spec, table, scope, report, lock=not dry_run)
        result.warnings = planned.warnings
        return planned

    def apply(planned: _Plan) -> None:
        if planned.warnings and not accept_warnings:
            result.needs_confirmation = True
            return
        result.by_library = _apply(spec, planned, actor=actor, filename=filename)

    result.report = import_run(
        content=content,
        filename=filename,
        required=spec.required,
        dry_run=dry_run,
        check=_check_library_columns,
        plan=plan,
        apply=apply,
        conflict_message=_("Data berubah selama impor. Tidak ada yang disimpan; coba lagi."),
    )
    if not result.report.ok and all(e.line is None or not e.column for e in result.report.errors):
        hint = _other_type_hint(spec, content, filename)
        if hint:
            result.report.errors.append(RowError(None, "", hint))
    return result


def _check_library_columns(table: Table) -> None:
    if "npp" not in table.headers and not {"nama_perpustakaan", "kode_desa"} <= set(table.headers):
        raise TabularError([RowError(1, "npp", _("Kolom npp, atau kolom nama_perpustakaan dan kode_desa, tidak ada."))])


def _other_type_hint(spec: ImportType, content: bytes, filename: str) -> str:
    """When the file is another type's template, say which, so the person picks the right type."""
    if len(content) > _HINT_MAX_BYTES:
        return ""
    for other in IMPORT_TYPES.values():
        if other is spec:
            continue
        try:
            table_read(content=content, filename=filename, required=other.required)
        except TabularError:
            continue
        return _(
            "Berkas ini berisi kolom templat %(other)s, bukan %(this)s. Pilih jenis %(other)s, "
            "atau unduh templat %(this)s."
        ) % {"other": other.label, "this": spec.label}
    return ""


def _plan(spec: ImportType, table: Table, scope: Scope, report: ImportReport, *, lock: bool) -> _Plan:
    errors = report.errors
    if not table.rows:
        errors.append(RowError(None, "", _("Berkas tidak berisi baris data di bawah judul kolom.")))
        return _Plan()
    vocabularies = {kind: {fold(value): value for value, _label in vocabulary(kind)} for kind in spec.vocabularies}
    drafts = [_parse(spec, row, errors, vocabularies) for row in table.rows]
    _attach_libraries(drafts, scope, errors, lock=lock)
    for draft in drafts:
        if draft.valid:
            _build(spec, draft, errors)
    _fingerprint(spec, drafts)
    existing = _existing_keys(spec, [d for d in drafts if d.valid])
    plan = _Plan()
    if spec.model is Visitors:
        _check_months(drafts, existing, errors)
    for draft in drafts:
        if not draft.valid:
            continue
        label = f"{draft.library.name if draft.library else ''}: {_describe(spec, draft.record)}"
        if draft.key in existing:
            report.plan(draft.line, "unchanged", label, _("sudah diimpor sebelumnya"))
        else:
            report.plan(draft.line, "create", label)
            plan.creates.append(draft)
    if report.ok:
        plan.warnings = _duplicate_warnings(spec, plan.creates) + _registered_warnings(spec, plan.creates)
    report.errors.sort(key=lambda e: (e.line or 0, e.column))
    return plan


def _parse(spec: ImportType, row: Row, errors: list[RowError], vocabularies: dict[str, dict[str, str]]) -> _Draft:
    cells = RowCells(row, errors, vocabularies)
    values = spec.read(cells)
    npp = row.get("npp").replace(" ", "")
    name = " ".join(row.get("nama_perpustakaan").split())
    raw_code = row.get("kode_desa").strip()
    code = (normalize_code(raw_code) or "") if raw_code else ""
    if raw_code and not code:
        cells.fail("kode_desa", _('"%(value)s" bukan kode wilayah Kemendagri.') % {"value": raw_code})
    elif not npp and not (name and code):
        cells.fail("npp", _("Isi npp, atau nama_perpustakaan dan kode_desa."))
    return _Draft(row.line, values, npp, name, code, valid=cells.ok)


def _attach_libraries(drafts: list[_Draft], scope: Scope, errors: list[RowError], *, lock: bool) -> None:
    """Find each row's library (by NPP, else by name in its village) and refuse those outside the scope."""
    wanted = [d for d in drafts if d.npp or d.code]
    by_npp: dict[str, Library] = {}
    by_place: dict[tuple[str, str], list[Library]] = defaultdict(list)
    npps = sorted({d.npp for d in wanted if d.npp})
    codes = sorted({d.code for d in wanted if not d.npp})
    queryset = Library.objects.select_for_update() if lock else Library.objects.all()
    for chunk in _chunks(npps):
        by_npp.update((lib.npp or "", lib) for lib in queryset.filter(npp__in=chunk).order_by("pk"))
    for chunk in _chunks(codes):
        for library in queryset.filter(region_id__in=chunk).order_by("pk"):
            by_place[(library.region_id, fold(library.name))].append(library)
    for draft in wanted:
        found = _library_for(draft, by_npp, by_place, errors)
        if found is None:
            draft.valid = False
            continue
        library = found
        column = "npp" if draft.npp else "nama_perpustakaan"
        if not Scope.at_least(scope.role_for_region(library.region_id), Role.FACILITATOR):
            _reject(draft, errors, column, _("Perpustakaan %(name)s di luar wilayah Anda.") % {"name": library.name})
        elif not library.is_active:
            _reject(draft, errors, column, _("Perpustakaan %(name)s tidak aktif.") % {"name": library.name})
        draft.library = library


def _library_for(
    draft: _Draft,
    by_npp: dict[str, Library],
    by_place: dict[tuple[str, str], list[Library]],
    errors: list[RowError],
) -> Library | None:
    if draft.npp:
        library = by_npp.get(draft.npp)
        if library is None:
            errors.append(RowError(draft.line, "npp", _("NPP %(npp)s tidak terdaftar.") % {"npp": draft.npp}))
        elif draft.code and draft.code != library.region_id:
            message = _("NPP %(npp)s milik %(name)s (wilayah %(code)s), bukan perpustakaan di kode_desa ini.") % {
                "npp": draft.npp,
                "name": library.name,
                "code": library.region_id,
            }
            errors.append(RowError(draft.line, "kode_desa", message))
            return None
        return library
    found = by_place.get((draft.code, fold(draft.name)), [])
    if len(found) == 1:
        return found[0]
    if found:
        message = _("Ada %(n)s perpustakaan dengan nama ini di wilayah ini. Isi npp untuk memilih salah satunya.")
        errors.append(RowError(draft.line, "nama_perpustakaan", message % {"n": len(found)}))
    else:
        message = _('Tidak ada perpustakaan mitra bernama "%(name)s" dengan kode_desa %(code)s.')
        errors.append(RowError(draft.line, "nama_perpustakaan", message % {"name": draft.name, "code": draft.code}))
    return None


def _reject(draft: _Draft, errors: list[RowError], column: str, message: str) -> None:
    errors.append(RowError(draft.line, column, message))
    draft.valid = False


def _build(spec: ImportType, draft: _Draft, errors: list[RowError]) -> None:
    """The unsaved record, checked exactly as the entry form's record is checked by the services."""
    record = spec.model(**draft.values, library=draft.library, status=Status.SUBMITTED)
    try:
        record_validate(record)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = _error_column(spec, name, draft)
            for message in dict.fromkeys(messages):
                errors.append(RowError(draft.line, column, message))
        draft.valid = False
    draft.record = record


def _error_column(spec: ImportType, field_name: str, draft: _Draft) -> str:
    if field_name == "total" and spec.model is Visitors:
        return "total_pengunjung"
    return spec.column_for(field_name) if field_name != "__all__" else ""


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def _fingerprint(spec: ImportType, drafts: list[_Draft]) -> None:
    """A row's key: the type, library and values it enters, plus which copy of an identical row it is."""
    seen: Counter[str] = Counter()
    for draft in drafts:
        if not draft.valid or draft.library is None:
            continue
        content = {name: _canonical(value) for name, value in sorted(draft.values.items())}
        canonical = json.dumps(
            [spec.record_type, draft.library.pk, content], sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:64]
        seen[digest] += 1
        draft.key = f"{KEY_PREFIX}{digest}:{seen[digest]}"


def _existing_keys(spec: ImportType, drafts: list[_Draft]) -> set[str]:
    keys = sorted({d.key for d in drafts if d.key})
    found: set[str] = set()
    for chunk in _chunks(keys):
        found.update(spec.model.objects.filter(import_key__in=chunk).values_list("import_key", flat=True))
    return found


def _check_months(drafts: list[_Draft], existing_keys: set[str], errors: list[RowError]) -> None:
    """One visitors report per library and month: in the file, and against what is already stored."""
    valid = [d for d in drafts if d.valid and d.library is not None]
    first_line: dict[tuple[int, int, int], int] = {}
    for draft in valid:
        assert draft.library is not None
        month_key = (draft.library.pk, draft.values["year"], draft.values["month"])
        if month_key in first_line:
            message = _("Bulan ini untuk perpustakaan yang sama juga ada di baris %(line)s.")
            _reject(draft, errors, "periode", message % {"line": first_line[month_key]})
        first_line.setdefault(month_key, draft.line)
    stored: dict[tuple[int, int, int], Visitors] = {}
    for chunk in _chunks(sorted({d.library.pk for d in valid if d.library is not None})):
        for visit in Visitors.objects.filter(library_id__in=chunk).exclude(status=Status.WITHDRAWN).order_by("pk"):
            stored[(visit.library_id, visit.year, visit.month)] = visit
    for draft in valid:
        assert draft.library is not None
        stored_visit = stored.get((draft.library.pk, draft.values["year"], draft.values["month"]))
        if stored_visit is None or not draft.valid:
            continue
        visit = stored_visit
        same = (visit.male, visit.female, visit.total) == (
            draft.values["male"],
            draft.values["female"],
            draft.values["total"],
        )
        if same:
            # Already reported with these figures (typed on the form, or imported before): nothing to add.
            draft.key = visit.import_key or draft.key
            existing_keys.add(draft.key)
        else:
            message = _(
                "Pengunjung %(period)s untuk perpustakaan ini sudah tercatat dengan angka lain "
                "(laki-laki %(male)s, perempuan %(female)s). Hapus baris ini atau perbaiki laporan yang ada."
            ) % {"period": _period_text(visit.year, visit.month), "male": visit.male, "female": visit.female}
            _reject(draft, errors, "periode", message)


def _period_text(year: int, month: int) -> str:
    return f"{dict(MONTHS)[month]} {year}"


def _describe(spec: ImportType, record: Any) -> str:
    if spec.model is Visitors:
        return _("%(period)s: %(total)s pengunjung") % {
            "period": _period_text(record.year, record.month),
            "total": record.total,
        }
    return f"{record.date.isoformat() if record.date else ''} {record.title}".strip()


def _duplicate_warnings(spec: ImportType, creates: list[_Draft]) -> list[RowError]:
    """The entry form's likely-duplicate warning: the same library, the same date, a very similar title,
    among stored records (not withdrawn) and earlier rows of the file."""
    model = spec.model
    dated = [d for d in creates if getattr(d.record, "date", None) is not None and model.TITLE_FIELD]
    if not dated:
        return []
    stored: dict[tuple[int, dt.date], list[tuple[str, Any]]] = defaultdict(list)
    library_ids = sorted({d.record.library_id for d in dated})
    dates = sorted({d.record.date for d in dated})
    for chunk in _chunks(library_ids):
        rows = (
            model.objects.filter(library_id__in=chunk, date__in=dates)
            .exclude(status=Status.WITHDRAWN)
            .values_list("library_id", "date", "title", "pk")
        )
        for library_id, day, title, pk in rows:
            stored[(library_id, day)].append((title, pk))
    warnings = []
    earlier: dict[tuple[int, dt.date], list[tuple[str, int]]] = defaultdict(list)
    column = spec.column_for(model.TITLE_FIELD)
    for draft in dated:
        place = (draft.record.library_id, draft.record.date)
        title = draft.record.title_text
        match = next((pk for other, pk in stored.get(place, []) if titles_similar(title, other)), None)
        if match is not None:
            message = _("Mirip laporan yang sudah ada (nomor %(pk)s) pada tanggal yang sama. Periksa apakah ini ganda.")
            warnings.append(RowError(draft.line, column, message % {"pk": match}))
        else:
            line = next((ln for other, ln in earlier.get(place, []) if titles_similar(title, other)), None)
            if line is not None:
                message = _("Mirip baris %(line)s (perpustakaan dan tanggal yang sama). Periksa apakah ini ganda.")
                warnings.append(RowError(draft.line, column, message % {"line": line}))
        earlier[place].append((title, draft.line))
    return warnings


def _registered_warnings(spec: ImportType, creates: list[_Draft]) -> list[RowError]:
    rows = [ImportedRow(d.line, d.record) for d in creates]
    if not rows:
        return []
    warnings: list[RowError] = []
    for check in list(_CHECKS):
        try:
            warnings.extend(check(spec.model, rows))
        except Exception:  # a faulty check must not block the entry of paper forms
            logger.exception("record import check %r failed", check)
            warnings.append(RowError(None, "", _("Satu pemeriksaan tambahan gagal dijalankan dan dilewati.")))
    return warnings


def _apply(spec: ImportType, plan: _Plan, *, actor: User | None, filename: str) -> dict[int, int]:
    records = []
    for draft in plan.creates:
        record = draft.record
        record.entered_by = actor
        record.last_edited_by = actor
        record.import_key = draft.key
        records.append(record)
    spec.model.objects.bulk_create(records, batch_size=_BATCH)
    comment = _("Impor berkas %(name)s") % {"name": filename}
    audit_log_many(records=records, action=AuditAction.IMPORT, user=actor, comment=comment)
    counts = Counter(r.library_id for r in records)
    libraries = {d.library.pk: d.library for d in plan.creates if d.library is not None}
    with translation.override("id"):
        label = str(spec.label)
    audit_change_many(
        actor=actor,
        action=SharedAuditAction.IMPORT,
        changes_by_target=[(libraries[pk], {label: [None, n]}) for pk, n in sorted(counts.items())],
        comment=comment,
    )
    if counts:
        records_changed.send(sender=spec.model, library_ids=set(counts), months=record_months(records))
    return dict(counts)


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]
