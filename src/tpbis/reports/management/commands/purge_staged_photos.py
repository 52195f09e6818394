"""Delete photos attached to entry forms that were never saved (run daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tpbis.reports.photos import STAGED_PHOTO_DAYS, staged_photos_purge


class Command(BaseCommand):
    help = "Delete photos waiting on unsaved entry forms for longer than the given number of days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=STAGED_PHOTO_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        # The purge works in batches so one call never holds many rows; repeat until none is left.
        while purged := staged_photos_purge(days=options["days"]):
            total += purged
        self.stdout.write(f"{total} staged photos deleted")
