"""Propose likely duplicates across the whole nation: `python manage.py duplicates_scan`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from tpbis.duplicates.detection import libraries_scan, photos_scan, records_scan
from tpbis.duplicates.models import DuplicateKind


class Command(BaseCommand):
    help = "Find activities entered twice, photos used on several activities and libraries registered twice."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--only", choices=[kind.value for kind in DuplicateKind], help="Run one of the three scans only."
        )

    def handle(self, *args: Any, only: str | None = None, **options: Any) -> None:
        scans: dict[str, Callable[[], int]] = {
            DuplicateKind.RECORDS.value: records_scan,
            DuplicateKind.PHOTO.value: photos_scan,
            DuplicateKind.LIBRARY.value: libraries_scan,
        }
        for kind, scan in scans.items():
            if only and kind != only:
                continue
            started = time.monotonic()
            new = scan()
            self.stdout.write(f"{kind}: {new} new pairs in {time.monotonic() - started:.1f} s")
