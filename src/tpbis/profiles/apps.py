from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "tpbis.profiles"
    label = "profiles"
    verbose_name = _("Profil perpustakaan")

    def ready(self) -> None:
        # The dashboards sit below this app: they learn of its panels through their registry.
        from tpbis.dashboards.panels import panel_register
        from tpbis.profiles.panels import completeness_panel, map_panel

        panel_register("profiles.completeness", completeness_panel)
        panel_register("profiles.map", map_panel)
