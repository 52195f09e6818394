"""`manage.py sync_sim --code 3513 --base-url URL`: mirror a kabupaten from a real-SIM-compatible API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from tpbis.api.sync import Fetcher, SyncError, sim_sync
from tpbis.reports.sim_import import SimImportError


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("--as-of harus tanggal TTTT-BB-HH, bukan %(value)r") % {"value": value}) from error


class Command(BaseCommand):
    help = (
        "Ambil tujuh endpoint SIM (pelibatan3513, ..., iku3513) dari server yang kompatibel (SIM lama atau "
        "sistem ini) dan terapkan seperti import_sim_json. Semua atau tidak sama sekali."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="Kode kabupaten/kota tanpa titik, mis. 3513.")
        parser.add_argument("--base-url", required=True, help="Alamat API, mis. https://contoh.go.id/api")
        parser.add_argument("--as-of", type=_day, default=None, help="Data per tanggal ini (bawaan: hari ini).")
        parser.add_argument("--timeout", type=float, default=30.0, help="Detik menunggu satu jawaban.")
        parser.add_argument("--retries", type=int, default=3, help="Berapa kali mencoba lagi bila gagal.")
        parser.add_argument("--backoff", type=float, default=1.0, help="Detik menunggu sebelum percobaan kedua.")
        parser.add_argument("--dry-run", action="store_true", help="Hanya ambil dan periksa, tanpa menyimpan.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["base_url"].startswith(("http://", "https://")):
            raise CommandError(_("--base-url harus diawali http:// atau https://"))
        fetcher = Fetcher(
            base_url=options["base_url"],
            timeout=options["timeout"],
            retries=max(0, options["retries"]),
            backoff=max(0.0, options["backoff"]),
        )
        try:
            result = sim_sync(
                code=options["code"],
                fetcher=fetcher,
                as_of=options["as_of"] or timezone.localdate(),
                dry_run=options["dry_run"],
            )
        except (SyncError, SimImportError) as error:
            raise CommandError(_("%(error)s. Tidak ada yang disimpan.") % {"error": str(error).rstrip(".")}) from error
        for line in result.lines():
            self.stdout.write(line)
