from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ElisConfig(AppConfig):
    name = "tpbis.elis"
    label = "elis"
    verbose_name = gettext_lazy("Elis (e-learning)")
