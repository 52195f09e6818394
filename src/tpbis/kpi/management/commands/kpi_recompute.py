"""`python manage.py kpi_recompute [--as-of YYYY-MM-DD] [--region CODE]`: rescore and print colour counts."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from tpbis.kpi.services import colour_counts_text, kpi_refresh
from tpbis.libraries.models import Library
from tpbis.regions.selectors import region_get_by_code


class Command(BaseCommand):
    help = "Hitung ulang skor IKU semua perpustakaan (atau satu wilayah) dan cetak jumlah per warna."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="Tanggal skor, TTTT-BB-HH (bawaan: hari ini).")
        parser.add_argument("--region", help="Kode wilayah (35, 35.24 atau 3524).")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = None
        if options.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as error:
                raise CommandError(f"--as-of harus TTTT-BB-HH: {options['as_of']}") from error
        libraries = Library.objects.all()
        if options.get("region"):
            region = region_get_by_code(code=options["region"])
            if region is None:
                raise CommandError(f"Kode wilayah tidak dikenal: {options['region']}")
            libraries = libraries.filter(Q(region_id=region.code) | Q(region__code__startswith=region.code + "."))
        started = time.monotonic()
        counts = kpi_refresh(libraries=libraries, as_of=as_of)
        self.stdout.write(f"{sum(counts.values())} perpustakaan dinilai dalam {time.monotonic() - started:.1f} s")
        self.stdout.write(colour_counts_text(counts))
