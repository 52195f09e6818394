"""Writes of the quality app: the national team's outlier settings and a facilitator's follow-up mark."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import actor_label, audit_change, audit_diff, decimal_text
from tpbis.quality.measures import Measure
from tpbis.quality.models import FlagFollowUp, FollowUp, MeasureBounds, OutlierFlag, OutlierSettings
from tpbis.quality.tasks import outliers_scan_soon

Bounds = dict[str, tuple[Decimal | None, Decimal | None]]


class FlagConflict(ValidationError):
    """Somebody marked the flag after this person read it: nothing was changed."""


def outlier_settings_get() -> tuple[OutlierSettings, Bounds]:
    settings = OutlierSettings.objects.filter(pk=1).first() or OutlierSettings(pk=1)
    found = {b.measure: (b.minimum, b.maximum) for b in MeasureBounds.objects.all()}
    return settings, {m: found.get(m, (None, None)) for m in Measure.values}


def _readable_settings(threshold: Decimal, bounds: Bounds) -> dict[str, Any]:
    readable: dict[str, Any] = {str(_("ambang")): decimal_text(Decimal(threshold))}
    for measure, (low, high) in bounds.items():
        label = str(Measure(measure).label)
        readable[label] = f"{'' if low is None else decimal_text(low)}–{'' if high is None else decimal_text(high)}"
    return readable


@transaction.atomic
def outlier_settings_update(*, user: User, threshold: Decimal, bounds: Bounds) -> OutlierSettings:
    """Save the threshold and bounds (validated, audited); flags follow at the next scan."""
    settings = OutlierSettings.objects.select_for_update().filter(pk=1).first() or OutlierSettings(pk=1)
    old_bounds = outlier_settings_get()[1]
    before = _readable_settings(settings.threshold, old_bounds)
    settings.threshold = threshold
    settings.updated_by = user
    errors: dict[str, list[str]] = {}
    try:
        settings.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    for measure, (low, high) in bounds.items():
        if low is not None and high is not None and low > high:
            errors[f"{measure}_min"] = [_("Batas bawah tidak boleh lebih dari batas atas.")]
    if errors:
        raise ValidationError(errors)
    settings.save()
    for measure, (low, high) in bounds.items():
        MeasureBounds.objects.update_or_create(measure=measure, defaults={"minimum": low, "maximum": high})
    changes = audit_diff(before, _readable_settings(threshold, bounds))
    if changes:
        audit_change(actor=user, action=AuditAction.UPDATE, target=settings, changes=changes)
        transaction.on_commit(outliers_scan_soon)
    return settings


@transaction.atomic
def flag_follow_up(*, flag: OutlierFlag, user: User, status: str, note: str, seen_version: int) -> OutlierFlag:
    """Mark a flag checked, confirmed correct or corrected, only if nobody marked it since it was read.

    The caller has checked the user's role over the flag's library.
    """
    if status not in (FollowUp.CHECKED, FollowUp.CONFIRMED, FollowUp.CORRECTED):
        raise ValidationError({"status": [_("Pilih tindak lanjut yang tersedia.")]})
    locked = (
        OutlierFlag.objects.select_for_update(of=("self",)).select_related("followed_by", "library").get(pk=flag.pk)
    )
    if locked.version != seen_version:
        raise _conflict(locked)
    previous, previous_note = locked.status, locked.note
    now = timezone.now()
    note = note.strip()
    # Conditional on the version read: a second writer that slipped past the lock (none should) changes nothing.
    updated = OutlierFlag.objects.filter(pk=locked.pk, version=seen_version).update(
        status=status, note=note, followed_by=user, followed_at=now, version=seen_version + 1
    )
    if updated != 1:
        raise _conflict(OutlierFlag.objects.select_related("followed_by").get(pk=locked.pk))
    FlagFollowUp.objects.create(flag=locked, status=status, previous_status=previous, note=note, user=user, at=now)
    locked.refresh_from_db()
    audit_change(
        actor=user,
        action=AuditAction.UPDATE,
        target=locked,
        changes={
            str(_("tindak lanjut")): [str(FollowUp(previous).label), str(FollowUp(status).label)],
            **({str(_("catatan")): [previous_note, note]} if previous_note != note else {}),
        },
        comment=note,
        library_id=locked.library_id,
        region_code=locked.library.region_id,
    )
    return locked


def _conflict(flag: OutlierFlag) -> FlagConflict:
    when = formats.date_format(timezone.localtime(flag.followed_at), "j M Y H:i") if flag.followed_at else ""
    return FlagConflict(
        _("Tanda ini baru saja diubah oleh %(who)s (%(when)s): %(status)s. Tidak ada yang diubah; periksa lagi.")
        % {"who": actor_label(flag.followed_by), "when": when, "status": FollowUp(flag.status).label}
    )
