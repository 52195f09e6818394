"""Reading export responses back, and records to export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.http import HttpResponse

from tpbis.libraries.models import Library
from tpbis.reports.models import (
    Advocacy,
    CommunityEngagement,
    InformationService,
    Publicity,
    Replication,
    Status,
    Visitors,
)


def body(response: HttpResponse) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content


def csv_rows(response: HttpResponse) -> list[list[str]]:
    raw = body(response)
    assert raw.startswith("\ufeff".encode()), "the CSV must start with a UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


DAY = dt.date(2026, 3, 14)


def engagement(library: Library, *, title: str = "Pelatihan literasi digital", **extra: Any) -> CommunityEngagement:
    fields: dict[str, Any] = {
        "date": DAY,
        "title": title,
        "activity_field": "Inklusi Digital",
        "activity_kind": "Pelatihan",
        "audience": "Pelajar",
        "participants": 25,
        "participants_male": 10,
        "participants_female": 15,
        "participants_disability": 2,
        "status": Status.SUBMITTED,
        "input_date": DAY,
        **extra,
    }
    return CommunityEngagement.objects.create(library=library, **fields)


def one_of_each(library: Library) -> dict[str, Any]:
    """One record of every type for a library (and a replication for its kabupaten)."""
    return {
        "pelibatan": engagement(library, external_attachments="https://sim.example/a.jpg,https://sim.example/b.jpg"),
        "advokasi": Advocacy.objects.create(
            library=library,
            date=DAY,
            title="Audiensi dengan kepala desa",
            targets=["Kepala Desa", "Swasta"],
            outcome="Dana",
            amount=5_000_000,
            input_date=DAY,
        ),
        "publikasi": Publicity.objects.create(
            library=library,
            date=DAY,
            title="Perpustakaan desa di koran",
            media_kind="Media Cetak",
            media_name="Radar Lamongan",
            link="https://radar.example/berita",
            input_date=DAY,
        ),
        "peningkatan": InformationService.objects.create(
            library=library, year=2026, month=1, books=1200, digital_books=40, computers=2, bandwidth=Decimal("20.5")
        ),
        "pengunjung": Visitors.objects.create(library=library, year=2026, month=2, male=30, female=45, total=75),
        "replikasi": Replication.objects.create(
            region_id=library.regency_id or library.province_id,
            year=2026,
            funds=250_000_000,
            funding_source="APBD",
            villages=12,
        ),
    }
