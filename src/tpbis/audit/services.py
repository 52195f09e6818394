"""Writing the audit trail. Call `audit_change` inside the transaction of the change it describes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from tpbis.audit.models import AuditAction, AuditEvent


def decimal_text(value: Decimal) -> str:
    """30.00 -> "30", 30.50 -> "30.5": plain digits, never an exponent such as "3E+1"."""
    if not value.is_finite():
        return str(value)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def readable(value: Any, field: models.Field[Any, Any] | None = None) -> Any:
    """A JSON-safe form of a value as a person reads it, in Indonesian (the programme's language)."""
    with translation.override("id"):
        return _readable(value, field)


def _readable(value: Any, field: models.Field[Any, Any] | None) -> Any:
    if value is None:
        return None
    if field is not None and field.choices and not isinstance(value, list | tuple | set | dict):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        if field is not None and field.name == "is_active":
            return gettext("aktif") if value else gettext("nonaktif")
        return gettext("ya") if value else gettext("tidak")
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dt.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return moment.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model | Promise):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_readable(item, None) for item in value]
    if isinstance(value, dict):
        return {str(key): _readable(item, None) for key, item in value.items()}
    if isinstance(value, int | str):
        return value
    return str(value)


def _field(obj: models.Model, name: str) -> models.Field[Any, Any] | None:
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def audit_snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of an object as a person reads them: labels of choices, names of related objects."""
    return {name: readable(getattr(obj, name), _field(obj, name)) for name in fields}


def audit_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{"field": [before, after]} for every field whose readable value differs."""
    names = list(before) + [name for name in after if name not in before]
    return {name: [before.get(name), after.get(name)] for name in names if before.get(name) != after.get(name)}


def actor_label(actor: Any) -> str:
    """Name and email as they were at the time, so the history survives a rename."""
    if actor is None or not getattr(actor, "pk", None):
        with translation.override("id"):
            return gettext("Sistem")
    name = (getattr(actor, "full_name", "") or "").strip()
    email = getattr(actor, "email", "") or ""
    return f"{name} <{email}>" if name and email else name or email or str(actor)


def _inferred_scope(target: models.Model) -> tuple[int | None, str | None]:
    """The library and region a target belongs to, read from its columns (no import of higher apps)."""
    if target._meta.label_lower == "libraries.library":
        return target.pk, getattr(target, "region_id", None)
    library_id = getattr(target, "library_id", None)
    region_code = getattr(target, "region_id", None)
    if library_id is not None and region_code is None:
        library = getattr(target, "library", None)
        region_code = getattr(library, "region_id", None)
    return (library_id if isinstance(library_id, int) else None), (
        region_code if isinstance(region_code, str) else None
    )


def audit_change(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    changes: dict[str, list[Any]] | None = None,
    comment: str = "",
    library_id: int | None = None,
    region_code: str | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` to `target`, with readable before/after values.

    `actor` is a User (None only for system work such as a scheduled job). The library and region
    are taken from the target's own columns when not given, so a library's history lists its
    memberships and invitations too.
    """
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if target.pk is None:
        raise ValueError("audit_change needs a saved target")
    inferred_library, inferred_region = _inferred_scope(target)
    with translation.override("id"):
        object_repr = str(target)[:300]
    return AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        object_repr=object_repr,
        action=action,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor)[:300],
        changes={name: [readable(pair[0]), readable(pair[1])] for name, pair in (changes or {}).items()},
        comment=comment,
        library_id=library_id if library_id is not None else inferred_library,
        region_code=(region_code if region_code is not None else inferred_region) or "",
    )


def audit_change_many(
    *,
    actor: Any,
    action: str,
    changes_by_target: Sequence[tuple[models.Model, dict[str, list[Any]]]],
    comment: str = "",
) -> None:
    """One event per target in a single INSERT (imports of many libraries at once)."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if not changes_by_target:
        return
    label = actor_label(actor)[:300]
    who = actor if actor is not None and getattr(actor, "pk", None) else None
    now = timezone.now()
    events = []
    with translation.override("id"):
        for target, changes in changes_by_target:
            library_id, region_code = _inferred_scope(target)
            events.append(
                AuditEvent(
                    content_type=ContentType.objects.get_for_model(target),
                    object_id=target.pk,
                    object_repr=str(target)[:300],
                    action=action,
                    actor=who,
                    actor_label=label,
                    at=now,
                    changes={name: [readable(pair[0]), readable(pair[1])] for name, pair in changes.items()},
                    comment=comment,
                    library_id=library_id,
                    region_code=region_code or "",
                )
            )
    AuditEvent.objects.bulk_create(events, batch_size=500)
