"""Likely duplicates (*duplikat*): pairs of records or libraries found by the scan, and their review."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tpbis.libraries.models import Library
from tpbis.reports.models import Photo


class PhotoHash(models.Model):
    """The perceptual hash (dHash, 64 bits as 16 hex digits) of one stored photo, with its record's owner.

    The record and library are copied from the photo so the scan groups hashes without the generic join.
    """

    photo = models.OneToOneField(Photo, on_delete=models.CASCADE, primary_key=True, related_name="+")
    dhash = models.CharField(max_length=16)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    library = models.ForeignKey(Library, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hash foto")
        verbose_name_plural = _("hash foto")
        indexes = [
            models.Index(fields=["dhash"], name="dup_photohash_dhash"),
            models.Index(fields=["content_type", "object_id"], name="dup_photohash_record"),
        ]

    def __str__(self) -> str:
        return f"{self.photo_id}: {self.dhash}"


class DuplicateKind(models.TextChoices):
    RECORDS = "records", _("Kegiatan mirip di dua perpustakaan")
    PHOTO = "photo", _("Foto yang sama di beberapa kegiatan")
    LIBRARY = "library", _("Perpustakaan terdaftar dua kali")


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("Perlu ditinjau")
    DISMISSED = "dismissed", _("Bukan duplikat")
    MERGED = "merged", _("Digabung")


class Side(models.TextChoices):
    FIRST = "first", _("yang pertama")
    SECOND = "second", _("yang kedua")


class DuplicatePair(models.Model):
    """Two records (or two libraries) that look like one. `pair_key` names the pair whatever its order,
    so a pair dismissed once is never proposed again by a later scan."""

    kind = models.CharField(_("jenis"), max_length=10, choices=DuplicateKind.choices)
    pair_key = models.CharField(max_length=80, unique=True)
    first_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    first_id = models.PositiveBigIntegerField()
    second_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    second_id = models.PositiveBigIntegerField()
    # The libraries of both sides (the libraries themselves for a library pair): the reviewer's scope.
    first_library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    second_library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    # Why they look alike: {"date": ..., "similarity": 0.93, "photo_hash": "..."}.
    evidence = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN)
    detected_at = models.DateTimeField(_("ditemukan"), default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("ditangani"), null=True, blank=True)
    kept = models.CharField(max_length=6, choices=Side.choices, blank=True)
    comment = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("dugaan duplikat")
        verbose_name_plural = _("dugaan duplikat")
        ordering = ["-detected_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "kind"], name="dup_pair_status_kind"),
            models.Index(fields=["first_library", "status"], name="dup_pair_first_lib"),
            models.Index(fields=["second_library", "status"], name="dup_pair_second_lib"),
        ]

    def __str__(self) -> str:
        return self.pair_key


class DuplicateEvent(models.Model):
    """One decision on a pair (dismissed or merged): who, when, and what changed from what to what."""

    pair = models.ForeignKey(DuplicatePair, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("tindakan"), max_length=10, choices=DuplicateStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # Kept as text so the history still reads well after the person is renamed.
    actor_label = models.CharField(_("pelaku"), max_length=300)
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)
    comment = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("riwayat duplikat")
        verbose_name_plural = _("riwayat duplikat")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.pair_id} {self.action}"
