"""Writes of library records: entry, correction, verification, return and withdrawal, all audited."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.libraries.models import Library
from tpbis.reports.audit import audit_log, audit_log_many, diff, snapshot
from tpbis.reports.models import (
    AuditAction,
    LibraryRecord,
    Replication,
    Status,
)
from tpbis.reports.photos import PreparedPhoto, photos_check_count, photos_for, photos_remove, photos_save
from tpbis.reports.rules import photo_limits, record_validate_entry, replication_validate_entry
from tpbis.reports.signals import records_changed

# Statuses from which each action is allowed.
_CAN_VERIFY = {Status.SUBMITTED}
_CAN_RETURN = {Status.SUBMITTED, Status.VERIFIED}
_CAN_SUBMIT = {Status.DRAFT, Status.RETURNED}


def _changed(*records: Any) -> None:
    library_ids = {r.library_id for r in records if getattr(r, "library_id", None)}
    if library_ids:
        records_changed.send(sender=type(records[0]), library_ids=library_ids)


def _entry_data(model: type[Any], data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name in model.ENTRY_FIELDS}


def _validate(record: LibraryRecord | Replication) -> None:
    if isinstance(record, Replication):
        replication_validate_entry(record)
    else:
        record_validate_entry(record)
    # Uniqueness (client id) was looked up already and the check constraints restate rules the
    # validators above enforce with better messages; the database still enforces both.
    record.full_clean(
        exclude=["library", "region", "entered_by", "verified_by"], validate_unique=False, validate_constraints=False
    )


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
    submit: bool = True,
) -> tuple[Any, bool]:
    """Save a new record (submitted, or a draft) with its photos; returns (record, created).

    A resend with a client id already saved returns that record unchanged, never a second one.
    """
    if client_id is not None:
        existing = record_get_by_client_id(model=model, client_id=client_id)
        if existing is not None:
            _check_same_owner(existing, library)
            return existing, False
    fields = _entry_data(model, data)
    record = model(**fields, entered_by=user, status=Status.SUBMITTED if submit else Status.DRAFT)
    if library is not None:
        record.library = library
    if client_id is not None:
        record.client_id = client_id
    _validate(record)
    try:
        with transaction.atomic():
            record.save()
            photos_save(record=record, prepared=photos, user=user)
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
    remove_photos: Collection[int] = (),
) -> dict[str, list[Any]]:
    """Apply a correction, adding `photos` and removing the record's photos whose ids are in `remove_photos`.

    The photo count rules of the record type hold for what remains plus what is added. A verified or
    returned record goes back to the verification queue.
    """
    model = type(record)
    before = snapshot(record, model.ENTRY_FIELDS)
    for name, value in _entry_data(model, data).items():
        setattr(record, name, value)
    changes = diff(before, snapshot(record, model.ENTRY_FIELDS))
    if not changes and not photos and not remove_photos:
        return {}
    _validate(record)
    photos_before = record_photo_count(record) if photos or remove_photos else 0
    removed = photos_remove(record=record, photo_ids=remove_photos, user=user) if remove_photos else []
    if photos or removed:
        # After the removal, inside this transaction: a refused count undoes it.
        _check_photo_count(model, existing=photos_before, removing=len(removed), adding=len(photos))
    previous = record.status
    if previous in (Status.VERIFIED, Status.RETURNED):
        record.status = Status.SUBMITTED
        record.verified_by = None
        record.verified_at = None
        changes["status"] = [previous, Status.SUBMITTED.value]
    record.save()
    if photos:
        photos_save(record=record, prepared=photos, user=user, start_position=photos_before - len(removed))
    if photos or removed:
        changes["photos"] = [photos_before, photos_before - len(removed) + len(photos)]
    if removed:
        # The numbers the removed photos had on the record's page ("Foto 2"); the files are gone.
        changes["photos_removed"] = [removed, None]
    audit_log(record=record, action=AuditAction.UPDATE, user=user, changes=changes)
    _changed(record)
    return changes


def _check_photo_count(model: type[Any], *, existing: int, removing: int, adding: int) -> None:
    limits = photo_limits(model)
    if limits is None:
        raise ValidationError({"photos": _("Laporan jenis ini tidak memakai foto.")})
    try:
        photos_check_count(existing=existing, removing=removing, adding=adding, minimum=limits[0], maximum=limits[1])
    except ValidationError as error:
        raise ValidationError({"photos": error.messages}) from error


def record_photo_count(record: Any) -> int:
    return photos_for(record).count()


def _set_status(record: Any, *, status: str, user: User | None, action: str, comment: str = "") -> None:
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
    _changed(record)


@transaction.atomic
def record_submit(*, record: Any, user: User | None) -> None:
    if record.status not in _CAN_SUBMIT:
        raise ValidationError(_("Laporan ini sudah dikirim."))
    _validate(record)
    _set_status(record, status=Status.SUBMITTED, user=user, action=AuditAction.SUBMIT)


def _check_not_own(record: Any, user: User) -> None:
    if record.entered_by_id is not None and record.entered_by_id == user.pk:
        raise ValidationError(_("Anda tidak bisa memverifikasi laporan yang Anda isi sendiri."))


@transaction.atomic
def record_verify(*, record: Any, user: User) -> None:
    """Mark as *Sudah Diverifikasi*. The caller has checked the user's role over the library."""
    _check_not_own(record, user)
    if record.status not in _CAN_VERIFY:
        raise ValidationError(_("Hanya laporan yang belum diverifikasi yang bisa diverifikasi."))
    _set_status(record, status=Status.VERIFIED, user=user, action=AuditAction.VERIFY)


@transaction.atomic
def records_verify_bulk(*, records: Sequence[Any], user: User) -> tuple[int, int]:
    """Verify many at once; records entered by the user or no longer waiting are skipped.

    Returns (verified, skipped).
    """
    eligible = [r for r in records if r.status in _CAN_VERIFY and not (r.entered_by_id and r.entered_by_id == user.pk)]
    by_model: dict[type[Any], list[Any]] = {}
    for record in eligible:
        by_model.setdefault(type(record), []).append(record)
    now = timezone.now()
    for model, group in by_model.items():
        model.objects.filter(pk__in=[r.pk for r in group], status=Status.SUBMITTED).update(
            status=Status.VERIFIED, verified_by=user, verified_at=now, updated_at=now
        )
        audit_log_many(records=group, action=AuditAction.VERIFY, user=user)
    if eligible:
        _changed(*eligible)
    return len(eligible), len(records) - len(eligible)


@transaction.atomic
def record_return(*, record: Any, user: User, comment: str) -> None:
    """Send back to the library with a comment saying what to correct."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Tulis apa yang perlu diperbaiki.")})
    _check_not_own(record, user)
    if record.status not in _CAN_RETURN:
        raise ValidationError(_("Laporan ini tidak bisa dikembalikan."))
    _set_status(record, status=Status.RETURNED, user=user, action=AuditAction.RETURN, comment=comment)


@transaction.atomic
def record_withdraw(*, record: Any, user: User | None, comment: str = "") -> None:
    """Withdraw: the record stays with its history but no longer counts anywhere."""
    if record.status == Status.WITHDRAWN:
        return
    _set_status(record, status=Status.WITHDRAWN, user=user, action=AuditAction.WITHDRAW, comment=comment)
