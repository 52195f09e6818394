"""`manage.py imports_cleanup`: delete import previews never applied, once older than IMPORT_PENDING_HOURS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tpbis.libraries.pending_imports import pending_imports_cleanup


class Command(BaseCommand):
    help = "Hapus berkas pratinjau impor yang tidak pernah diterapkan dan sudah kedaluwarsa."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = pending_imports_cleanup()
        self.stdout.write(_("%(n)s berkas pratinjau impor kedaluwarsa dihapus.") % {"n": removed})
