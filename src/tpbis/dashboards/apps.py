from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "tpbis.dashboards"
    label = "dashboards"
    verbose_name = _("Dasbor")

    def ready(self) -> None:
        from tpbis.dashboards import receivers  # noqa: F401  (keeps the record summaries fresh)
