"""`python manage.py kpi_recompute [--from-records] [--region CODE] [--as-of YYYY-MM-DD]`: rescore every
month end of every year and today's score, write only what changed, and print what was written."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q

from tpbis.kpi.services import colour_counts_text, facts_built, kpi_rebuild, kpi_refresh
from tpbis.libraries.models import Library
from tpbis.regions.selectors import region_get_by_code


class Command(BaseCommand):
    help = (
        "Hitung ulang skor IKU semua perpustakaan (atau satu wilayah) untuk setiap akhir bulan setiap tahun "
        "dan hari ini; hanya baris yang berubah yang ditulis."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", help="Hanya skor pada tanggal ini, TTTT-BB-HH, dihitung dari tabel laporan (cara lama)."
        )
        parser.add_argument("--region", help="Kode wilayah (35, 35.24 atau 3524).")
        parser.add_argument(
            "--from-records",
            action="store_true",
            help="Hitung ulang juga fakta bulanan dari tabel laporan (otomatis pada jalan pertama).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        libraries = None
        if options.get("region"):
            region = region_get_by_code(code=options["region"])
            if region is None:
                raise CommandError(f"Kode wilayah tidak dikenal: {options['region']}")
            libraries = Library.objects.filter(Q(region_id=region.code) | Q(region__code__startswith=region.code + "."))
        started = time.monotonic()
        if options.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as error:
                raise CommandError(f"--as-of harus TTTT-BB-HH: {options['as_of']}") from error
            counts = kpi_refresh(libraries=libraries, as_of=as_of, months=False)
            self.stdout.write(f"{sum(counts.values())} perpustakaan dinilai dalam {time.monotonic() - started:.1f} s")
            self.stdout.write(colour_counts_text(counts))
            return
        from_records = bool(options.get("from_records")) or not facts_built()
        if from_records and libraries is not None and not facts_built():
            raise CommandError("Jalankan sekali tanpa --region dulu: fakta bulanan belum terbentuk.")
        with transaction.atomic():
            stats = kpi_rebuild(libraries=libraries, from_records=from_records)
        seconds = time.monotonic() - started
        self.stdout.write(f"{stats.libraries} perpustakaan dinilai dalam {seconds:.1f} s")
        if from_records:
            self.stdout.write(
                f"fakta bulanan dari tabel laporan: {stats.facts_written} baris ditulis, {stats.facts_deleted} dihapus"
            )
        self.stdout.write(
            f"skor akhir bulan: {stats.scores_written} ditulis, {stats.scores_unchanged} tidak berubah; "
            f"skor terkini: {stats.current_written} ditulis"
        )
        self.stdout.write(colour_counts_text(stats.colours))
