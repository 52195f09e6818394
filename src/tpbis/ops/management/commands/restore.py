"""`manage.py restore DIR`: check a backup completely, then restore it into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from tpbis.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Pulihkan cadangan dari folder DIR ke basis data kosong (tanpa migrate) dan penyimpanan media. "
        "Semua checksum diperiksa lebih dulu; cadangan rusak atau tidak cocok ditolak tanpa mengubah apa pun."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        database = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
        connections.close_all()  # the restore writes through its own connection
        try:
            counts = backup_restore(directory=options["directory"], database=database, storage=default_storage)
        except BackupError as error:
            raise CommandError(_("Pemulihan ditolak:\n%(why)s") % {"why": error}) from error
        self.stdout.write(
            _("Pemulihan selesai: %(tables)s tabel, %(rows)s baris. Jalankan `manage.py migrate` bila kode lebih baru.")
            % {"tables": len(counts), "rows": sum(counts.values())}
        )
