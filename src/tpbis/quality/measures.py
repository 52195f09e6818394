"""The figures checked for outliers: which record field, and how a person reads its unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tpbis.reports.models import CommunityEngagement, InformationService, Visitors


class Measure(models.TextChoices):
    VISITORS = "pengunjung", gettext_lazy("Pengunjung per bulan")
    BOOKS = "buku", gettext_lazy("Jumlah buku")
    DIGITAL_BOOKS = "buku_digital", gettext_lazy("Jumlah buku digital")
    COMPUTERS = "komputer", gettext_lazy("Jumlah komputer")
    BANDWIDTH = "bandwidth", gettext_lazy("Bandwidth (Mbps)")
    PARTICIPANTS = "peserta", gettext_lazy("Peserta per kegiatan")


@dataclass(frozen=True)
class MeasureSpec:
    measure: str
    model: type[Any]
    field: str

    @property
    def record_type(self) -> str:
        return str(self.model.RECORD_TYPE)


SPECS: dict[str, MeasureSpec] = {
    Measure.VISITORS: MeasureSpec(Measure.VISITORS, Visitors, "total"),
    Measure.BOOKS: MeasureSpec(Measure.BOOKS, InformationService, "books"),
    Measure.DIGITAL_BOOKS: MeasureSpec(Measure.DIGITAL_BOOKS, InformationService, "digital_books"),
    Measure.COMPUTERS: MeasureSpec(Measure.COMPUTERS, InformationService, "computers"),
    Measure.BANDWIDTH: MeasureSpec(Measure.BANDWIDTH, InformationService, "bandwidth"),
    Measure.PARTICIPANTS: MeasureSpec(Measure.PARTICIPANTS, CommunityEngagement, "participants"),
}


def specs_for_model(model: type[Any]) -> list[MeasureSpec]:
    return [spec for spec in SPECS.values() if spec.model is model]


def value_text(measure: str, value: float, number: str) -> str:
    """The value with its unit, plural-aware: "2.400 pengunjung" ("2,400 visitors"); `number` is formatted."""
    count = int(value) if float(value).is_integer() else 2
    if measure == Measure.BANDWIDTH:
        return _("%(n)s Mbps") % {"n": number}
    texts = {
        Measure.VISITORS: ngettext("%(n)s pengunjung", "%(n)s pengunjung", count),
        Measure.BOOKS: ngettext("%(n)s buku", "%(n)s buku", count),
        Measure.DIGITAL_BOOKS: ngettext("%(n)s buku digital", "%(n)s buku digital", count),
        Measure.COMPUTERS: ngettext("%(n)s komputer", "%(n)s komputer", count),
        Measure.PARTICIPANTS: ngettext("%(n)s peserta", "%(n)s peserta", count),
    }
    return texts[Measure(measure)] % {"n": number}
