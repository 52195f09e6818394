"""`python manage.py reminders_send [--dry-run] [--date YYYY-MM-DD]`: send today's reminders once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tpbis.reminders.models import RuleKind
from tpbis.reminders.services import reminders_send


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date harus berbentuk YYYY-MM-DD, bukan {value!r}.") from error


class Command(BaseCommand):
    help = "Kirim pengingat hari ini kepada yang belum melapor (aman dijalankan berulang: tidak ada yang terkirim dua kali)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Hitung siapa yang akan diingatkan, tanpa mengirim.")
        parser.add_argument("--date", type=str, default=None, help="Hari yang dihitung (YYYY-MM-DD), bawaan hari ini.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["date"]) if options["date"] else None
        result = reminders_send(today=today, dry_run=options["dry_run"])
        labels = dict(RuleKind.choices)
        for kind, count in sorted(result.counts_by_kind().items()):
            self.stdout.write(f"  {labels.get(kind, kind)}: {count}")
        if options["verbosity"] >= 2:
            for reminder in result.due if result.dry_run else result.sent:
                self.stdout.write(f"  - {reminder.recipient_name}: {reminder.reason}")
        if result.dry_run:
            self.stdout.write(
                f"Uji coba: {len(result.due)} pengingat akan dikirim ({result.seconds:.1f} s); tidak ada yang dikirim."
            )
        else:
            self.stdout.write(
                f"{len(result.sent)} pengingat dikirim, {result.skipped} dilewati "
                f"(sudah terkirim atau penerima menolak) ({result.seconds:.1f} s)."
            )
