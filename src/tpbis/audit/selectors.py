"""Reading the audit trail: a library's history, the national list, and lines a person can read."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tpbis.audit.models import AuditEvent

EMPTY = "–"


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""  # part of the name or email, as it was at the time
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    region: str = ""  # a region code: the province, kabupaten/kota or village and everything below


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    target: str  # "Undangan: …"; empty when the page is about the target itself
    lines: list[ChangeLine]


def audit_for_library(*, library_id: int) -> QuerySet[AuditEvent]:
    """Everything that happened to one partner library: its data, status, invitations and roles."""
    return AuditEvent.objects.filter(library_id=library_id).select_related("content_type")


def audit_list(*, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The audit trail for the national team, newest first, narrowed by `filters`."""
    events = AuditEvent.objects.select_related("content_type")
    if filters.actor:
        events = events.filter(actor_label__icontains=filters.actor)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.date_from:
        events = events.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(at__date__lte=filters.date_to)
    if filters.region:
        events = events.filter(Q(region_code=filters.region) | Q(region_code__startswith=filters.region + "."))
    return events


# Keys that are not model fields, or whose field name reads badly ("Aktif: aktif → nonaktif").
_LABELS = {
    "is_active": lambda: _("Status"),
    "role": lambda: _("Peran"),
    "roles": lambda: _("Peran"),
    "status": lambda: _("Status"),
    "email": lambda: _("Email"),
    "library": lambda: _("Perpustakaan"),
    "region": lambda: _("Wilayah"),
    "expires_at": lambda: _("Berlaku sampai"),
    "weights": lambda: _("Bobot"),
    "components": lambda: _("Komponen"),
    "prefix": lambda: _("Awalan kunci"),
    "revoked_at": lambda: _("Dicabut pada"),
    "accepted_at": lambda: _("Diterima pada"),
    "pengelola": lambda: _("Pengelola"),
    "pengelola_sejak": lambda: _("Pengelola sejak"),
    "pengguna": lambda: _("Pengguna"),
    "peran": lambda: _("Peran"),
}


def change_lines(event: AuditEvent) -> list[ChangeLine]:
    """ "Nama: Perpustakaan A → Perpustakaan B", field by field, labels in the reader's language."""
    model = event.content_type.model_class() if event.content_type_id else None
    lines = []
    for name, pair in (event.changes or {}).items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        lines.append(ChangeLine(_label(model, name), shown_text(before), shown_text(after)))
    return lines


def audit_rows(events: Iterable[AuditEvent], *, page_about: Model | None = None) -> list[AuditRow]:
    """Events ready to show; on the page of `page_about`, its own events do not repeat its name."""
    about = (ContentType.objects.get_for_model(page_about).pk, page_about.pk) if page_about is not None else None
    return [
        AuditRow(
            event,
            "" if about == (event.content_type_id, event.object_id) else _target(event),
            change_lines(event),
        )
        for event in events
    ]


def _target(event: AuditEvent) -> str:
    model = event.content_type.model_class()
    kind = capfirst(str(model._meta.verbose_name)) if model is not None else ""
    return f"{kind}: {event.object_repr}" if kind else event.object_repr


def _label(model: type | None, name: str) -> str:
    if name in _LABELS:
        return str(_LABELS[name]())
    if model is not None:
        try:
            verbose_name = getattr(model._meta.get_field(name), "verbose_name", None)  # type: ignore[attr-defined]
        except FieldDoesNotExist:
            verbose_name = None
        if verbose_name:
            return capfirst(str(verbose_name))
    return capfirst(name.replace("_", " "))


def shown_text(value: object) -> str:
    """A stored value as text: "–" for nothing, lists joined, dates "6 Des 2026", never a Python repr."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if isinstance(value, list | tuple):
        return ", ".join(shown_text(item) for item in value) or EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{key}: {shown_text(item)}" for key, item in value.items()) or EMPTY
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        return _moment_text(value)
    return str(value)


# How `readable()` stores dates and moments: ISO 8601, a moment in local time with its offset.
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?$")


def _moment_text(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if "T" not in value:
        return date_format(moment.date(), "DATE_FORMAT")
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "DATETIME_FORMAT")
