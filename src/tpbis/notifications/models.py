"""Messages to one person (*notifikasi*) and each person's choice of channel per kind."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    RECORD_RETURNED = "record_returned", _("Laporan dikembalikan untuk diperbaiki")
    RECORD_VERIFIED = "record_verified", _("Laporan diverifikasi")
    INVITATION_ACCEPTED = "invitation_accepted", _("Undangan diterima")
    SCORE_CHANGED = "score_changed", _("Warna skor IKU berubah")
    SCHEME_NEW = "scheme_new", _("Skema IKU baru")
    EXPORT_READY = "export_ready", _("Ekspor siap diunduh")
    REMINDER = "reminder", _("Pengingat")
    WEEKLY_SUMMARY = "weekly_summary", _("Ringkasan mingguan")
    HANDOVER = "handover", _("Serah terima pengelola")
    GATHERING = "gathering", _("Pertemuan")
    GENERAL = "general", _("Lainnya")


class Channel(models.TextChoices):
    OFF = "off", _("Mati")
    IN_APP = "in_app", _("Hanya di aplikasi")
    EMAIL = "email", _("Di aplikasi dan email")


# Kinds that also go by email unless the person chooses otherwise.
EMAIL_BY_DEFAULT: frozenset[str] = frozenset(
    {Kind.RECORD_RETURNED, Kind.INVITATION_ACCEPTED, Kind.EXPORT_READY, Kind.REMINDER, Kind.WEEKLY_SUMMARY}
)
# Kinds a person may switch off entirely. The rest carry work someone waits for (a returned record to
# correct, a library handed over, an export asked for) and always reach the app.
MAY_SWITCH_OFF: frozenset[str] = frozenset(
    {
        Kind.RECORD_VERIFIED,
        Kind.INVITATION_ACCEPTED,
        Kind.SCORE_CHANGED,
        Kind.SCHEME_NEW,
        Kind.REMINDER,
        Kind.WEEKLY_SUMMARY,
        Kind.GATHERING,
    }
)


def default_channel(kind: str) -> str:
    return Channel.EMAIL if kind in EMAIL_BY_DEFAULT else Channel.IN_APP


class Notification(models.Model):
    """One message to one person, shown under the bell and possibly mailed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("penerima")
    )
    kind = models.CharField(_("jenis"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"), blank=True)
    url = models.CharField(_("tautan"), max_length=500, blank=True)  # site-relative path
    whatsapp_text = models.TextField(_("teks WhatsApp"), blank=True)
    # Plain id (no foreign key): a notification outlives nothing it points at and never blocks a delete.
    library_id = models.IntegerField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_dedupe"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def whatsapp_url(self) -> str:
        """A wa.me link with the text ready; the facilitator picks whom to send it to."""
        return f"https://wa.me/?text={quote(self.whatsapp_text)}" if self.whatsapp_text else ""


class NotificationPreference(models.Model):
    """A person's channel for one kind; without a row the kind's default applies (see default_channel)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("jenis"), max_length=24, choices=Kind.choices)
    channel = models.CharField(_("saluran"), max_length=8, choices=Channel.choices)

    class Meta:
        verbose_name = _("pengaturan notifikasi")
        verbose_name_plural = _("pengaturan notifikasi")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique"),
            models.CheckConstraint(
                name="notification_preference_off_only_where_allowed",
                condition=~Q(channel=Channel.OFF) | Q(kind__in=sorted(MAY_SWITCH_OFF)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} = {self.channel}"
