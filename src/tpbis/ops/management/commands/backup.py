"""`manage.py backup DIR`: the database and the media files, with a manifest of checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tpbis.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Buat cadangan basis data dan berkas media ke folder DIR (baru atau kosong)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            manifest = backup_create(directory=directory, storage=default_storage)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Cadangan %(vendor)s tersimpan di %(dir)s: %(tables)s tabel, %(rows)s baris, %(media)s berkas media.")
            % {
                "vendor": manifest.vendor,
                "dir": directory,
                "tables": len(manifest.tables),
                "rows": sum(manifest.tables.values()),
                "media": len(manifest.media_files),
            }
        )
