from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class PracticesConfig(AppConfig):
    name = "tpbis.practices"
    label = "practices"
    verbose_name = gettext_lazy("Praktik baik")
