"""`python manage.py generate_national --libraries 10000 --years 5 --seed 1`: synthetic national data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tpbis.demo.national import national_generate
from tpbis.regions.models import Region
from tpbis.regions.services import regions_load


class Command(BaseCommand):
    help = "Buat data sintetis skala nasional (perpustakaan uji dan laporannya) untuk benchmark."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--libraries", type=int, default=10_000)
        parser.add_argument("--years", type=int, default=1)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["libraries"] < 1 or options["years"] < 1:
            raise CommandError("--libraries dan --years harus paling sedikit 1.")
        if not Region.objects.exists():
            regions_load()
        result = national_generate(
            libraries=options["libraries"], years=options["years"], seed=options["seed"], progress=self._progress
        )
        self.stdout.write(f"{result.libraries} perpustakaan uji, {result.records} laporan dalam {result.seconds:.1f} s")

    def _progress(self, year: int, records: int) -> None:
        self.stdout.write(f"{year}: {records:,} laporan".replace(",", "."))
        self.stdout.flush()
