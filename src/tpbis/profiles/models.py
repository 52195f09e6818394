"""A library's yearly profile (*profil perpustakaan*): what the IPLM census asks of it once a year.

Perpusnas's literacy index (IPLM, Perban Perpusnas 7/2025) needs each library's collection, staff, members
and visits (KTAK). The library states the first three here once a year; the visits come from the monthly
visitor records it already reports.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tpbis.core.templatetags.core_tags import num
from tpbis.libraries.models import FIRST_COHORT_YEAR, Library

# Above these a figure is a typing slip (an extra zero, the copies typed into the titles), not a library:
# a provincial library holds a few hundred thousand titles.
MAX_TITLES = 1_000_000
MAX_COPIES = 3_000_000
MAX_STAFF = 500
MAX_MEMBERS = 1_000_000

# Indonesia's bounding box, a little wider than its outermost islands (Weh, Rote, Miangas, Merauke).
LATITUDE_RANGE = (Decimal("-11.2"), Decimal("6.2"))
LONGITUDE_RANGE = (Decimal("94.7"), Decimal("141.2"))


class InternetKind(models.TextChoices):
    FIXED = "kabel", _("Kabel atau serat optik (wifi)")
    MOBILE = "seluler", _("Data seluler")
    SATELLITE = "satelit", _("Satelit")
    OTHER = "lainnya", _("Lainnya")


class LibraryProfile(models.Model):
    """One library's collection, staff, members, opening times, internet and location in one year."""

    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="profiles", verbose_name=_("perpustakaan")
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    titles = models.PositiveIntegerField(_("jumlah judul"), help_text=_("Berapa judul buku yang berbeda."))
    copies = models.PositiveIntegerField(
        _("jumlah eksemplar"), help_text=_("Semua buku fisik, termasuk judul yang sama lebih dari satu.")
    )
    staff_paid = models.PositiveSmallIntegerField(_("tenaga dibayar"))
    staff_volunteer = models.PositiveSmallIntegerField(_("tenaga relawan"))
    staff_trained = models.PositiveSmallIntegerField(
        _("tenaga terlatih"), help_text=_("Yang pernah ikut pelatihan perpustakaan, dibayar atau relawan.")
    )
    members = models.PositiveIntegerField(_("anggota terdaftar"))
    opening_days = models.PositiveSmallIntegerField(_("hari buka per minggu"))
    opening_hours = models.DecimalField(_("jam buka per hari"), max_digits=3, decimal_places=1)
    has_internet = models.BooleanField(_("ada internet"))
    internet_kind = models.CharField(_("jenis internet"), max_length=8, choices=InternetKind.choices, blank=True)
    latitude = models.DecimalField(_("lintang"), max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("bujur"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Raised by every save: a save is conditional on the version the person's form was opened at.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profil perpustakaan")
        verbose_name_plural = _("profil perpustakaan")
        ordering = ["library_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["library", "year"], name="profile_one_per_library_year"),
            models.CheckConstraint(name="profile_copies_at_least_titles", condition=Q(copies__gte=models.F("titles"))),
            models.CheckConstraint(
                name="profile_opening_days_1_7", condition=Q(opening_days__gte=1, opening_days__lte=7)
            ),
            models.CheckConstraint(
                name="profile_location_both_or_none",
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
            ),
            models.CheckConstraint(
                name="profile_location_in_indonesia",
                condition=Q(latitude__isnull=True)
                | Q(
                    latitude__gte=LATITUDE_RANGE[0],
                    latitude__lte=LATITUDE_RANGE[1],
                    longitude__gte=LONGITUDE_RANGE[0],
                    longitude__lte=LONGITUDE_RANGE[1],
                ),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Profil %(library)s tahun %(year)s") % {"library": self.library, "year": self.year}

    @property
    def staff_total(self) -> int:
        return self.staff_paid + self.staff_volunteer

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}

        def add(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        if self.year and self.year > timezone.localdate().year:
            add("year", gettext("Profil diisi untuk tahun yang sudah berjalan, bukan tahun depan."))
        elif self.year and self.year < FIRST_COHORT_YEAR:
            add("year", gettext("Profil dimulai dari tahun %(year)s.") % {"year": FIRST_COHORT_YEAR})
        self._clean_counts(add)
        if self.opening_days is not None and not 1 <= self.opening_days <= 7:
            add("opening_days", gettext("Hari buka per minggu antara 1 dan 7."))
        if self.opening_hours is not None and not Decimal("0.5") <= self.opening_hours <= 24:
            add("opening_hours", gettext("Jam buka per hari antara 0,5 dan 24."))
        if self.has_internet and not self.internet_kind:
            add("internet_kind", gettext("Pilih jenis sambungan internetnya."))
        if not self.has_internet:
            self.internet_kind = ""
        self._clean_location(add)
        if errors:
            raise ValidationError(errors)

    def _clean_counts(self, add: Any) -> None:
        limits = (
            (
                "titles",
                MAX_TITLES,
                gettext("Jumlah judul tidak wajar untuk satu perpustakaan (%(value)s); periksa lagi."),
            ),
            (
                "copies",
                MAX_COPIES,
                gettext("Jumlah eksemplar tidak wajar untuk satu perpustakaan (%(value)s); periksa lagi."),
            ),
            (
                "staff_paid",
                MAX_STAFF,
                gettext("Jumlah tenaga tidak wajar untuk satu perpustakaan (%(value)s); periksa lagi."),
            ),
            (
                "staff_volunteer",
                MAX_STAFF,
                gettext("Jumlah relawan tidak wajar untuk satu perpustakaan (%(value)s); periksa lagi."),
            ),
            (
                "members",
                MAX_MEMBERS,
                gettext("Jumlah anggota tidak wajar untuk satu perpustakaan (%(value)s); periksa lagi."),
            ),
        )
        for name, limit, message in limits:
            value = getattr(self, name)
            if value is not None and value > limit:
                add(name, message % {"value": num(value)})
        if self.titles is not None and self.copies is not None and self.copies < self.titles:
            add(
                "copies",
                gettext("Jumlah eksemplar (%(copies)s) tidak boleh kurang dari jumlah judul (%(titles)s).")
                % {"copies": num(self.copies), "titles": num(self.titles)},
            )
        paid, volunteer, trained = self.staff_paid, self.staff_volunteer, self.staff_trained
        if None not in (paid, volunteer, trained) and trained > paid + volunteer:
            add("staff_trained", gettext("Tenaga terlatih tidak boleh lebih banyak dari tenaga dibayar dan relawan."))

    def _clean_location(self, add: Any) -> None:
        lat, lng = self.latitude, self.longitude
        if (lat is None) != (lng is None):
            add("longitude" if lng is None else "latitude", gettext("Isi lintang dan bujur, atau kosongkan keduanya."))
            return
        if lat is None or lng is None:
            return
        inside = LATITUDE_RANGE[0] <= lat <= LATITUDE_RANGE[1] and LONGITUDE_RANGE[0] <= lng <= LONGITUDE_RANGE[1]
        if not inside:
            add(
                "latitude",
                gettext(
                    "Lokasi (lintang %(lat)s, bujur %(lng)s) berada di luar Indonesia; periksa lagi. Di selatan "
                    "khatulistiwa lintangnya negatif, mis. -7.1234."
                )
                % {"lat": lat, "lng": lng},
            )
