"""Writes of partner libraries. Callers have already checked the user's role over the region."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot
from tpbis.libraries.models import Library
from tpbis.libraries.signals import libraries_moved
from tpbis.reports.signals import records_changed

EDITABLE_FIELDS = (
    "name",
    "kind",
    "region",
    "support",
    "funding_source",
    "cohort_year",
    "npp",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def library_create(*, actor: User | None = None, **fields: Any) -> Library:
    """Register a partner library after full validation (model rules and database constraints).

    `actor` is the person registering it; None only for the system's own work (demo data).
    """
    library = Library(**{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    library.npp = (library.npp or "").strip() or None
    library.sync_region_columns()
    library.full_clean()
    with transaction.atomic():
        library.save()
        audit_change(
            actor=actor,
            action=AuditAction.CREATE,
            target=library,
            changes=audit_diff({}, audit_snapshot(library, EDITABLE_FIELDS)),
        )
    return library


def library_update(*, library: Library, actor: User | None = None, **fields: Any) -> list[str]:
    """Apply changed fields; returns the names of the fields that changed (empty when nothing did)."""
    before = audit_snapshot(library, EDITABLE_FIELDS)
    changed = []
    previous_region = library.region_id
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            continue
        if name == "npp":
            value = (value or "").strip() or None
        current = library.region_id if name == "region" else getattr(library, name)
        new = value.pk if name == "region" and value is not None else value
        if current != new:
            setattr(library, name, value)
            changed.append(name)
    if changed:
        library.sync_region_columns()
        library.full_clean()
        with transaction.atomic():
            library.save()
            audit_change(
                actor=actor,
                action=AuditAction.UPDATE,
                target=library,
                changes=audit_diff(before, audit_snapshot(library, EDITABLE_FIELDS)),
            )
            if "region" in changed:
                libraries_moved.send(sender=Library, region_codes={previous_region, library.region_id})
            if {"cohort_year", "kind"} & set(changed):
                expected_reports_changed([library.pk])
    return changed


def expected_reports_changed(library_ids: list[int]) -> None:
    """These partners' active flag, cohort year or kind changed: the months they are expected to report or
    the scheme that scores them did, so every month of theirs is counted and scored again (summaries,
    scores of every month end and today's), in the caller's transaction."""
    if library_ids:
        records_changed.send(sender=Library, library_ids=set(library_ids), months=None)


@transaction.atomic
def library_set_active(*, library: Library, active: bool, actor: User | None = None, comment: str = "") -> None:
    """Deactivate (or reactivate) a partner. Partners are never deleted: their history stays."""
    if library.is_active != active:
        before = audit_snapshot(library, ["is_active"])
        library.is_active = active
        library.save(update_fields=["is_active", "updated_at"])
        expected_reports_changed([library.pk])
        audit_change(
            actor=actor,
            action=AuditAction.ACTIVATE if active else AuditAction.DEACTIVATE,
            target=library,
            changes=audit_diff(before, audit_snapshot(library, ["is_active"])),
            comment=comment,
        )
