"""Record values as people read them: "Rp 5.000.000", "6 Des 2026", "Kepala Desa, Camat", choice labels.

One place for the record page, its history and the verification queue, so a value reads the same on each
and never as a stored code, an ISO date or a Python list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tpbis.core.templatetags.core_tags import num, score
from tpbis.reports.models import (
    Advocacy,
    AdvocacyOutcome,
    CommunityEngagement,
    InformationService,
    Publicity,
    Replication,
    Visitors,
)

EMPTY = "–"
# Fields that hold rupiah; their verbose names say "(Rp)" and their values read "Rp 5.000.000".
MONEY_FIELDS = frozenset({"amount", "funds"})


def rupiah(value: Any) -> str:
    """ "Rp 5.000.000" (thousands grouped in the reader's language)."""
    return f"Rp {num(value)}"


def day_text(value: dt.date | dt.datetime) -> str:
    """A date or moment in the one format pages use: "6 Des 2026", "6 Des 2026, 14.30"."""
    return date_format(value, "DATETIME_FORMAT" if isinstance(value, dt.datetime) else "DATE_FORMAT")


def month_name(month: int) -> str:
    return date_format(dt.date(2000, month, 1), "F")


def value_text(model: type[models.Model], name: str, value: Any) -> str:
    """A field's value as text, whether read from the record or from its history (where dates are ISO
    strings, choices their stored codes and lists JSON lists)."""
    if value is None or value == "" or value == []:
        return EMPTY
    field = _field(model, name)
    if name == "month" and isinstance(value, int) and 1 <= value <= 12:
        return month_name(value)
    if name == "year":
        return str(value)  # 2026, never "2.026"
    if isinstance(value, list | tuple):
        return ", ".join(value_text(model, "", item) for item in value) or EMPTY
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateField) and isinstance(value, str):
        value = _parsed_date(value, moment=isinstance(field, models.DateTimeField))
    if isinstance(value, dt.date):
        return day_text(value)
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if name in MONEY_FIELDS:
        return rupiah(value)
    if isinstance(field, models.DecimalField | models.FloatField) or isinstance(value, Decimal | float):
        return _decimal_text(value)
    if isinstance(value, int):
        return num(value)
    return str(value)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    if not name:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist: keys of the history that are not fields ("photos")
        return None
    return field if isinstance(field, models.Field) else None


def _parsed_date(text: str, *, moment: bool) -> Any:
    try:
        return dt.datetime.fromisoformat(text) if moment else dt.date.fromisoformat(text[:10])
    except ValueError:
        return text


def _decimal_text(value: Any) -> str:
    """10.50 reads "10,5", 30.00 reads "30" (Indonesian decimal comma, no trailing zeros)."""
    try:
        Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return score(value)


def record_title(record: Any, type_label: str) -> str:
    """The record's own title, or its type and period: "Pengunjung Desember 2026", "Replikasi mandiri 2026"."""
    if record.title_text:
        return str(record.title_text)
    if getattr(record, "month", None):
        return f"{type_label} {month_name(record.month)} {record.year}"
    return f"{type_label} {record.year}"


@dataclass(frozen=True)
class Figure:
    """One key figure of a record in the verification queue: "Laki-laki 120"."""

    label: str
    value: str


def key_figures(record: Any) -> list[Figure]:
    """The figures a verifier checks first, so most records are verified without opening them."""
    if isinstance(record, CommunityEngagement):
        return _engagement_figures(record)
    if isinstance(record, Advocacy):
        return _advocacy_figures(record)
    if isinstance(record, Publicity):
        return [Figure(_("Media"), f"{record.media_kind} · {record.media_name}")]
    if isinstance(record, InformationService):
        return [
            Figure(_("Buku"), num(record.books)),
            Figure(_("Buku digital"), num(record.digital_books)),
            Figure(_("Komputer"), num(record.computers)),
            Figure(_("Internet"), _("%(mbps)s Mbps") % {"mbps": _decimal_text(record.bandwidth)}),
        ]
    if isinstance(record, Visitors):
        return [
            Figure(_("Laki-laki"), num(record.male)),
            Figure(_("Perempuan"), num(record.female)),
            Figure(_("Total"), num(record.total)),
        ]
    if isinstance(record, Replication):
        return [
            Figure(_("Dana"), rupiah(record.funds)),
            Figure(_("Sumber"), record.funding_source),
            Figure(_("Desa"), num(record.villages)),
        ]
    return []


def _engagement_figures(record: CommunityEngagement) -> list[Figure]:
    figures = [Figure(_("Peserta"), num(record.participants))]
    if record.participants_male is not None and record.participants_female is not None:
        figures.append(
            Figure(
                _("L / P"),
                f"{num(record.participants_male)} / {num(record.participants_female)}",
            )
        )
    if record.participants_disability:
        figures.append(Figure(_("Disabilitas"), num(record.participants_disability)))
    figures.append(Figure(_("Bidang"), f"{record.activity_field} · {record.activity_kind} · {record.audience}"))
    return figures


def _advocacy_figures(record: Advocacy) -> list[Figure]:
    figures = [
        Figure(_("Sasaran"), value_text(Advocacy, "targets", record.targets)),
        Figure(_("Hasil"), value_text(Advocacy, "outcome", record.outcome)),
    ]
    if record.outcome == AdvocacyOutcome.FUNDS:
        figures.append(Figure(_("Nominal"), rupiah(record.amount)))
    elif record.outcome == AdvocacyOutcome.IN_KIND:
        figures.append(
            Figure(
                _("Bantuan"),
                ngettext("%(n)s narasumber", "%(n)s narasumber", record.resource_persons)
                % {"n": num(record.resource_persons)}
                + ", "
                + ngettext("%(n)s barang", "%(n)s barang", record.goods) % {"n": num(record.goods)},
            )
        )
    elif record.outcome == AdvocacyOutcome.REGULATION:
        issued = day_text(record.regulation_date) if record.regulation_date else EMPTY
        figures.append(Figure(_("Regulasi"), f"{record.regulation_kind or EMPTY} · {issued}"))
    return figures
