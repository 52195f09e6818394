"""`manage.py import_accounts FILE [--dry-run]`: the account import, run for the whole nation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tpbis.accounts.imports import account_import
from tpbis.accounts.scope import Scope
from tpbis.libraries.management.commands.import_libraries import print_report, read_file


class Command(BaseCommand):
    help = "Impor akun (pengelola, fasilitator, petugas provinsi, tim nasional) dari CSV atau XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Periksa saja, tanpa menyimpan.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        report = account_import(
            content=read_file(path),
            filename=path.name,
            scope=Scope(national=True),
            created_by=None,
            dry_run=options["dry_run"],
        )
        print_report(self, report)
