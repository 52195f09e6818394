"""The audit trail of shared data (*jejak audit*): who changed what, when, from what to what."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Dibuat")
    UPDATE = "update", _("Diubah")
    DEACTIVATE = "deactivate", _("Dinonaktifkan")
    ACTIVATE = "activate", _("Diaktifkan")
    DELETE = "delete", _("Dihapus")
    ROLE_ADD = "role_add", _("Peran ditambahkan")
    ROLE_CHANGE = "role_change", _("Peran diubah")
    ROLE_REMOVE = "role_remove", _("Peran dicabut")
    INVITE = "invite", _("Undangan dibuat")
    INVITE_REVOKE = "invite_revoke", _("Undangan dicabut")
    INVITE_ACCEPT = "invite_accept", _("Undangan diterima")
    ACCOUNT_ACTIVATE = "account_activate", _("Akun diaktifkan")
    PASSWORD_RESET = "password_reset", _("Kata sandi diatur ulang")
    HANDOVER = "handover", _("Serah terima")
    IMPORT = "import", _("Diimpor")
    TOKEN_CREATE = "token_create", _("Token API dibuat")
    TOKEN_REVOKE = "token_revoke", _("Token API dicabut")
    SCHEME_CREATE = "scheme_create", _("Skema KPI dibuat")
    SCHEME_UPDATE = "scheme_update", _("Skema KPI diubah")
    SCHEME_ACTIVATE = "scheme_activate", _("Skema KPI diaktifkan")


class AuditEvent(models.Model):
    """One change a person made to shared data (a library, an account, a role, a token, a KPI scheme)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("jenis data"))
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # Kept as text so the history still reads well after the object is renamed or gone.
    object_repr = models.CharField(_("data"), max_length=300)
    action = models.CharField(_("tindakan"), max_length=24, choices=AuditAction.choices)
    # PROTECT: a person who changed shared data can be deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pelaku"),
    )
    actor_label = models.CharField(_("pelaku"), max_length=300)
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    # {"field": [before, after]} with values as a person reads them (text, numbers, lists).
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)
    comment = models.TextField(_("catatan"), blank=True)
    # Plain columns, not foreign keys: this app sits below libraries and regions.
    library_id = models.PositiveBigIntegerField(_("perpustakaan"), null=True, blank=True)
    # The most precise region code known (a village, a kabupaten/kota or a province); filtered by prefix.
    region_code = models.CharField(_("wilayah"), max_length=20, blank=True, db_index=True)

    class Meta:
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="audit_target_at"),
            models.Index(fields=["library_id", "at"], name="audit_library_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.object_repr}"
