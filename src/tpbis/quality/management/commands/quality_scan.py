"""`python manage.py quality_scan`: scan the nation's values for outliers now; with `--schedule`, only book
the nightly scan on the task queue (`make run` and `make serve` do, before starting the worker)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from tpbis.quality.models import PeerStats
from tpbis.quality.scan import outliers_scan
from tpbis.quality.tasks import outliers_scan_soon, outliers_schedule


class Command(BaseCommand):
    help = "Scan monthly visitors, information-service values and participants per activity for outliers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schedule", action="store_true", help="Book the nightly scan on the task queue.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            if not PeerStats.objects.exists():  # never scanned (a new or demo database): scan at once too
                outliers_scan_soon()
            when = outliers_schedule()
            self.stdout.write(
                "nightly outlier scan already booked"
                if when is None
                else f"nightly outlier scan booked for {when:%Y-%m-%d %H:%M}"
            )
            return
        started = time.perf_counter()
        result = outliers_scan()
        seconds = time.perf_counter() - started
        parts = ", ".join(f"{measure} {count}" for measure, count in result.by_measure.items())
        self.stdout.write(f"{result.values} values scanned, {result.flags} flags ({parts}) in {seconds:.1f} s")
