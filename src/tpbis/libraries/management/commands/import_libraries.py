"""`manage.py import_libraries FILE [--dry-run]`: the partner import, run for the whole nation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tpbis.accounts.scope import Scope
from tpbis.core.tabular import ImportReport
from tpbis.libraries.imports import library_import


class Command(BaseCommand):
    help = "Impor perpustakaan mitra dari berkas CSV atau XLSX (semua atau tidak sama sekali)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Periksa saja, tanpa menyimpan.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        content = read_file(path)
        report = library_import(
            content=content, filename=path.name, scope=Scope(national=True), dry_run=options["dry_run"]
        )
        print_report(self, report)


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(
            _("Berkas %(path)s tidak dapat dibaca: %(error)s") % {"path": path, "error": error}
        ) from error


def print_report(command: BaseCommand, report: ImportReport) -> None:
    """One line per error, then the summary; errors end the command with a non-zero exit status."""
    for error in report.sorted_errors():
        command.stderr.write(str(error))
    command.stdout.write(report.summary())
    if not report.ok:
        raise CommandError(_("%(n)s kesalahan; tidak ada yang disimpan.") % {"n": len(report.errors)}, returncode=1)
    if report.dry_run:
        command.stdout.write(_("Uji coba: tidak ada yang disimpan."))
