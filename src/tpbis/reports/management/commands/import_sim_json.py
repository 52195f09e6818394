"""`manage.py import_sim_json DIR [--as-of YYYY-MM-DD]`: import a folder of the real SIM's API responses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tpbis.reports.sim_import import SimImportError, sim_import_folder


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("--as-of harus tanggal TTTT-BB-HH, bukan %(value)r") % {"value": value}) from error


class Command(BaseCommand):
    help = (
        "Impor satu folder respons API SIM lama untuk satu kabupaten/kota (pelibatan3513.json, ...). "
        "Semua atau tidak sama sekali."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--as-of",
            type=_day,
            default=None,
            help="Tanggal data diambil dari SIM lama (bawaan: tanggal di nama folder, atau tanggal input terakhir).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = sim_import_folder(folder=options["folder"], as_of=options["as_of"])
        except SimImportError as error:
            raise CommandError(_("%(error)s. Tidak ada yang disimpan.") % {"error": str(error).rstrip(".")}) from error
        for line in result.lines():
            self.stdout.write(line)
