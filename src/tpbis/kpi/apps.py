from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "tpbis.kpi"
    label = "kpi"
    verbose_name = _("IKU (skor kinerja)")

    def ready(self) -> None:
        from tpbis.kpi import receivers  # noqa: F401  (connects the score refresh to record changes)
