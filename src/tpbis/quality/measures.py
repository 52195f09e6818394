"""The figures checked for outliers: which record field, and how a person reads its unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tpbis.reports.models import CommunityEngagement, InformationService, Visitors


class Measure(models.TextChoices):
    VISITORS = "pengunjung", _("Pengunjung per bulan")
    BOOKS = "buku", _("Jumlah buku")
    DIGITAL_BOOKS = "buku_digital", _("Jumlah buku digital")
    COMPUTERS = "komputer", _("Jumlah komputer")
    BANDWIDTH = "bandwidth", _("Bandwidth (Mbps)")
    PARTICIPANTS = "peserta", _("Peserta per kegiatan")


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


def unit_text(measure: str, value: float) -> str:
    """The unit after a number: "pengunjung", "peserta", "buku", "Mbps"."""
    count = int(value) if float(value).is_integer() else 2
    units = {
        Measure.VISITORS: ngettext("pengunjung", "pengunjung", count),
        Measure.BOOKS: ngettext("buku", "buku", count),
        Measure.DIGITAL_BOOKS: ngettext("buku digital", "buku digital", count),
        Measure.COMPUTERS: ngettext("komputer", "komputer", count),
        Measure.BANDWIDTH: "Mbps",
        Measure.PARTICIPANTS: ngettext("peserta", "peserta", count),
    }
    return units[Measure(measure)]
