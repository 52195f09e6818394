"""Personal API tokens and the version number that invalidates cached API responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A personal token for the REST API: acts as its user, with the user's scope; only its hash is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nama token"), max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the key, shown in lists so a person can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    read_only = models.BooleanField(_("hanya baca"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CacheVersion(models.Model):
    """One row whose number goes up after every write that can change an API answer.

    It lives in the database, not in the cache, so that every worker process (and a management
    command importing data in another process) agrees on it.
    """

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("versi cache API")

    def __str__(self) -> str:
        return str(self.value)
