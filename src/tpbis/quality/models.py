"""Data quality (*kualitas data*): outlier settings, flags found by the scan, and their follow-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from tpbis.libraries.models import Library
from tpbis.quality.measures import Measure

DEFAULT_THRESHOLD = Decimal("3.0")


class OutlierSettings(models.Model):
    """The national team's threshold for z-scores and modified z-scores (one row, pk=1)."""

    threshold = models.DecimalField(
        _("ambang skor z"),
        max_digits=4,
        decimal_places=1,
        default=DEFAULT_THRESHOLD,
        help_text=_("Nilai yang skor z-nya (atau skor z termodifikasinya) melebihi ambang ini ditandai."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("pengaturan pencilan")
        verbose_name_plural = _("pengaturan pencilan")
        constraints = [models.CheckConstraint(name="quality_threshold_positive", condition=Q(threshold__gt=0))]

    def __str__(self) -> str:
        return str(self.threshold)

    def clean(self) -> None:
        if self.threshold is not None and self.threshold <= 0:
            raise ValidationError({"threshold": _("Ambang harus lebih dari 0")})


class MeasureBounds(models.Model):
    """The lowest and highest plausible value of a measure, set by the national team (either may be empty)."""

    measure = models.CharField(_("ukuran"), max_length=16, choices=Measure.choices, unique=True)
    minimum = models.DecimalField(_("batas bawah"), max_digits=12, decimal_places=2, null=True, blank=True)
    maximum = models.DecimalField(_("batas atas"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("batas nilai")
        verbose_name_plural = _("batas nilai")
        constraints = [
            models.CheckConstraint(
                name="quality_bounds_ordered",
                condition=Q(minimum__isnull=True) | Q(maximum__isnull=True) | Q(minimum__lte=models.F("maximum")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.minimum}–{self.maximum}"


class Basis(models.TextChoices):
    """What a flagged value was compared with."""

    HISTORY = "history", _("riwayat perpustakaan")
    PEERS = "peers", _("perpustakaan sejenis")
    BOUNDS = "bounds", _("batas nilai")


class FollowUp(models.TextChoices):
    OPEN = "open", _("Belum ditindaklanjuti")
    CHECKED = "checked", _("Sudah diperiksa")
    CONFIRMED = "confirmed", _("Dipastikan benar")
    CORRECTED = "corrected", _("Sudah diperbaiki")


class OutlierFlag(models.Model):
    """A value of one record that lies far from the usual (*pencilan*), as the last scan found it."""

    record_type = models.CharField(max_length=12)
    record_id = models.PositiveBigIntegerField()
    measure = models.CharField(_("ukuran"), max_length=16, choices=Measure.choices)
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+", verbose_name=_("perpustakaan"))
    # Denormalised from the library so a region's page filters by one indexed column.
    province_id = models.CharField(max_length=2)
    regency_id = models.CharField(max_length=5, blank=True)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    value = models.DecimalField(_("nilai"), max_digits=14, decimal_places=2)
    basis = models.CharField(_("dibandingkan dengan"), max_length=8, choices=Basis.choices)
    # The usual range shown beside the value ("biasanya 150–300").
    usual_low = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    usual_high = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    z_score = models.FloatField(null=True)
    modified_z = models.FloatField(null=True)
    # How far the value lies (the larger absolute score, or a bound's distance): flags are ranked by it.
    distance = models.FloatField(db_index=True)
    high = models.BooleanField(help_text="True above the usual, False below.")
    found_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("tindak lanjut"), max_length=10, choices=FollowUp.choices, default=FollowUp.OPEN)
    note = models.TextField(_("catatan"), blank=True)
    followed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    followed_at = models.DateTimeField(null=True, blank=True)
    # Raised by every follow-up mark; a mark is taken only on the version its author saw.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("pencilan")
        verbose_name_plural = _("pencilan")
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id", "measure"], name="quality_flag_unique"),
        ]
        indexes = [
            models.Index(fields=["record_type", "record_id"], name="quality_flag_record"),
            models.Index(fields=["regency_id", "-distance"], name="quality_flag_regency"),
            models.Index(fields=["province_id", "-distance"], name="quality_flag_province"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.period_label} ({self.record_type} #{self.record_id})"

    @property
    def period_label(self) -> str:
        """The month the value is for, "Jan 2026"."""
        return formats.date_format(dt.date(self.year, self.month, 1), "M Y")


class FlagFollowUp(models.Model):
    """One follow-up mark on a flag, kept as history (the flag holds the latest)."""

    flag = models.ForeignKey(OutlierFlag, on_delete=models.CASCADE, related_name="follow_ups")
    status = models.CharField(max_length=10, choices=FollowUp.choices)
    previous_status = models.CharField(max_length=10, choices=FollowUp.choices)
    note = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tindak lanjut pencilan")
        verbose_name_plural = _("tindak lanjut pencilan")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.flag_id}: {self.previous_status} → {self.status}"


class PeerStats(models.Model):
    """The spread of a measure among libraries of one kind, as of the last full scan.

    A scan of one library (after its records changed) compares it with these instead of re-reading the
    nation.
    """

    measure = models.CharField(max_length=16, choices=Measure.choices)
    kind = models.CharField(max_length=16)
    libraries = models.PositiveIntegerField()
    median = models.FloatField()
    mad = models.FloatField()
    mean_ad = models.FloatField()
    mean = models.FloatField()
    stddev = models.FloatField()
    low = models.FloatField()
    high = models.FloatField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["measure", "kind"], name="quality_peer_unique")]

    def __str__(self) -> str:
        return f"{self.measure}/{self.kind}"
