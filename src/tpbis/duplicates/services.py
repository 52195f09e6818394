"""Decisions on likely duplicates: dismiss (not a duplicate) or merge. Each is one transaction,
conditional on the pair still being open: of two reviewers acting at once, one wins and the other is
told who handled it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tpbis.accounts.models import Membership, User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import actor_label, audit_change
from tpbis.duplicates.models import DuplicateEvent, DuplicateKind, DuplicatePair, DuplicateStatus, PhotoHash, Side
from tpbis.duplicates.selectors import pair_objects
from tpbis.libraries.models import Library
from tpbis.libraries.services import library_set_active
from tpbis.reports.audit import audit_log_many
from tpbis.reports.models import AuditAction as RecordAction
from tpbis.reports.models import Status, record_models
from tpbis.reports.services import record_withdraw
from tpbis.reports.signals import records_changed


class AlreadyHandled(ValidationError):
    """Somebody decided on the pair between the moment it was shown and this action: nothing was done."""


def _already_handled(pair: DuplicatePair) -> AlreadyHandled:
    current = DuplicatePair.objects.select_related("resolved_by").get(pk=pair.pk)
    who = str(current.resolved_by) if current.resolved_by else _("sistem")
    when = date_format(timezone.localtime(current.resolved_at), "j M Y H.i") if current.resolved_at else ""
    return AlreadyHandled(
        _("Dugaan duplikat ini sudah ditangani oleh %(who)s (%(when)s): %(status)s.")
        % {"who": who, "when": when, "status": current.get_status_display().lower()}
    )


def _claim(pair: DuplicatePair, *, status: str, user: User, kept: str, comment: str) -> None:
    """Mark the pair decided only if it is still open (a conditional UPDATE: the second of two waits
    for the first and then finds no open row)."""
    now = timezone.now()
    claimed = DuplicatePair.objects.filter(pk=pair.pk, status=DuplicateStatus.OPEN).update(
        status=status, resolved_by=user, resolved_at=now, kept=kept, comment=comment
    )
    if not claimed:
        raise _already_handled(pair)
    pair.status, pair.resolved_by, pair.resolved_at, pair.kept, pair.comment = status, user, now, kept, comment


def _event(pair: DuplicatePair, *, user: User, changes: dict[str, list[Any]], comment: str) -> None:
    DuplicateEvent.objects.create(
        pair=pair,
        action=pair.status,
        actor=user,
        actor_label=actor_label(user)[:300],
        at=pair.resolved_at or timezone.now(),
        changes=changes,
        comment=comment,
    )


@transaction.atomic
def pair_dismiss(*, pair: DuplicatePair, user: User, comment: str = "") -> None:
    """Not a duplicate: the pair leaves the list and no later scan proposes it again."""
    comment = (comment or "").strip()
    _claim(pair, status=DuplicateStatus.DISMISSED, user=user, kept="", comment=comment)
    _event(pair, user=user, changes={"status": [DuplicateStatus.OPEN.value, pair.status]}, comment=comment)


@transaction.atomic
def pair_merge(*, pair: DuplicatePair, user: User, keep: str, comment: str = "") -> dict[str, list[Any]]:
    """Keep one side. Records: the other is withdrawn (it stays, with its history, but counts nowhere).
    Libraries: the other's records and memberships move to the kept one and it is deactivated.
    Returns the changes written to the pair's history."""
    if keep not in Side.values:
        raise ValidationError({"keep": _("Pilih yang dipertahankan.")})
    comment = (comment or "").strip()
    _claim(pair, status=DuplicateStatus.MERGED, user=user, kept=keep, comment=comment)
    first, second = pair_objects(pair)
    kept, other = (first, second) if keep == Side.FIRST else (second, first)
    if kept is None or other is None:
        raise ValidationError(_("Salah satu data pasangan ini tidak ditemukan lagi."))
    if pair.kind == DuplicateKind.LIBRARY:
        changes = _libraries_merge(kept=kept, other=other, user=user, comment=comment)
    else:
        changes = _record_withdraw(kept=kept, other=other, user=user, comment=comment)
    changes["status"] = [DuplicateStatus.OPEN.value, pair.status]
    _event(pair, user=user, changes=changes, comment=comment)
    return changes


def _record_withdraw(*, kept: Any, other: Any, user: User, comment: str) -> dict[str, list[Any]]:
    if other.status == Status.WITHDRAWN:
        raise ValidationError(_("Laporan duplikatnya sudah ditarik."))
    note = _("Duplikat dari “%(title)s” (%(library)s).") % {"title": kept.title_text, "library": kept.library}
    previous = other.get_status_display()
    record_withdraw(record=other, user=user, comment=f"{note} {comment}".strip())
    label = f"{other.title_text} ({other.library})"
    return {"withdrawn": [f"{label}: {previous}", f"{label}: {other.get_status_display()}"]}


def _libraries_merge(*, kept: Library, other: Library, user: User, comment: str) -> dict[str, list[Any]]:
    # Locked in id order so two merges touching the same libraries cannot deadlock.
    locked = {
        lib.pk: lib for lib in Library.objects.select_for_update().filter(pk__in=[kept.pk, other.pk]).order_by("pk")
    }
    kept, other = locked[kept.pk], locked[other.pk]
    if not (kept.is_active and other.is_active):
        inactive = other if not other.is_active else kept
        raise ValidationError(_("%(library)s sudah nonaktif; tidak ada yang digabung.") % {"library": inactive})
    moved: dict[str, int] = {}
    for model in record_models().values():
        ids = list(model.objects.filter(library=other).values_list("pk", flat=True))
        if not ids:
            continue
        audit_log_many(
            records=[model(pk=pk) for pk in ids],
            action=RecordAction.UPDATE,
            user=user,
            changes={"library": [str(other), str(kept)]},
            comment=_("Perpustakaan digabung: terdaftar dua kali."),
        )
        model.objects.filter(pk__in=ids).update(library=kept, updated_at=timezone.now())
        moved[str(model._meta.verbose_name)] = len(ids)
    PhotoHash.objects.filter(library=other).update(library=kept)
    memberships = _memberships_move(kept=kept, other=other, user=user)
    DuplicatePair.objects.filter(first_library=other).exclude(kind=DuplicateKind.LIBRARY).update(first_library=kept)
    DuplicatePair.objects.filter(second_library=other).exclude(kind=DuplicateKind.LIBRARY).update(second_library=kept)
    note = _("Digabung ke %(kept)s (#%(id)s).") % {"kept": kept, "id": kept.pk}
    library_set_active(library=other, active=False, actor=user, comment=f"{note} {comment}".strip())
    audit_change(
        actor=user,
        action=AuditAction.UPDATE,
        target=kept,
        changes={"merged_from": [None, f"{other} (#{other.pk})"], "records_moved": [None, moved]},
        comment=comment,
    )
    if moved:
        records_changed.send(sender=Library, library_ids={kept.pk, other.pk})
    return {
        "kept": [None, f"{kept} (#{kept.pk})"],
        "deactivated": [f"{other} (#{other.pk})", None],
        "records_moved": [None, ", ".join(f"{name}: {n}" for name, n in moved.items()) or "0"],
        "memberships_moved": [None, memberships],
    }


def _memberships_move(*, kept: Library, other: Library, user: User) -> int:
    """The other library's managers now manage the kept one (one who already does keeps that role)."""
    already = set(Membership.objects.filter(library=kept).values_list("user_id", flat=True))
    count = 0
    for membership in Membership.objects.select_for_update().filter(library=other).select_related("user"):
        if membership.user_id in already:
            audit_change(
                actor=user,
                action=AuditAction.ROLE_REMOVE,
                target=membership,
                changes={"library": [str(other), None]},
                comment=_("Sudah mengelola %(kept)s.") % {"kept": kept},
            )
            membership.delete()
            continue
        membership.library = kept
        membership.save(update_fields=["library"])
        audit_change(
            actor=user,
            action=AuditAction.ROLE_CHANGE,
            target=membership,
            changes={"library": [str(other), str(kept)]},
            library_id=kept.pk,
            region_code=kept.region_id,
        )
        count += 1
    return count
