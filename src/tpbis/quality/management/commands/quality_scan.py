"""`python manage.py quality_scan`: scan the nation's values for outliers (nightly, or after a settings change)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from tpbis.quality.scan import outliers_scan


class Command(BaseCommand):
    help = "Scan monthly visitors, information-service values and participants per activity for outliers."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = outliers_scan()
        seconds = time.perf_counter() - started
        parts = ", ".join(f"{measure} {count}" for measure, count in result.by_measure.items())
        self.stdout.write(f"{result.values} values scanned, {result.flags} flags ({parts}) in {seconds:.1f} s")
