"""`manage.py import_records TYPE FILE [--dry-run] [--accept-warnings] [--user EMAIL]`: spreadsheet entry of
records (pelibatan, advokasi, publikasi, pengunjung), all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.accounts.scope import Scope, scope_for_user
from tpbis.reports.record_imports import IMPORT_TYPES, record_import


class Command(BaseCommand):
    help = (
        "Impor laporan dari berkas CSV atau XLSX (templat dengan nama kolom SIM TPBIS). "
        "Semua atau tidak sama sekali; berkas yang sama diimpor dua kali tidak membuat laporan ganda."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("record_type", choices=sorted(IMPORT_TYPES))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Periksa saja, tanpa menyimpan.")
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="Simpan walau ada peringatan (kemungkinan ganda, angka tidak biasa).",
        )
        parser.add_argument(
            "--user",
            default="",
            help="Email pengguna yang mengimpor: wilayah kerjanya membatasi impor dan ia tercatat sebagai pengisi. "
            "Tanpa ini: seluruh Indonesia, dicatat sebagai Sistem.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Berkas %(path)s tidak dapat dibaca: %(error)s") % {"path": path, "error": error}
            ) from error
        actor, scope = _actor(options["user"])
        result = record_import(
            record_type=options["record_type"],
            content=content,
            filename=path.name,
            scope=scope,
            actor=actor,
            dry_run=options["dry_run"],
            accept_warnings=options["accept_warnings"],
        )
        report = result.report
        for problem in report.sorted_errors():
            self.stderr.write(str(problem))
        for warning in result.sorted_warnings():
            self.stderr.write(_("peringatan: %(warning)s") % {"warning": warning})
        self.stdout.write(
            _("baru %(created)s, sudah ada %(unchanged)s") % {"created": report.created, "unchanged": report.unchanged}
        )
        if not report.ok:
            raise CommandError(_("%(n)s kesalahan; tidak ada yang disimpan.") % {"n": len(report.errors)}, returncode=1)
        if result.needs_confirmation:
            raise CommandError(
                _("%(n)s peringatan; tidak ada yang disimpan. Periksa, lalu ulangi dengan --accept-warnings.")
                % {"n": len(result.warnings)},
                returncode=1,
            )
        if report.dry_run:
            self.stdout.write(_("Uji coba: tidak ada yang disimpan."))


def _actor(email: str) -> tuple[User | None, Scope]:
    if not email:
        return None, Scope(national=True)
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise CommandError(_("Pengguna aktif dengan email %(email)s tidak ada.") % {"email": email})
    return user, scope_for_user(user)
