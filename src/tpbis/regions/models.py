"""Indonesia's administrative regions (*wilayah*), as published by Kemendagri."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Provinsi")
    REGENCY = 2, _("Kabupaten/Kota")
    DISTRICT = 3, _("Kecamatan")
    VILLAGE = 4, _("Desa/Kelurahan")


class Kind(models.TextChoices):
    PROVINCE = "provinsi", _("Provinsi")
    KABUPATEN = "kabupaten", _("Kabupaten")
    KOTA = "kota", _("Kota")
    KECAMATAN = "kecamatan", _("Kecamatan")
    DESA = "desa", _("Desa")
    KELURAHAN = "kelurahan", _("Kelurahan")


def kind_for(code: str) -> Kind:
    """Derive the kind from the code: a regency part >= 71 is a kota; a village part starting 1 a kelurahan."""
    parts = code.split(".")
    if len(parts) == 1:
        return Kind.PROVINCE
    if len(parts) == 2:
        return Kind.KOTA if int(parts[1]) >= 71 else Kind.KABUPATEN
    if len(parts) == 3:
        return Kind.KECAMATAN
    return Kind.KELURAHAN if parts[3].startswith("1") else Kind.DESA


_SHORT_PREFIX = {Kind.KABUPATEN: "Kab. ", Kind.KOTA: "Kota ", Kind.KECAMATAN: "Kec. "}


class Region(models.Model):
    """One province, kabupaten/kota, kecamatan or desa/kelurahan, keyed by its dotted Kemendagri code."""

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    # Folded name without the "Kabupaten"/"Kota" prefix, for search and import matching.
    search_name = models.CharField(max_length=120, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        indexes = [models.Index(fields=["level", "search_name"])]

    def __str__(self) -> str:
        return self.short_name

    @property
    def undotted_code(self) -> str:
        return self.code.replace(".", "")

    @property
    def bare_name(self) -> str:
        """The name without its "Kabupaten " / "Kota " prefix (the data spells regencies in full)."""
        for prefix in ("Kabupaten ", "Kota "):
            if self.level == Level.REGENCY and self.name.startswith(prefix):
                return self.name[len(prefix) :]
        return self.name

    @property
    def short_name(self) -> str:
        """The name as programme documents write it: "Kab. Probolinggo", "Kota Blitar", "Kec. Sumbersuko"."""
        return _SHORT_PREFIX.get(Kind(self.kind), "") + self.bare_name

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def regency_code(self) -> str | None:
        return self.code[:5] if self.level >= Level.REGENCY else None
