"""The audit trail of records: every create, change and status change, with field diffs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from tpbis.accounts.models import User
from tpbis.audit.services import decimal_text
from tpbis.reports.models import AuditEntry


def shown(value: Any) -> Any:
    """A JSON-safe form of a field value, as a person would read it (30.00 is "30", never "3E+1")."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(record: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: shown(_typed(record, name)) for name in fields}


def _typed(record: models.Model, name: str) -> Any:
    """The value as its field types it: a form's "30.00" for a decimal is the number 30."""
    value = getattr(record, name)
    field = record._meta.get_field(name)
    if isinstance(field, models.DecimalField) and isinstance(value, str | int | float):
        try:
            return Decimal(str(value).strip())
        except ArithmeticError:
            return value
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def audit_log(
    *,
    record: models.Model,
    action: str,
    user: User | None,
    changes: dict[str, list[Any]] | None = None,
    comment: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        action=action,
        user=user,
        changes=changes or {},
        comment=comment,
    )


def audit_log_many(
    *,
    records: Sequence[models.Model],
    action: str,
    user: User | None,
    comment: str = "",
    at: Sequence[dt.datetime] | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    """One entry per record in a single INSERT (imports, bulk verification, demo data).

    `at`, one moment per record, dates entries of a history written after the fact; default now.
    """
    if not records:
        return
    content_type = ContentType.objects.get_for_model(records[0])
    moments = list(at) if at is not None else [timezone.now()] * len(records)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                content_type=content_type,
                object_id=r.pk,
                action=action,
                user=user,
                comment=comment,
                at=moment,
                changes=changes or {},
            )
            for r, moment in zip(records, moments, strict=True)
        ],
        batch_size=500,
    )


def audit_for(record: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("user")
