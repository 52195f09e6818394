"""`python manage.py setup_demo`: regions (when missing) and the demo data (first run only), then the logins."""

from __future__ import annotations

import os
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tpbis.demo.services import DEFAULT_PASSWORD, DemoDataError, demo_is_loaded, demo_load, demo_logins
from tpbis.regions.models import Region
from tpbis.regions.services import regions_load


class Command(BaseCommand):
    help = "Siapkan data demo: wilayah Kemendagri bila belum ada, mitra contoh dan satu akun per peran."

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        if not Region.objects.exists():
            started = time.monotonic()
            counts = regions_load()[2]
            self.stdout.write(
                _("Wilayah dimuat: %(counts)s (%(seconds).1f s)")
                % {"counts": counts, "seconds": time.monotonic() - started}
            )
        if demo_is_loaded():
            self.stdout.write(_("Data demo sudah ada; tidak ada yang diubah."))
        else:
            started = time.monotonic()
            try:
                result = demo_load(password=password)
            except DemoDataError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Data demo dibuat: %(libraries)d perpustakaan, %(users)d pengguna, %(invitations)d undangan (%(seconds).1f s)"
                    )
                    % {
                        "libraries": result.libraries,
                        "users": result.users,
                        "invitations": result.invitations,
                        "seconds": time.monotonic() - started,
                    }
                )
            )
            self.stdout.write(_("Laporan demo: %(records)d, sejak 1 Januari tahun lalu.") % {"records": result.records})
        self._load_elis_course()
        self._print_logins(password)

    def _load_elis_course(self) -> None:
        """The Elis course the system ships, when its file is there (loading it twice changes nothing)."""
        path = settings.BASE_DIR / "data" / "elis" / "dasar-dasar-tpbis.json"
        if path.is_file():
            call_command("elis_load_course", str(path), stdout=self.stdout)

    def _print_logins(self, password: str) -> None:
        rows = [(_("Email"), _("Kata sandi"), _("Peran"), _("Wilayah kerja"))]
        rows += [(login.email, password, login.role, login.scope) for login in demo_logins()]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write(_("Akun demo:"))
        for index, row in enumerate(rows):
            self.stdout.write(("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))).rstrip())
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        port = os.environ.get("PORT") or "8000"
        self.stdout.write("")
        self.stdout.write(_("Buka http://127.0.0.1:%(port)s/") % {"port": port})
