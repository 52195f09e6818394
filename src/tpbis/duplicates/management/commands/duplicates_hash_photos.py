"""Hash the stored photos that have no perceptual hash yet (photos stored before this app, or whose
background task was lost): `python manage.py duplicates_hash_photos`. Safe to run again."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from tpbis.duplicates.detection import chunked
from tpbis.duplicates.hashing import photo_hash_compute
from tpbis.duplicates.models import PhotoHash
from tpbis.reports.models import Photo


class Command(BaseCommand):
    help = "Compute the perceptual hash of every stored photo that has none."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=None, help="Hash at most this many photos.")

    def handle(self, *args: Any, limit: int | None = None, **options: Any) -> None:
        started = time.monotonic()
        missing = (
            Photo.objects.exclude(pk__in=PhotoHash.objects.values("photo_id"))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if limit is not None:
            missing = missing[:limit]
        done = failed = 0
        for batch in chunked(missing.iterator(chunk_size=1000), 200):
            for photo in Photo.objects.filter(pk__in=batch).select_related("content_type"):
                if photo_hash_compute(photo=photo) is None:
                    failed += 1
                else:
                    done += 1
        self.stdout.write(
            f"{done} photos hashed, {failed} unreadable, in {time.monotonic() - started:.1f} s; "
            "run duplicates_scan to propose the photos used on several activities."
        )
