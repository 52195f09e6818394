"""`python manage.py reminders_schedule`: book the daily reminder run on the task queue (once; `make run`
and `make serve` call it before starting the worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from tpbis.reminders.tasks import reminders_schedule


class Command(BaseCommand):
    help = "Jadwalkan pengiriman pengingat harian di antrean tugas (sekali; dijalankan oleh db_worker)."

    def handle(self, *args: Any, **options: Any) -> None:
        when = reminders_schedule()
        if when is None:
            self.stdout.write("Pengingat harian sudah terjadwal.")
        else:
            self.stdout.write(f"Pengingat harian terjadwal {timezone.localtime(when):%Y-%m-%d %H:%M}.")
