from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "tpbis.audit"
    label = "audit"
    verbose_name = _("Jejak audit")
