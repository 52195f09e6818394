"""`python manage.py load_regions`: load the shipped Kemendagri regions (idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from tpbis.regions.services import regions_load


class Command(BaseCommand):
    help = "Muat wilayah Kemendagri (provinsi, kabupaten/kota, kecamatan, desa/kelurahan) dari data/regions."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        created, updated, counts = regions_load()
        elapsed = time.monotonic() - started
        self.stdout.write(f"{created} ditambahkan, {updated} diperbarui dalam {elapsed:.1f} s")
        self.stdout.write(str(counts))
