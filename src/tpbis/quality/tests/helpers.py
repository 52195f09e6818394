"""Libraries with a visitor history, and a planted outlier among them."""

from __future__ import annotations

import datetime as dt

from tpbis.libraries.models import Library
from tpbis.reports.models import CommunityEngagement, Status, Visitors

# Sembung's usual month: between 150 and 300 visitors (the example).
USUAL = [150, 180, 210, 240, 300, 200, 170, 260, 220, 190, 280, 230]


def visitor_months(library: Library, totals: list[int], *, year: int = 2026) -> list[Visitors]:
    """One submitted visitor report per month from January, with the given totals."""
    return [
        Visitors.objects.create(library=library, year=year, month=month, male=0, female=total, total=total)
        for month, total in enumerate(totals, start=1)
    ]


def activity(
    library: Library, participants: int, *, day: dt.date, status: str = Status.SUBMITTED
) -> CommunityEngagement:
    return CommunityEngagement.objects.create(
        library=library,
        date=day,
        title=f"Kelas membaca {day.isoformat()}",
        activity_field="Pendidikan",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=participants,
        status=status,
    )
