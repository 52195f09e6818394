"""Bulk import of accounts (*impor akun*): library managers, facilitators, provincial and national staff.

Imported people start as invited: the account has no usable password and gets an activation link by
email once the import is committed. Same rules as the partner import: every row is checked first, one
bad row means nothing is written, and re-importing a file changes nothing (nobody is invited twice).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tpbis.accounts.models import TITLES_FOR_ROLE, Invitation, Membership, Role, Title, User
from tpbis.accounts.scope import Scope
from tpbis.accounts.services import role_offer, user_invite
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change_many
from tpbis.core.tabular import ImportReport, Row, RowError, Table, import_run
from tpbis.core.text import fold
from tpbis.libraries.models import Library
from tpbis.regions.models import Level, Region
from tpbis.regions.resolve import CODE_COLUMN, RegionQuery, region_resolve_many

REQUIRED_COLUMNS = ("email", "peran")
TEMPLATE_HEADERS = ("email", "nama", "peran", "npp", "kode_wilayah", "jabatan")
TEMPLATE_EXAMPLE = ("pengelola.labrukkidul@example.id", "Siti Aminah", "pengelola", "3508212004", "", "")
_BATCH = 500
_Fail = Callable[[str, str], None]
INVITED = gettext_lazy("diundang: tautan dikirim ke email")


def _choice_key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(value))


ROLE_CHOICES = {
    **{_choice_key(r.value): r.value for r in Role},
    **{_choice_key(str(r.label)): r.value for r in Role},
    _choice_key("pengelola perpustakaan"): Role.MANAGER.value,
    _choice_key("petugas provinsi"): Role.PROVINCE.value,
    _choice_key("tim nasional"): Role.NATIONAL.value,
}
# Titles by typed key; "PIC" alone means the PIC of the row's level.
_TITLE_WORDS = {
    Title.PIC_PROVINCE: ("pic_provinsi", "PIC Provinsi"),
    Title.EXPERT_TRAINER: ("pelatih_ahli", "Pelatih Ahli"),
    Title.CONSULTANT: ("konsultan_pendamping", "Konsultan Pendamping", "Konsultan"),
    Title.PIC: ("pic_kabupaten_kota", "PIC Kabupaten/Kota", "PIC Kabupaten", "PIC Kota"),
    Title.FASDA: ("fasda", "Fasilitator Daerah", "Fasda (Fasilitator Daerah)"),
}
TITLE_CHOICES = {_choice_key(word): title.value for title, words in _TITLE_WORDS.items() for word in words}
_PIC_FOR_ROLE: dict[str, str] = {Role.PROVINCE: Title.PIC_PROVINCE.value, Role.FACILITATOR: Title.PIC.value}


@dataclass
class _Draft:
    line: int
    email: str
    name: str
    role: str | None
    title: str
    npp: str
    query: RegionQuery
    region: Region | None = None
    library: Library | None = None
    valid: bool = True

    @property
    def membership_key(self) -> tuple[str, str | None, str | None, int | None]:
        return (
            self.email,
            self.role,
            self.region.code if self.region else None,
            self.library.pk if self.library else None,
        )


@dataclass
class _Plan:
    new_users: dict[str, User] = field(default_factory=dict)
    memberships: list[Membership] = field(default_factory=list)
    retitled: list[Membership] = field(default_factory=list)
    # Existing accounts offered a role: granted only when their owner signs in and accepts.
    offers: list[Membership] = field(default_factory=list)
    offered: set[tuple[int, str, str | None, int | None]] = field(default_factory=set)
    old_titles: dict[int, str] = field(default_factory=dict)


def account_import(
    *, content: bytes, filename: str, scope: Scope, created_by: User | None, dry_run: bool
) -> ImportReport:
    """Validate every row, then (unless `dry_run` or any row is bad) create accounts and roles and invite."""
    return import_run(
        content=content,
        filename=filename,
        required=REQUIRED_COLUMNS,
        dry_run=dry_run,
        plan=lambda table, report: _plan(table=table, scope=scope, report=report),
        apply=lambda plan: _apply(plan, created_by),
        conflict_message=_("Data akun berubah selama impor. Tidak ada yang disimpan; coba lagi."),
    )


def _plan(*, table: Table, scope: Scope, report: ImportReport) -> _Plan:
    errors = report.errors
    drafts = [_parse(row, errors) for row in table.rows]
    _attach_regions(drafts, errors)
    _attach_libraries(drafts, errors)
    _check_permissions(drafts, scope, errors)
    _check_duplicates(drafts, errors)
    plan = _build([d for d in drafts if d.valid], report)
    errors.sort(key=lambda e: (e.line or 0, e.column))
    return plan


# --- parsing -----------------------------------------------------------------------------------


def _parse(row: Row, errors: list[RowError]) -> _Draft:
    before = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(RowError(row.line, column, message))

    email = row.get("email").strip().lower()
    _check_email(email, fail)
    name = " ".join(row.get("nama").split())
    if len(name) > 150:
        fail("nama", _("Nama paling banyak 150 karakter."))
    role = ROLE_CHOICES.get(_choice_key(row.get("peran")))
    if role is None:
        fail("peran", _role_message(row.get("peran")))
    title = _parse_title(row.get("jabatan"), role, fail)
    query = RegionQuery(
        code=row.get(CODE_COLUMN),
        province=row.get("provinsi"),
        regency=row.get("kabupaten_kota"),
        district=row.get("kecamatan"),
        village=row.get("desa_kelurahan"),
    )
    draft = _Draft(row.line, email, name, role, title, row.get("npp").replace(" ", ""), query)
    draft.valid = len(errors) == before
    return draft


def _check_email(email: str, fail: _Fail) -> None:
    if not email:
        fail("email", _("Email wajib diisi."))
        return
    try:
        validate_email(email)
    except ValidationError:
        fail("email", _('"%(value)s" bukan alamat email yang benar.') % {"value": email})


def _role_message(value: str) -> str:
    allowed = ", ".join(r.value for r in Role)
    if not value.strip():
        return _("Wajib diisi. Pilihan: %(allowed)s.") % {"allowed": allowed}
    return _('"%(value)s" tidak dikenal. Pilihan: %(allowed)s.') % {"value": value, "allowed": allowed}


def _parse_title(raw: str, role: str | None, fail: _Fail) -> str:
    if not raw.strip() or role is None:
        return ""
    key = _choice_key(raw)
    title = _PIC_FOR_ROLE.get(role, "") if key == "pic" else TITLE_CHOICES.get(key, "")
    allowed = TITLES_FOR_ROLE[role]
    if title and title in allowed:
        return title
    if not allowed:
        fail("jabatan", _("Peran %(role)s tidak memakai jabatan; kosongkan kolom ini.") % {"role": role})
    else:
        labels = ", ".join(sorted(str(Title(t).label) for t in allowed))
        fail(
            "jabatan",
            _('Jabatan "%(value)s" tidak berlaku untuk peran %(role)s. Pilihan: %(allowed)s.')
            % {"value": raw.strip(), "role": role, "allowed": labels},
        )
    return ""


# --- regions, libraries, permissions, duplicates ---------------------------------------------------

_LEVEL_FOR_ROLE: dict[str, int] = {Role.FACILITATOR: Level.REGENCY, Role.PROVINCE: Level.PROVINCE}


def _attach_regions(drafts: list[_Draft], errors: list[RowError]) -> None:
    bound = [d for d in drafts if d.role in _LEVEL_FOR_ROLE]
    for draft, match in zip(bound, region_resolve_many(queries=[d.query for d in bound]), strict=True):
        if match.region is None:
            _reject(draft, errors, match.column, match.message)
        elif match.region.level != _LEVEL_FOR_ROLE[draft.role or ""]:
            _reject(draft, errors, match.column or CODE_COLUMN, _level_message(draft.role or "", match.region))
        else:
            draft.region = match.region


def _level_message(role: str, region: Region) -> str:
    if role == Role.FACILITATOR:
        template = _("Wilayah fasilitator harus sebuah kabupaten/kota, bukan %(region)s (%(code)s).")
    else:
        template = _("Wilayah petugas provinsi harus sebuah provinsi, bukan %(region)s (%(code)s).")
    return template % {"region": region.short_name, "code": region.code}


def _attach_libraries(drafts: list[_Draft], errors: list[RowError]) -> None:
    managers = [d for d in drafts if d.role == Role.MANAGER]
    libraries = _libraries_by_npp({d.npp for d in managers if d.npp})
    for draft in managers:
        library = libraries.get(draft.npp)
        if not draft.npp:
            _reject(draft, errors, "npp", _("NPP perpustakaan wajib diisi untuk peran pengelola."))
        elif library is None:
            _reject(draft, errors, "npp", _("Tidak ada mitra dengan NPP %(npp)s.") % {"npp": draft.npp})
        elif not library.is_active:
            _reject(draft, errors, "npp", _('Mitra "%(name)s" nonaktif.') % {"name": library.name})
        else:
            draft.library = library


def _libraries_by_npp(npps: set[str]) -> dict[str, Library]:
    found: dict[str, Library] = {}
    for chunk in _chunks(sorted(npps)):
        found.update((lib.npp, lib) for lib in Library.objects.filter(npp__in=chunk) if lib.npp)
    return found


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _check_permissions(drafts: list[_Draft], scope: Scope, errors: list[RowError]) -> None:
    """A manager needs a facilitator over the library; a facilitator a provincial officer; others the nation."""
    for draft in drafts:
        if not draft.valid or draft.role is None:
            continue
        if draft.role in (Role.PROVINCE, Role.NATIONAL) and not scope.national:
            _reject(draft, errors, "peran", _("Hanya tim nasional yang dapat menambahkan akun dengan peran ini."))
            continue
        where = draft.library.region_id if draft.library else (draft.region.code if draft.region else None)
        minimum = Role.FACILITATOR if draft.role == Role.MANAGER else Role.PROVINCE
        if where is not None and not Scope.at_least(scope.role_for_region(where), minimum):
            column = "npp" if draft.library else CODE_COLUMN
            _reject(draft, errors, column, _("Wilayah %(code)s di luar wilayah kerja Anda.") % {"code": where})


def _check_duplicates(drafts: list[_Draft], errors: list[RowError]) -> None:
    seen: dict[tuple[str, str | None, str | None, int | None], int] = {}
    for draft in drafts:
        if not draft.valid:
            continue
        key = draft.membership_key
        if key in seen:
            _reject(
                draft, errors, "email", _("Akun dan peran yang sama juga ada di baris %(line)s.") % {"line": seen[key]}
            )
        seen.setdefault(key, draft.line)


def _reject(draft: _Draft, errors: list[RowError], column: str, message: str) -> None:
    errors.append(RowError(draft.line, column, message))
    draft.valid = False


# --- building and writing ------------------------------------------------------------------------


def _build(drafts: list[_Draft], report: ImportReport) -> _Plan:
    users = _users_by_email({d.email for d in drafts})
    held = _memberships_of(users.values())
    plan = _Plan(offered=_open_offers(users.values()))
    for draft in drafts:
        # A deactivated account reads like any other (no hint of who exists); its invitation can't be used.
        user = users.get(draft.email)
        action, detail = _plan_row(draft, user, held, plan)
        report.plan(draft.line, action, _label(draft), detail)
    return plan


def _plan_row(
    draft: _Draft, user: User | None, held: dict[tuple[int, str, str | None, int | None], Membership], plan: _Plan
) -> tuple[str, str]:
    """New address or existing account, the row reads the same ("diundang"): whoever imports learns
    nothing about accounts outside their area, and an existing account is never changed by the import —
    its owner gets an invitation to accept the role after signing in with their own password."""
    if user is None:
        user = plan.new_users.setdefault(draft.email, _new_user(draft))
        user.full_name = user.full_name or draft.name
        plan.memberships.append(_membership(draft, user))
        return "create", str(INVITED)
    key = (user.pk, draft.role or "", draft.region.code if draft.region else None, _library_id(draft))
    membership = held.get(key)
    if membership is None and key in plan.offered:
        return "unchanged", ""  # offered by an earlier import and not accepted yet: nobody is invited twice
    if membership is None:
        plan.offers.append(_membership(draft, user))
        return "create", str(INVITED)
    # The same role in the importer's own area: the importer may see it anyway.
    if draft.title and membership.title != draft.title:
        plan.old_titles[membership.pk] = membership.get_title_display()
        membership.title = draft.title
        plan.retitled.append(membership)
        return "update", _("jabatan diubah")
    return "unchanged", ""


def _library_id(draft: _Draft) -> int | None:
    return draft.library.pk if draft.library else None


def _new_user(draft: _Draft) -> User:
    user = User(email=draft.email, full_name=draft.name)
    user.set_unusable_password()
    return user


def _membership(draft: _Draft, user: User) -> Membership:
    assert draft.role is not None
    return Membership(user=user, role=draft.role, title=draft.title, region=draft.region, library=draft.library)


def _label(draft: _Draft) -> str:
    where = draft.library.name if draft.library else (draft.region.short_name if draft.region else _("Nasional"))
    role = str(Role(draft.role).label) if draft.role else ""
    return f"{draft.email} — {role}, {where}"


def _users_by_email(emails: set[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for chunk in _chunks(sorted(emails)):
        found.update((u.email, u) for u in User.objects.filter(email__in=chunk))
    return found


def _open_offers(users: Iterable[User]) -> set[tuple[int, str, str | None, int | None]]:
    ids = sorted(u.pk for u in users)
    found = set()
    for start in range(0, len(ids), _BATCH):
        pending = Invitation.objects.filter(
            user_id__in=ids[start : start + _BATCH],
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exclude(role="")
        for i in pending:
            assert i.user_id is not None
            found.add((i.user_id, i.role, i.region_id, i.library_id))
    return found


def _memberships_of(users: Iterable[User]) -> dict[tuple[int, str, str | None, int | None], Membership]:
    ids = sorted(u.pk for u in users)
    found = {}
    for start in range(0, len(ids), _BATCH):
        for m in Membership.objects.filter(user_id__in=ids[start : start + _BATCH]):
            found[(m.user_id, m.role, m.region_id, m.library_id)] = m
    return found


def _apply(plan: _Plan, created_by: User | None) -> None:
    User.objects.bulk_create(plan.new_users.values(), batch_size=_BATCH)
    for membership in plan.memberships:
        membership.user_id = membership.user.pk  # the user may have got its pk just above
    Membership.objects.bulk_create(plan.memberships, batch_size=_BATCH)
    Membership.objects.bulk_update(plan.retitled, ["title"], batch_size=_BATCH)
    audit_change_many(
        actor=created_by,
        action=AuditAction.IMPORT,
        changes_by_target=[(m, {"peran": [None, str(m)]}) for m in plan.memberships],
        comment=_("Akun baru dari impor akun"),
    )
    audit_change_many(
        actor=created_by,
        action=AuditAction.ROLE_CHANGE,
        changes_by_target=[(m, {"jabatan": [plan.old_titles.get(m.pk), m.get_title_display()]}) for m in plan.retitled],
        comment=_("Impor akun"),
    )
    for user in plan.new_users.values():
        user_invite(user=user, created_by=created_by)
    for offer in plan.offers:
        role_offer(
            user=offer.user,
            role=offer.role,
            title=offer.title,
            region=offer.region,
            library=offer.library,
            created_by=created_by,
        )
