"""`python manage.py elis_load_course FILE`: load (and publish) an Elis course file; a loaded version is skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tpbis.elis.transfer import CourseFileError, course_load


class Command(BaseCommand):
    help = "Muat kursus Elis dari file JSON (format tpbis-elis-course/1) dan terbitkan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("File tidak ditemukan: %(path)s") % {"path": path})
        try:
            course, created = course_load(raw=path.read_bytes())
        except CourseFileError as error:
            raise CommandError("\n".join(error.messages)) from error
        if created:
            message = _("Kursus dimuat dan terbit: %(title)s, versi %(version)d")
        else:
            message = _("Kursus sudah ada, tidak ada yang diubah: %(title)s, versi %(version)d")
        self.stdout.write(self.style.SUCCESS(message % {"title": course.title, "version": course.version}))
