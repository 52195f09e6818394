"""Counted records summarised per area and month, so region figures never scan millions of records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tpbis.regions.models import Region


class RecordSummary(models.Model):
    """Submitted and verified records of one area's libraries in one month, per record type and status.

    The area is the library's kabupaten/kota, or its province for provincial libraries. Rows are rebuilt
    for the affected areas in the same transaction as every record write, so they are never stale.
    """

    area = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("bulan"), help_text=_("Hari pertama bulan kegiatan."))
    record_type = models.CharField(_("jenis laporan"), max_length=12)
    status = models.CharField(_("status"), max_length=10)
    records = models.PositiveIntegerField(_("jumlah laporan"), default=0)
    # Participants for community engagement, visitors for the visitors report, 0 otherwise.
    people = models.PositiveBigIntegerField(default=0)
    male = models.PositiveBigIntegerField(default=0)
    female = models.PositiveBigIntegerField(default=0)
    disability = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("ringkasan laporan")
        verbose_name_plural = _("ringkasan laporan")
        constraints = [
            models.UniqueConstraint(fields=["area", "month", "record_type", "status"], name="summary_unique_cell")
        ]
        indexes = [
            models.Index(fields=["month"], name="summary_month"),
            models.Index(fields=["province", "month"], name="summary_province_month"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.month:%Y-%m} {self.record_type} {self.status}: {self.records}"
