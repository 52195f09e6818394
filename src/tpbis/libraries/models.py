"""Partner libraries (*perpustakaan mitra*) of the TPBIS programme."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tpbis.regions.models import Level, Region

FIRST_COHORT_YEAR = 2018


class LibraryKind(models.TextChoices):
    PROVINCE = "provinsi", _("Perpustakaan provinsi")
    REGENCY = "kabupaten_kota", _("Perpustakaan kabupaten/kota")
    VILLAGE = "desa_kelurahan", _("Perpustakaan desa/kelurahan")
    TBM = "tbm", _("Taman Bacaan Masyarakat (TBM)")


# The region level a partner of each kind is registered at.
REGION_LEVEL_FOR_KIND: dict[str, int] = {
    LibraryKind.PROVINCE: Level.PROVINCE,
    LibraryKind.REGENCY: Level.REGENCY,
    LibraryKind.VILLAGE: Level.VILLAGE,
    LibraryKind.TBM: Level.VILLAGE,
}


class Support(models.TextChoices):
    FULL = "full_support", _("Dukungan Penuh")
    BOOKS = "bantuan_buku", _("Bantuan Buku")
    REPLICATION = "replikasi_mandiri", _("Replikasi Mandiri")


FUNDING_SOURCE_SUGGESTIONS = ["APBD Provinsi", "APBD Kabupaten/Kota", "APBDes", "CSR", "Swadaya"]


class AccountStatus(models.TextChoices):
    """Whether the library's manager can report in the system (derived, never stored)."""

    NONE = "none", _("Belum punya akun")
    INVITED = "invited", _("Diundang")
    ACTIVATED = "activated", _("Akun aktif")
    ACTIVE_MONTH = "active_month", _("Melapor bulan ini")


class Library(models.Model):
    """A partner library: provincial, kabupaten/kota, village library or TBM."""

    name = models.CharField(_("nama perpustakaan"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=16, choices=LibraryKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="libraries", verbose_name=_("wilayah"))
    # Denormalised from region so scope filters are one indexed equality, not a code prefix scan.
    province = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", editable=False)
    regency = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", null=True, editable=False)
    support = models.CharField(_("jenis dukungan"), max_length=20, choices=Support.choices)
    funding_source = models.CharField(
        _("sumber dana"), max_length=100, blank=True, help_text=_("Untuk replikasi mandiri, mis. APBD atau APBDes.")
    )
    cohort_year = models.PositiveSmallIntegerField(
        _("tahun angkatan"), validators=[MinValueValidator(FIRST_COHORT_YEAR)]
    )
    npp = models.CharField(
        _("NPP"), max_length=32, null=True, blank=True, help_text=_("Nomor Pokok Perpustakaan, jika ada.")
    )
    address = models.TextField(_("alamat"), blank=True)
    contact_name = models.CharField(_("nama kontak"), max_length=150, blank=True)
    contact_phone = models.CharField(_("telepon/WhatsApp"), max_length=30, blank=True)
    contact_email = models.EmailField(_("email kontak"), blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    # The real SIM's own spellings of this library's name and village, by its field name ("desa_kelurahan":
    # "Lemahkembar" where Kemendagri writes "Lemah Kembar"), so the compatible API serves what it served.
    sim_names = models.JSONField(_("nama di SIM lama"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("perpustakaan mitra")
        verbose_name_plural = _("perpustakaan mitra")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["npp"], condition=Q(npp__isnull=False), name="library_npp_unique"),
            models.CheckConstraint(condition=Q(cohort_year__gte=FIRST_COHORT_YEAR), name="library_cohort_from_2018"),
        ]
        indexes = [
            models.Index(fields=["province", "is_active"]),
            models.Index(fields=["regency", "is_active"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sync_region_columns()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        if self.npp is not None:
            self.npp = self.npp.strip() or None
        if self.region_id and self.kind:
            expected = REGION_LEVEL_FOR_KIND.get(self.kind)
            if self.region.level != expected:
                errors.setdefault("region", []).append(_region_level_message(self.kind))
        if self.cohort_year and self.cohort_year > timezone.localdate().year + 1:
            errors.setdefault("cohort_year", []).append(_("Tahun angkatan tidak boleh di masa depan."))
        if self.support != Support.REPLICATION and self.funding_source:
            errors.setdefault("funding_source", []).append(_("Sumber dana hanya diisi untuk mitra replikasi mandiri."))
        if errors:
            raise ValidationError(errors)

    def sync_region_columns(self) -> None:
        code = self.region_id or ""
        self.province_id = code[:2]
        self.regency_id = code[:5] if code.count(".") >= 1 else None


def _region_level_message(kind: str) -> str:
    messages: dict[str, str] = {
        LibraryKind.PROVINCE: gettext("Perpustakaan provinsi harus berada di wilayah provinsi."),
        LibraryKind.REGENCY: gettext("Perpustakaan kabupaten/kota harus berada di wilayah kabupaten/kota."),
        LibraryKind.VILLAGE: gettext("Perpustakaan desa/kelurahan harus berada di wilayah desa/kelurahan."),
        LibraryKind.TBM: gettext("TBM harus berada di wilayah desa/kelurahan."),
    }
    return messages[kind]
