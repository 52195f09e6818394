from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class PracticesConfig(AppConfig):
    name = "tpbis.practices"
    label = "practices"
    verbose_name = gettext_lazy("Praktik baik")

    def ready(self) -> None:
        from tpbis.practices.search import practices_search_register

        practices_search_register()
