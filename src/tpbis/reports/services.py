"""Writes of library records: entry, correction, verification, return and withdrawal, all audited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tpbis.accounts.models import User
from tpbis.libraries.models import Library
from tpbis.reports.audit import audit_for, audit_log, audit_log_many, diff, snapshot
from tpbis.reports.models import (
    Advocacy,
    AuditAction,
    CommunityEngagement,
    LibraryRecord,
    Publicity,
    Replication,
    StagedPhoto,
    Status,
)
from tpbis.reports.notices import notify_record_returned, notify_records_verified
from tpbis.reports.photos import (
    PreparedPhoto,
    photos_adopt,
    photos_check_count,
    photos_for,
    photos_remove,
    photos_save,
)
from tpbis.reports.rules import photo_limits, record_validate_entry, replication_validate_entry
from tpbis.reports.signals import record_months, records_changed

# Statuses from which each action is allowed.
_CAN_VERIFY = {Status.SUBMITTED}
_CAN_RETURN = {Status.SUBMITTED, Status.VERIFIED}
_CAN_SUBMIT = {Status.DRAFT, Status.RETURNED}
# The record types a manager may save unfinished (*draf*): the dated ones with a title. A monthly figure
# or a replication is a few numbers, sent at once.
DRAFT_TYPES = (CommunityEngagement, Advocacy, Publicity)


def _changed(*records: Any, stored: Iterable[Any] = ()) -> None:
    """Tell the listeners; `stored` are the records as they were before the change (their months changed too)."""
    library_ids = {r.library_id for r in records if getattr(r, "library_id", None)}
    if library_ids:
        months = record_months([*records, *stored])
        records_changed.send(sender=type(records[0]), library_ids=library_ids, months=months)


def _entry_data(model: type[Any], data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name in model.ENTRY_FIELDS}


def _validate(record: LibraryRecord | Replication) -> None:
    if isinstance(record, Replication):
        replication_validate_entry(record)
    else:
        record_validate_entry(record)
    # Uniqueness (client id) was looked up already and the check constraints restate rules the
    # validators above enforce with better messages; the database still enforces both. The people and
    # places are set by the service, never typed: the database's foreign keys check them, not a query each.
    record.full_clean(
        exclude=["library", "region", "entered_by", "verified_by", "last_edited_by"],
        validate_unique=False,
        validate_constraints=False,
    )


def record_validate(record: LibraryRecord | Replication) -> None:
    """Every check an entered record passes, raising a ValidationError keyed by field (forms and imports)."""
    _validate(record)


def _validate_draft(record: Any) -> None:
    """A draft keeps whatever was filled in: only what is there must be well formed, nothing is required.

    The database's own rules (a sex split that adds up) still hold, so a draft never fails on saving.
    """
    if not isinstance(record, DRAFT_TYPES):
        raise ValidationError(_("Laporan jenis ini tidak bisa disimpan sebagai draf."))
    empty = [name for name in type(record).ENTRY_FIELDS if getattr(record, name) in (None, "", [])]
    if len(empty) == len(type(record).ENTRY_FIELDS):
        raise ValidationError(_("Draf masih kosong: isi paling sedikit satu isian."))
    record.full_clean(exclude=["library", "entered_by", "verified_by", *empty], validate_unique=False)


def record_get_by_client_id(*, model: type[Any], client_id: uuid.UUID) -> Any | None:
    return model.objects.filter(client_id=client_id).first()


def record_create(
    *,
    model: type[Any],
    user: User | None,
    data: dict[str, Any],
    library: Library | None = None,
    client_id: uuid.UUID | None = None,
    photos: Sequence[PreparedPhoto] = (),
    staged: Sequence[StagedPhoto] = (),
    submit: bool = True,
    client_digest: str = "",
) -> tuple[Any, bool]:
    """Save a new record (submitted, or a draft) with its photos; returns (record, created).

    `staged` are photos kept from the form's earlier round trips (the caller checked they are the
    user's). A draft keeps whatever was filled in; only a submission passes every check. A resend with
    a client id already saved returns that record unchanged, never a second one; `client_digest` is kept
    with it so the caller can tell an identical resend from different content under the same id.
    """
    if client_id is not None:
        existing = record_get_by_client_id(model=model, client_id=client_id)
        if existing is not None:
            _check_same_owner(existing, library)
            return existing, False
    fields = _entry_data(model, data)
    record = model(**fields, entered_by=user, last_edited_by=user, status=Status.SUBMITTED if submit else Status.DRAFT)
    if library is not None:
        record.library = library
    if client_id is not None:
        record.client_id = client_id
        record.client_digest = client_digest
    if submit:
        _validate(record)
    else:
        _validate_draft(record)
    try:
        with transaction.atomic():
            record.save()
            photos_save(record=record, prepared=photos, user=user)
            photos_adopt(record=record, staged=staged, user=user, start_position=len(photos))
            audit_log(
                record=record,
                action=AuditAction.CREATE,
                user=user,
                changes=diff({}, snapshot(record, model.ENTRY_FIELDS)),
            )
            _changed(record)
    except IntegrityError:
        # Two copies of the same submission raced; the first one won.
        if client_id is None:
            raise
        existing = record_get_by_client_id(model=model, client_id=client_id)
        if existing is None:
            raise
        return existing, False
    return record, True


def _check_same_owner(existing: Any, library: Library | None) -> None:
    if library is not None and getattr(existing, "library_id", None) != library.pk:
        raise ValidationError(_("Kode kiriman ini sudah dipakai untuk laporan lain."))


@transaction.atomic
def record_update(
    *,
    record: Any,
    user: User | None,
    data: dict[str, Any],
    photos: Sequence[PreparedPhoto] = (),
    staged: Sequence[StagedPhoto] = (),
    remove_photos: Collection[int] = (),
    seen: dt.datetime | None = None,
    draft: bool = False,
    send: bool = False,
) -> dict[str, list[Any]]:
    """Apply a correction, adding `photos` (and `staged` ones) and removing the photos in `remove_photos`.

    The photo count rules of the record type hold for what remains plus what is added. A verified or
    returned record goes back to the verification queue. `seen` is the version (`updated_at`) the form
    was filled from: if somebody changed the record since, nothing is saved (RecordConflict).

    On a draft, `draft` saves what is there without the submission checks, and `send` applies every
    check and submits it, only if it is still a draft (a second tab that sent it first wins).
    """
    model = type(record)
    stored = _lock(record, seen=seen, allowed={Status.DRAFT} if draft or send else None)
    before = snapshot(record, model.ENTRY_FIELDS)
    for name, value in _entry_data(model, data).items():
        setattr(record, name, value)
    changes = diff(before, snapshot(record, model.ENTRY_FIELDS))
    if not changes and not photos and not staged and not remove_photos and not send:
        return {}
    if draft:
        _validate_draft(record)
    else:
        _validate(record)
    adding = len(photos) + len(staged)
    photos_before = record_photo_count(record) if adding or remove_photos or send else 0
    removed = photos_remove(record=record, photo_ids=remove_photos, user=user) if remove_photos else []
    if adding or removed or (send and photo_limits(model) is not None):
        # After the removal, inside this transaction: a refused count undoes it.
        _check_photo_count(model, existing=photos_before, removing=len(removed), adding=adding, draft=draft)
    previous = record.status
    if previous in (Status.VERIFIED, Status.RETURNED):
        record.status = Status.SUBMITTED
        record.verified_by = None
        record.verified_at = None
        changes["status"] = [previous, Status.SUBMITTED.value]
    record.last_edited_by = user
    record.save()
    if send:
        _send_draft(record)
        changes["status"] = [previous, Status.SUBMITTED.value]
    if adding:
        kept = photos_before - len(removed)
        photos_save(record=record, prepared=photos, user=user, start_position=kept)
        photos_adopt(record=record, staged=staged, user=user, start_position=kept + len(photos))
    if adding or removed:
        changes["photos"] = [photos_before, photos_before - len(removed) + adding]
    if removed:
        # The numbers the removed photos had on the record's page ("Foto 2"); the files are gone.
        changes["photos_removed"] = [removed, None]
    audit_log(record=record, action=AuditAction.SUBMIT if send else AuditAction.UPDATE, user=user, changes=changes)
    _changed(record, stored=[stored])
    return changes


def _send_draft(record: Any) -> None:
    """Submit a draft with an UPDATE conditional on it still being a draft: a second sender changes nothing."""
    now = timezone.now()
    sent = (
        type(record).objects.filter(pk=record.pk, status=Status.DRAFT).update(status=Status.SUBMITTED, updated_at=now)
    )
    if not sent:
        raise _conflict(record)
    record.status, record.updated_at = Status.SUBMITTED, now


def _check_photo_count(model: type[Any], *, existing: int, removing: int, adding: int, draft: bool = False) -> None:
    limits = photo_limits(model)
    if limits is None:
        raise ValidationError({"photos": _("Laporan jenis ini tidak memakai foto.")})
    try:
        # A draft may still lack photos; it may not hold more than a record can.
        minimum = 0 if draft else limits[0]
        photos_check_count(existing=existing, removing=removing, adding=adding, minimum=minimum, maximum=limits[1])
    except ValidationError as error:
        raise ValidationError({"photos": error.messages}) from error


def record_photo_count(record: Any) -> int:
    return photos_for(record).count()


class RecordConflict(ValidationError):
    """Somebody changed the record between the moment it was read and this action: nothing was done."""


_LABEL_DONE: dict[str, Any] = {
    AuditAction.VERIFY: gettext_lazy("Laporan ini baru saja diverifikasi oleh %(who)s (%(when)s)."),
    AuditAction.RETURN: gettext_lazy("Laporan ini baru saja dikembalikan oleh %(who)s (%(when)s)."),
    AuditAction.SUBMIT: gettext_lazy("Laporan ini baru saja dikirim oleh %(who)s (%(when)s)."),
    AuditAction.WITHDRAW: gettext_lazy("Laporan ini baru saja ditarik oleh %(who)s (%(when)s)."),
    AuditAction.UPDATE: gettext_lazy("Laporan ini baru saja diubah oleh %(who)s (%(when)s)."),
}


def _conflict(record: Any) -> RecordConflict:
    """Says who acted last, so the loser of a race knows what happened instead of a bare refusal."""
    last = audit_for(record).order_by("-at", "-pk").first()
    if last is None or last.action not in _LABEL_DONE:
        return RecordConflict(_("Laporan ini baru saja diubah orang lain. Muat ulang halaman lalu coba lagi."))
    who = str(last.user) if last.user else _("sistem")
    when = date_format(timezone.localtime(last.at), "j M Y H.i")
    return RecordConflict(str(_LABEL_DONE[last.action]) % {"who": who, "when": when})


def _lock(record: Any, *, allowed: Collection[str] | None = None, seen: dt.datetime | None = None) -> Any:
    """Lock the record's row and bring `record` up to date with it; returns the row as stored.

    Every status change goes through here first, so it is conditional on what is really stored: a
    second facilitator acting on the same record waits for the first and then sees the new status.
    `seen` (the `updated_at` the person's page showed) makes the action conditional on that version.
    """
    current = type(record).objects.select_for_update().filter(pk=record.pk).first()
    if current is None:
        raise RecordConflict(_("Laporan ini tidak ditemukan lagi."))
    stale = seen is not None and current.updated_at != seen
    for name in ("status", "return_comment", "verified_by_id", "verified_at", "last_edited_by_id", "updated_at"):
        setattr(record, name, getattr(current, name))
    if stale:
        for name in type(record).ENTRY_FIELDS:
            setattr(record, name, getattr(current, name))
    if stale or (allowed is not None and current.status not in allowed):
        raise _conflict(record)
    return current


def _set_status(
    record: Any, *, status: str, user: User | None, action: str, comment: str = "", stored: Any = None
) -> None:
    previous = record.status
    record.status = status
    fields = ["status", "updated_at"]
    if status == Status.VERIFIED:
        record.verified_by = user
        record.verified_at = timezone.now()
        fields += ["verified_by", "verified_at"]
    if action == AuditAction.RETURN:
        record.return_comment = comment
        fields.append("return_comment")
    record.save(update_fields=fields)
    audit_log(record=record, action=action, user=user, changes={"status": [previous, status]}, comment=comment)
    _changed(record, stored=[stored] if stored is not None else [])


@transaction.atomic
def record_submit(*, record: Any, user: User | None, seen: dt.datetime | None = None) -> None:
    if record.status not in _CAN_SUBMIT:
        raise ValidationError(_("Laporan ini sudah dikirim."))
    stored = _lock(record, allowed={record.status}, seen=seen)
    _validate(record)
    if record.status == Status.DRAFT and photo_limits(type(record)) is not None:
        # A draft may have been saved without its photos; a returned record was checked when first sent.
        _check_photo_count(type(record), existing=record_photo_count(record), removing=0, adding=0)
    _set_status(record, status=Status.SUBMITTED, user=user, action=AuditAction.SUBMIT, stored=stored)


def _check_not_entered_by(record: Any, user: User) -> None:
    if record.entered_by_id is not None and record.entered_by_id == user.pk:
        raise ValidationError(_("Anda tidak bisa memverifikasi laporan yang Anda isi sendiri."))


def _check_not_own(record: Any, user: User) -> None:
    """Nobody verifies a version whose content they wrote (a return stays open to a corrector)."""
    _check_not_entered_by(record, user)
    if record.last_edited_by_id is not None and record.last_edited_by_id == user.pk:
        raise ValidationError(
            _("Anda mengubah isi laporan ini, jadi orang lain yang memverifikasinya. Anda tetap bisa mengembalikannya.")
            if record.status == Status.SUBMITTED
            else _("Anda mengubah isi laporan ini, jadi orang lain yang memverifikasinya.")
        )


@transaction.atomic
def record_verify(*, record: Any, user: User, seen: dt.datetime | None = None) -> None:
    """Mark as *Sudah Diverifikasi*. The caller has checked the user's role over the library.

    Nobody verifies a version whose content they wrote: not their own entry, nor a record they corrected.
    """
    if record.status not in _CAN_VERIFY:
        raise (
            _conflict(record)
            if record.status in (Status.VERIFIED, Status.RETURNED, Status.WITHDRAWN)
            else (ValidationError(_("Hanya laporan yang belum diverifikasi yang bisa diverifikasi.")))
        )
    stored = _lock(record, allowed={record.status}, seen=seen)
    _check_not_own(record, user)
    _set_status(record, status=Status.VERIFIED, user=user, action=AuditAction.VERIFY, stored=stored)
    notify_records_verified(records=[record], user=user)


@transaction.atomic
def records_verify_bulk(*, records: Sequence[Any], user: User) -> tuple[int, int]:
    """Verify many at once; records whose content the user wrote or no longer waiting are skipped.

    Only rows still waiting when their lock is taken are changed and logged, so a record verified or
    returned meanwhile by someone else is skipped, never logged twice. Returns (verified, skipped).
    """
    by_model: dict[type[Any], list[Any]] = {}
    for record in records:
        by_model.setdefault(type(record), []).append(record)
    now = timezone.now()
    done: list[Any] = []
    stored: list[Any] = []  # the months as stored, not as the page that listed the records showed them
    for model, group in by_model.items():
        month_fields = [
            f.attname for f in model._meta.concrete_fields if f.name in ("library", "date", "year", "month")
        ]
        rows = (
            model.objects.select_for_update()
            .filter(pk__in=[r.pk for r in group], status__in=_CAN_VERIFY)
            .exclude(entered_by=user)
            .exclude(last_edited_by=user)
            .values("pk", *month_fields)
        )
        locked = [SimpleNamespace(**row) for row in rows]
        stored += locked
        waiting = {row.pk for row in locked}
        eligible = [r for r in group if r.pk in waiting]
        if not eligible:
            continue
        model.objects.filter(pk__in=waiting).update(
            status=Status.VERIFIED, verified_by=user, verified_at=now, updated_at=now
        )
        for record in eligible:
            record.status, record.verified_by, record.verified_at, record.updated_at = Status.VERIFIED, user, now, now
        audit_log_many(
            records=eligible,
            action=AuditAction.VERIFY,
            user=user,
            changes={"status": [Status.SUBMITTED.value, Status.VERIFIED.value]},
        )
        done += eligible
    if done:
        _changed(*done, stored=stored)
        notify_records_verified(records=done, user=user)
    return len(done), len(records) - len(done)


@transaction.atomic
def record_return(*, record: Any, user: User, comment: str, seen: dt.datetime | None = None) -> None:
    """Send back to the library with a comment saying what to correct."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Tulis apa yang perlu diperbaiki.")})
    if record.status not in _CAN_RETURN:
        raise (
            _conflict(record)
            if record.status in (Status.RETURNED, Status.WITHDRAWN)
            else (ValidationError(_("Laporan ini tidak bisa dikembalikan.")))
        )
    # Conditional on the status read: a return meant for a waiting record must not undo a
    # verification that landed in between (the returner has not seen it).
    stored = _lock(record, allowed={record.status}, seen=seen)
    _check_not_entered_by(record, user)
    _set_status(record, status=Status.RETURNED, user=user, action=AuditAction.RETURN, comment=comment, stored=stored)
    notify_record_returned(record=record, user=user, comment=comment)


@transaction.atomic
def record_withdraw(*, record: Any, user: User | None, comment: str = "", seen: dt.datetime | None = None) -> None:
    """Withdraw: the record stays with its history but no longer counts anywhere."""
    if record.status == Status.WITHDRAWN:
        return
    stored = _lock(record, allowed={record.status}, seen=seen)
    _set_status(record, status=Status.WITHDRAWN, user=user, action=AuditAction.WITHDRAW, comment=comment, stored=stored)
