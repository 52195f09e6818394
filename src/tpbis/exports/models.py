"""A large export that runs in the background (*ekspor*), and where its file ends up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu giliran")
    RUNNING = "running", _("Sedang dibuat")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


def export_upload_to(job: ExportJob, filename: str) -> str:
    # Per-user folders keep one person's files apart on disk and in a bucket; downloads still go
    # through the view, which checks the owner.
    return f"exports/{job.user_id}/{job.pk or 'new'}-{filename}"


class ExportJob(models.Model):
    """One export of a list, with the filters it was asked with, built by the worker."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("jenis ekspor"), max_length=32)
    # The list page's query string as {name: [values]}, parsed again by the list's filter form.
    params = models.JSONField(default=dict, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    status = models.CharField(_("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    language = models.CharField(max_length=10, blank=True)  # the file's headers and labels are in it
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    filename = models.CharField(_("nama file"), max_length=200, blank=True)
    file = models.FileField(upload_to=export_upload_to, max_length=300, blank=True)
    error = models.TextField(_("pesan galat"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ekspor")
        verbose_name_plural = _("ekspor")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind}.{self.format} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(99, 100 * self.rows_done // self.rows_total) if self.rows_total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
