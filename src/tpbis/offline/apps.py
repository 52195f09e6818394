from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    name = "tpbis.offline"
    label = "offline"
    verbose_name = _("Isi laporan tanpa sinyal")
