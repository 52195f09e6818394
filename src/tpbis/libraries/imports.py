"""Bulk import of partner libraries (*impor mitra*) from CSV or XLSX.

All or nothing: every row is validated first (values, region, scope, duplicates, matches in the
database) and one bad row means nothing is written. A row updates the partner with its NPP, else the
partner with the same name in the same region, else it creates one; re-importing a file changes nothing.
Columns absent from the file leave the matching fields alone; an empty NPP never clears a stored one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change_many, audit_diff, audit_snapshot
from tpbis.core.tabular import ImportReport, Row, RowError, Table, TabularError, import_run
from tpbis.core.text import fold
from tpbis.libraries.models import FIRST_COHORT_YEAR, REGION_LEVEL_FOR_KIND, Library, LibraryKind, Support
from tpbis.libraries.services import EDITABLE_FIELDS, expected_reports_changed
from tpbis.libraries.signals import libraries_moved
from tpbis.regions.models import Region
from tpbis.regions.resolve import CODE_COLUMN, NAME_COLUMNS, RegionQuery, region_resolve_many

REQUIRED_COLUMNS = ("nama", "jenis", "dukungan", "tahun")
TEMPLATE_HEADERS = (
    "npp",
    "nama",
    "jenis",
    "kode_wilayah",
    "dukungan",
    "sumber_dana",
    "tahun",
    "alamat",
    "nama_kontak",
    "telepon",
    "email_kontak",
    *NAME_COLUMNS,
)
TEMPLATE_EXAMPLE = (
    "3508212004",
    "Perpustakaan Desa Labruk Kidul",
    "desa_kelurahan",
    "35.08.21.2004",
    "full_support",
    "",
    "2024",
    "Jl. Raya Labruk Kidul No. 1",
    "Siti Aminah",
    "081234567890",
    "perpusdes.labrukkidul@example.id",
    "Jawa Timur",
    "Kab. Lumajang",
    "Sumbersuko",
    "Labruk Kidul",
)
# Optional text columns and the model field each fills.
TEXT_COLUMNS = {
    "sumber_dana": "funding_source",
    "alamat": "address",
    "nama_kontak": "contact_name",
    "telepon": "contact_phone",
    "email_kontak": "contact_email",
}
COLUMN_FOR_FIELD = {
    "name": "nama",
    "kind": "jenis",
    "region": CODE_COLUMN,
    "support": "dukungan",
    "cohort_year": "tahun",
    "npp": "npp",
    **{f: c for c, f in TEXT_COLUMNS.items()},
}
_COMPARED = ("name", "kind", "region_id", "support", "cohort_year", "npp", *TEXT_COLUMNS.values())
_BATCH = 500
_Fail = Callable[[str, str], None]
# Fields clean_fields need not check: relations (a query each) and values the import never sets.
_NOT_CLEANED = [
    "id",
    "region",
    "province",
    "regency",
    "is_active",
    "created_at",
    "updated_at",
]  # records an error for a column of the current row


def _choice_key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(value))


_KIND_WORDS = {
    LibraryKind.PROVINCE: ("provinsi", "perpustakaan provinsi", "perpustakaan daerah provinsi"),
    LibraryKind.REGENCY: ("kabupaten_kota", "kabupaten/kota", "kabupaten", "kota", "perpustakaan kabupaten/kota"),
    LibraryKind.VILLAGE: (
        "desa_kelurahan",
        "desa/kelurahan",
        "desa",
        "kelurahan",
        "perpusdes",
        "perpustakaan desa",
        "perpustakaan kelurahan",
        "perpustakaan desa/kelurahan",
    ),
    LibraryKind.TBM: ("tbm", "taman bacaan masyarakat", "taman bacaan masyarakat (tbm)"),
}
KIND_CHOICES = {_choice_key(word): kind.value for kind, words in _KIND_WORDS.items() for word in words}
SUPPORT_CHOICES = {
    **{_choice_key(s.value): s.value for s in Support},
    **{_choice_key(str(s.label)): s.value for s in Support},
    _choice_key("replikasi"): Support.REPLICATION.value,
    # The real SIM's spreadsheets say "Full Support"; the system shows "Dukungan Penuh".
    _choice_key("full support"): Support.FULL.value,
}


@dataclass
class _Draft:
    """One parsed row on its way to becoming a create or an update."""

    line: int
    name: str
    npp: str | None
    kind: str | None
    support: str | None
    cohort_year: int | None
    texts: dict[str, str]  # model field -> value, only for the optional columns the file has
    query: RegionQuery
    region: Region | None = None
    valid: bool = True
    target: Library | None = None

    @cached_property
    def name_key(self) -> tuple[str, str]:
        """Region code and folded name; read only once the region is attached."""
        return (self.region.code if self.region else "", fold(self.name))


@dataclass
class _Plan:
    creates: list[Library] = field(default_factory=list)
    updates: list[Library] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)
    # Library id -> the changed fields as they read before the import, for the audit trail.
    before: dict[int, dict[str, Any]] = field(default_factory=dict)


def library_import(
    *, content: bytes, filename: str, scope: Scope, dry_run: bool, actor: User | None = None
) -> ImportReport:
    """Validate every row, then (unless `dry_run` or any row is bad) create and update partners at once.

    Each created or changed partner gets an audit event by `actor` (None: a command run by the operator).
    """
    return import_run(
        content=content,
        filename=filename,
        required=REQUIRED_COLUMNS,
        dry_run=dry_run,
        check=_check_region_columns,
        plan=lambda table, report: _plan(table=table, scope=scope, report=report),
        apply=lambda plan: _apply(plan, actor=actor, filename=filename),
        conflict_message=_("Data mitra berubah selama impor. Tidak ada yang disimpan; coba lagi."),
    )


def _check_region_columns(table: Table) -> None:
    if CODE_COLUMN not in table.headers and not set(NAME_COLUMNS) & set(table.headers):
        raise TabularError([RowError(1, CODE_COLUMN, _("Kolom kode_wilayah (atau kolom nama wilayah) tidak ada."))])


def _plan(*, table: Table, scope: Scope, report: ImportReport) -> _Plan:
    errors = report.errors
    last_year = timezone.localdate().year + 1
    drafts = [_parse(row, table.headers, errors, last_year) for row in table.rows]
    _attach_regions(drafts, scope, errors)
    _check_duplicates(drafts, errors)
    _match_existing(drafts, scope, errors)
    plan = _build(drafts, report)
    report.errors.sort(key=lambda e: (e.line or 0, e.column))
    return plan


# --- parsing -----------------------------------------------------------------------------------


def _parse(row: Row, headers: list[str], errors: list[RowError], last_year: int) -> _Draft:
    before = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(RowError(row.line, column, message))

    name = " ".join(row.get("nama").split())
    if not name:
        fail("nama", _("Nama perpustakaan wajib diisi."))
    kind = KIND_CHOICES.get(_choice_key(row.get("jenis")))
    if kind is None:
        fail("jenis", _choice_message(row.get("jenis"), "provinsi, kabupaten_kota, desa_kelurahan, tbm"))
    support = SUPPORT_CHOICES.get(_choice_key(row.get("dukungan")))
    if support is None:
        fail("dukungan", _choice_message(row.get("dukungan"), "full_support, bantuan_buku, replikasi_mandiri"))
    year = _parse_year(row.get("tahun"), last_year, fail)
    texts = {TEXT_COLUMNS[c]: " ".join(row.get(c).split()) for c in TEXT_COLUMNS if c in headers}
    _check_texts(texts, support, fail)
    query = RegionQuery(
        code=row.get(CODE_COLUMN),
        province=row.get("provinsi"),
        regency=row.get("kabupaten_kota"),
        district=row.get("kecamatan"),
        village=row.get("desa_kelurahan"),
    )
    npp = row.get("npp").replace(" ", "") or None
    draft = _Draft(row.line, name, npp, kind, support, year, texts, query)
    draft.valid = len(errors) == before
    return draft


def _choice_message(value: str, allowed: str) -> str:
    if not value.strip():
        return _("Wajib diisi. Pilihan: %(allowed)s.") % {"allowed": allowed}
    return _('"%(value)s" tidak dikenal. Pilihan: %(allowed)s.') % {"value": value, "allowed": allowed}


def _parse_year(raw: str, last: int, fail: _Fail) -> int | None:
    try:
        year = int(raw.strip())
    except ValueError:
        year = None
    if year is None or not FIRST_COHORT_YEAR <= year <= last:
        fail("tahun", _("Tahun angkatan harus angka %(first)s–%(last)s.") % {"first": FIRST_COHORT_YEAR, "last": last})
        return None
    return year


def _check_texts(texts: dict[str, str], support: str | None, fail: _Fail) -> None:
    email = texts.get("contact_email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fail("email_kontak", _('"%(value)s" bukan alamat email yang benar.') % {"value": email})
    if texts.get("funding_source") and support is not None and support != Support.REPLICATION:
        fail("sumber_dana", _("Sumber dana hanya diisi untuk mitra replikasi mandiri."))


# --- regions, scope, duplicates ------------------------------------------------------------------


def _attach_regions(drafts: list[_Draft], scope: Scope, errors: list[RowError]) -> None:
    for draft, match in zip(drafts, region_resolve_many(queries=[d.query for d in drafts]), strict=True):
        if match.region is None:
            errors.append(RowError(draft.line, match.column, match.message))
            draft.valid = False
            continue
        draft.region = match.region
        column = match.column or (CODE_COLUMN if draft.query.code.strip() else _deepest_name_column(draft.query))
        if draft.kind is not None and match.region.level != REGION_LEVEL_FOR_KIND[draft.kind]:
            errors.append(RowError(draft.line, column, _level_message(draft.kind, match.region)))
            draft.valid = False
        if not Scope.at_least(scope.role_for_region(match.region.code), Role.PROVINCE):
            errors.append(RowError(draft.line, column, _out_of_scope(match.region)))
            draft.valid = False


def _deepest_name_column(query: RegionQuery) -> str:
    values = (query.province, query.regency, query.district, query.village)
    return next(c for c, v in reversed(list(zip(NAME_COLUMNS, values, strict=True))) if v)


def _level_message(kind: str, region: Region) -> str:
    expected = _("sebuah desa/kelurahan")
    if kind == LibraryKind.PROVINCE:
        expected = _("sebuah provinsi")
    elif kind == LibraryKind.REGENCY:
        expected = _("sebuah kabupaten/kota")
    return _("Wilayah %(region)s (%(code)s) tidak cocok dengan jenis %(kind)s: harus %(expected)s.") % {
        "region": region.short_name,
        "code": region.code,
        "kind": kind,
        "expected": expected,
    }


def _out_of_scope(region: Region) -> str:
    return _("Wilayah %(region)s (%(code)s) di luar wilayah kerja Anda.") % {
        "region": region.short_name,
        "code": region.code,
    }


def _check_duplicates(drafts: list[_Draft], errors: list[RowError]) -> None:
    """Two rows of one file may not describe the same partner."""
    by_npp: dict[str, int] = {}
    by_name: dict[tuple[str, str], int] = {}
    for draft in drafts:
        if draft.npp:
            if draft.npp in by_npp:
                _reject(
                    draft,
                    errors,
                    "npp",
                    _("NPP %(npp)s juga ada di baris %(line)s.") % {"npp": draft.npp, "line": by_npp[draft.npp]},
                )
            by_npp.setdefault(draft.npp, draft.line)
        if draft.region is not None and draft.name:
            key = draft.name_key
            if key in by_name:
                message = _("Nama dan wilayah yang sama juga ada di baris %(line)s.") % {"line": by_name[key]}
                _reject(draft, errors, "nama", message)
            by_name.setdefault(key, draft.line)


def _reject(draft: _Draft, errors: list[RowError], column: str, message: str) -> None:
    errors.append(RowError(draft.line, column, message))
    draft.valid = False


# --- matching partners already registered --------------------------------------------------------


def _match_existing(drafts: list[_Draft], scope: Scope, errors: list[RowError]) -> None:
    valid = [d for d in drafts if d.valid]
    by_npp = _libraries_by_npp({d.npp for d in valid if d.npp})
    by_name = _libraries_by_name({d.region.code for d in valid if d.region})
    claimed: dict[int, int] = {}
    for draft in valid:
        target = _target(draft, by_npp, by_name, errors)
        if target is None:
            continue
        if target.pk in claimed:
            message = _("Baris ini dan baris %(line)s menunjuk mitra yang sama.") % {"line": claimed[target.pk]}
            _reject(draft, errors, "npp" if draft.npp else "nama", message)
        elif not Scope.at_least(scope.role_for_region(target.region_id), Role.PROVINCE):
            _reject(draft, errors, "npp", _out_of_scope(target.region))
        claimed.setdefault(target.pk, draft.line)
        draft.target = target


def _libraries_by_npp(npps: set[str]) -> dict[str, Library]:
    found: dict[str, Library] = {}
    for chunk in _chunks(sorted(npps)):
        found.update(
            (lib.npp, lib) for lib in Library.objects.select_related("region").filter(npp__in=chunk) if lib.npp
        )
    return found


def _libraries_by_name(region_codes: set[str]) -> dict[tuple[str, str], list[Library]]:
    found: dict[tuple[str, str], list[Library]] = {}
    for chunk in _chunks(sorted(region_codes)):
        for library in Library.objects.select_related("region").filter(region_id__in=chunk).order_by("pk"):
            found.setdefault((library.region_id, fold(library.name)), []).append(library)
    return found


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _target(
    draft: _Draft, by_npp: dict[str, Library], by_name: dict[tuple[str, str], list[Library]], errors: list[RowError]
) -> Library | None:
    """The partner this row describes: same NPP, else same name in the same region; None to create."""
    named = by_name.get(draft.name_key, [])
    by_number = by_npp.get(draft.npp) if draft.npp else None
    if by_number is not None:
        others = [lib for lib in named if lib.pk != by_number.pk]
        if others:
            message = _('NPP %(npp)s milik "%(owner)s", tetapi nama dan wilayah baris ini milik mitra lain.') % {
                "npp": draft.npp,
                "owner": by_number.name,
            }
            _reject(draft, errors, "npp", message)
        return by_number
    if len(named) > 1:
        message = _("Ada %(n)s mitra dengan nama ini di wilayah ini. Isi NPP untuk memilih salah satunya.") % {
            "n": len(named)
        }
        _reject(draft, errors, "nama", message)
        return None
    if named and draft.npp and named[0].npp:
        message = _('Mitra "%(name)s" di wilayah ini sudah ber-NPP %(npp)s.') % {
            "name": named[0].name,
            "npp": named[0].npp,
        }
        _reject(draft, errors, "npp", message)
    return named[0] if named else None


# --- building and writing ------------------------------------------------------------------------


def _build(drafts: list[_Draft], report: ImportReport) -> _Plan:
    plan = _Plan()
    for draft in drafts:
        if not draft.valid or draft.region is None:
            continue
        library = draft.target or Library()
        changed = _assign(library, draft, plan.before)
        if not _model_valid(library, draft, report.errors):
            continue
        label = f"{library.name} — {draft.region.short_name} ({draft.region.code})"
        if draft.target is None:
            plan.creates.append(library)
            report.plan(draft.line, "create", label)
        elif changed:
            plan.updates.append(library)
            plan.changed_fields.update(changed)
            report.plan(
                draft.line, "update", label, ", ".join(COLUMN_FOR_FIELD[f.removesuffix("_id")] for f in changed)
            )
        else:
            report.plan(draft.line, "unchanged", label)
    return plan


def _assign(library: Library, draft: _Draft, before: dict[int, dict[str, Any]]) -> list[str]:
    """Set the row's values on the library; returns the fields that differ from what it held.

    What a changed field of a stored library held goes into `before`, as a person reads it.
    """
    assert draft.region is not None
    new = {
        "name": draft.name,
        "kind": draft.kind,
        "region_id": draft.region.code,
        "support": draft.support,
        "cohort_year": draft.cohort_year,
        **draft.texts,
    }
    if draft.npp:
        new["npp"] = draft.npp
    changed = [f for f in _COMPARED if f in new and getattr(library, f) != new[f]]
    if library.pk and changed:
        before[library.pk] = audit_snapshot(library, [f.removesuffix("_id") for f in changed])
    for name, value in new.items():
        setattr(library, name, value)
    library.region = draft.region
    library.sync_region_columns()
    return changed


def _model_valid(library: Library, draft: _Draft, errors: list[RowError]) -> bool:
    """The model's own rules (lengths, choices, funding source), as a last check before writing."""
    try:
        library.clean_fields(exclude=_NOT_CLEANED)
        library.clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                errors.append(RowError(draft.line, COLUMN_FOR_FIELD.get(name, name), message))
        return False
    return True


def _apply(plan: _Plan, *, actor: User | None, filename: str) -> None:
    now = timezone.now()
    for library in plan.updates:
        library.updated_at = now
    Library.objects.bulk_create(plan.creates, batch_size=_BATCH)
    if plan.updates:
        fields = {f.removesuffix("_id") for f in plan.changed_fields} | {"province", "regency", "updated_at"}
        moved: set[str] = set()
        if "region" in fields:
            ids = [library.pk for library in plan.updates]
            moved = set(Library.objects.filter(pk__in=ids).values_list("region_id", flat=True).distinct())
            moved |= {library.region_id for library in plan.updates}
        Library.objects.bulk_update(plan.updates, sorted(fields), batch_size=_BATCH)
        if moved:
            libraries_moved.send(sender=Library, region_codes=moved)
        expected_reports_changed(sorted(pk for pk, old in plan.before.items() if {"cohort_year", "kind"} & set(old)))
    _audit(plan, actor=actor, filename=filename)


def _audit(plan: _Plan, *, actor: User | None, filename: str) -> None:
    """One event per created or changed partner, in the import's own transaction."""
    with translation.override("id"):
        comment = _("Impor mitra dari berkas %(file)s") % {"file": filename[:200]}
    created = [(library, audit_diff({}, audit_snapshot(library, EDITABLE_FIELDS))) for library in plan.creates]
    audit_change_many(actor=actor, action=AuditAction.CREATE, changes_by_target=created, comment=comment)
    updated = [
        (library, audit_diff(plan.before[library.pk], audit_snapshot(library, list(plan.before[library.pk]))))
        for library in plan.updates
        if library.pk in plan.before
    ]
    audit_change_many(actor=actor, action=AuditAction.UPDATE, changes_by_target=updated, comment=comment)
