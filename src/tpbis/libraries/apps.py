from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibrariesConfig(AppConfig):
    name = "tpbis.libraries"
    label = "libraries"
    verbose_name = _("Perpustakaan mitra")
