from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuplicatesConfig(AppConfig):
    name = "tpbis.duplicates"
    label = "duplicates"
    verbose_name = _("Duplikat")

    def ready(self) -> None:
        # The lower apps learn nothing of duplicates: this app listens to their signals.
        from tpbis.duplicates import receivers

        receivers.connect()
