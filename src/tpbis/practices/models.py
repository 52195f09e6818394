"""Good practice (*praktik baik*): what a library did that worked, written to be copied by others."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tpbis.libraries.models import Library
from tpbis.reports.models import AdvocacyOutcome


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Menunggu tinjauan")
    PUBLISHED = "published", _("Terbit")
    RETURNED = "returned", _("Dikembalikan untuk diperbaiki")


class Cost(models.TextChoices):
    NONE = "none", _("Tanpa biaya")
    LOW = "low", _("Biaya rendah")
    FUNDED = "funded", _("Dengan pendanaan")


class Practice(models.Model):
    """One good practice of a partner library, reviewed by a provincial officer before it is shared."""

    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="practices", verbose_name=_("perpustakaan")
    )
    title = models.CharField(_("judul"), max_length=200)
    problem = models.TextField(_("masalah yang dijawab"))
    steps = models.TextField(_("apa yang dilakukan"))
    results = models.TextField(_("hasil"))
    people_reached = models.PositiveIntegerField(_("jumlah penerima manfaat"), null=True, blank=True)
    activity_field = models.CharField(_("bidang kegiatan"), max_length=80, blank=True)
    audience = models.CharField(_("sasaran"), max_length=80, blank=True)
    cost = models.CharField(_("biaya"), max_length=8, choices=Cost.choices, default=Cost.NONE)
    advocacy_result = models.CharField(_("hasil advokasi"), max_length=10, choices=AdvocacyOutcome.choices, blank=True)
    # KPI parts the author says it raised (kpi RecordType codes), besides those its tags and records imply.
    focus = models.JSONField(_("bagian IKU yang terbantu"), default=list, blank=True)
    # Every KPI part the practice raised, as ",pelibatan,publikasi,": one substring filter on any database.
    components = models.CharField(max_length=80, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=PracticeStatus.choices, default=PracticeStatus.DRAFT)
    is_public = models.BooleanField(_("tampil di halaman publik"), default=False)
    return_comment = models.TextField(_("catatan pengembalian"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("penulis")
    )
    published_at = models.DateTimeField(_("terbit"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("praktik baik")
        verbose_name_plural = _("praktik baik")
        ordering = ["-published_at", "-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="practice_status_published"),
            models.Index(fields=["library", "status"], name="practice_library_status"),
        ]
        constraints = [
            models.CheckConstraint(
                name="practice_public_only_published",
                condition=models.Q(is_public=False) | models.Q(status="published"),
                violation_error_message=_("Hanya praktik yang sudah terbit yang dapat tampil di halaman publik."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def component_codes(self) -> list[str]:
        return [code for code in self.components.split(",") if code]


class PracticeRecord(models.Model):
    """A record of the same library the practice grew from (an activity, an advocacy effort, ...)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="record_links")
    record_type = models.CharField(max_length=12)
    record_id = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("laporan asal")
        verbose_name_plural = _("laporan asal")
        constraints = [
            models.UniqueConstraint(fields=["practice", "record_type", "record_id"], name="practice_record_unique")
        ]

    def __str__(self) -> str:
        return f"{self.record_type}:{self.record_id}"


class PracticeStep(models.Model):
    """One move along the review chain (draft → submitted → published / returned → submitted ...)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="steps_taken")
    from_status = models.CharField(max_length=10, choices=PracticeStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=PracticeStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("riwayat tinjauan")
        verbose_name_plural = _("riwayat tinjauan")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.practice_id}: {self.from_status} → {self.to_status}"
