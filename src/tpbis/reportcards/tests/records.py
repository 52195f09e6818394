"""Records for report tests, created directly with the status a test needs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from reportlab.platypus import Flowable, Paragraph, Table

from conftest import World
from tpbis.libraries.models import Library
from tpbis.reports.models import Advocacy, CommunityEngagement, InformationService, Publicity, Status, Visitors
from tpbis.reports.signals import records_changed


def engagement(
    library: Library, date: dt.date, status: str = Status.VERIFIED, participants: int = 10, **extra: Any
) -> CommunityEngagement:
    return CommunityEngagement.objects.create(
        library=library,
        date=date,
        title=extra.pop("title", f"Kegiatan {date:%d %b}"),
        activity_field="Pendidikan",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=participants,
        status=status,
        **extra,
    )


def advocacy(library: Library, date: dt.date, status: str = Status.VERIFIED) -> Advocacy:
    return Advocacy.objects.create(
        library=library, date=date, title="Audiensi kepala desa", targets=["Kepala Desa"], outcome="Dana", status=status
    )


def information(library: Library, year: int, month: int, status: str = Status.VERIFIED) -> InformationService:
    return InformationService.objects.create(library=library, year=year, month=month, books=500, status=status)


def visitors(library: Library, year: int, month: int, total: int, status: str = Status.VERIFIED) -> Visitors:
    male = total // 2
    return Visitors.objects.create(
        library=library, year=year, month=month, male=male, female=total - male, total=total, status=status
    )


def story_text(flowables: list[Flowable]) -> str:
    """Every text a PDF story will print, one piece a line, in order."""
    lines: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, Paragraph):
            lines.append(item.getPlainText())
        elif isinstance(item, Table):
            for row in item._cellvalues:
                for cell in row:
                    walk(cell)
        elif isinstance(item, str):
            if item:
                lines.append(item)
        elif isinstance(item, list | tuple):
            for child in item:
                walk(child)
        elif hasattr(item, "_flowables"):
            walk(item._flowables)

    walk(flowables)
    return "\n".join(lines)


def small_east_java(world: World) -> None:
    """Sembung reaches 100; Labruk Kidul is red with one story; noise that must not count anywhere."""
    sembung, lumajang = world.lamongan_village, world.lumajang_village
    for month in range(3, 10):
        engagement(sembung, dt.date(2024, month, 10))
    for status in (Status.DRAFT, Status.RETURNED, Status.WITHDRAWN):
        engagement(sembung, dt.date(2024, 4, 1), status=status, story="Tidak dihitung")
    engagement(sembung, dt.date(2024, 10, 1), story="Sesudah periode")
    for i in range(14):
        advocacy(sembung, dt.date(2024, 1 + i % 9, 15))
    advocacy(sembung, dt.date(2024, 5, 5), status=Status.DRAFT)
    for month in (2, 4, 6, 8):
        Publicity.objects.create(
            library=sembung, date=dt.date(2024, month, 20), status=Status.VERIFIED, title="Kabar", media_kind="Online"
        )
    capacity = information(sembung, 2024, 1)
    capacity.books, capacity.digital_books, capacity.computers, capacity.bandwidth = 1000, 100, 3, Decimal(20)
    capacity.save()
    visitors(sembung, 2024, 2, 50)
    engagement(
        lumajang, dt.date(2024, 5, 1), title="Kelas membatik", participants=1250, story="Ibu-ibu kini menjual batik."
    )
    engagement(lumajang, dt.date(2024, 6, 1), status=Status.SUBMITTED, story="Belum diverifikasi")
    engagement(lumajang, dt.date(2023, 12, 1), story="Cerita sebelum periode")
    engagement(world.belo_laut, dt.date(2024, 5, 5), story="Cerita dari Bangka Barat")
    library_ids = {sembung.pk, lumajang.pk, world.belo_laut.pk}
    records_changed.send(sender=None, library_ids=library_ids)
