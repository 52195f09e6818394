"""`python manage.py summaries_rebuild`: rebuild every record summary from the records."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from tpbis.dashboards.services import summaries_rebuild


class Command(BaseCommand):
    help = "Bangun ulang ringkasan laporan per kabupaten/kota dan bulan dari seluruh laporan."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = summaries_rebuild()
        self.stdout.write(f"{rows} baris ringkasan dalam {time.perf_counter() - started:.1f} s")
