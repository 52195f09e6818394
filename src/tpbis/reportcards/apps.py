from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportCardsConfig(AppConfig):
    name = "tpbis.reportcards"
    label = "reportcards"
    verbose_name = _("Rapor dan laporan gathering")
