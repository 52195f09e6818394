from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class SurveysConfig(AppConfig):
    name = "tpbis.surveys"
    label = "surveys"
    verbose_name = gettext_lazy("Survei manfaat")
