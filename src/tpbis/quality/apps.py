from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "tpbis.quality"
    label = "quality"
    verbose_name = _("Kualitas data")

    def ready(self) -> None:
        # The lower apps learn of outliers through their registries and signals, never an import.
        from tpbis.quality import receivers

        receivers.connect()
