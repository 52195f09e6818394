"""What the downloaded PDFs say, read back from their bytes: whole numbers and whole words."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

from pypdf import PdfReader

from conftest import World
from tpbis.reportcards.tests.records import advocacy, engagement, small_east_java, visitors
from tpbis.reports.signals import records_changed

PERIOD = "mulai=2024-01-01&sampai=2024-09-30"
# The per-region table's eleven headings: the widest table of the gathering report.
REGION_HEADINGS = (
    "Wilayah",
    "Mitra",
    "Pelibatan",
    "Advokasi",
    "Layanan informasi",
    "Hijau",
    "Kuning",
    "Merah",
    "Tanpa akun",
    "Laporan pengunjung masuk",
    "Laporan pengunjung tepat waktu",
)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(content)).pages)


def broken_words(printed: str, words: set[str]) -> list[str]:
    """Words printed in two pieces ("Pelibata" then "n"): both pieces appear as tokens of their own."""
    tokens = set(printed.split())
    return sorted(
        word
        for word in words
        for cut in range(1, len(word))
        if word[:cut] in tokens and word[cut:] in tokens and word[:cut] not in words
    )


def test_the_rapor_prints_whole_numbers_without_a_decimal(world: World) -> None:
    sembung = world.lamongan_village
    for day in range(1, 15):
        engagement(sembung, dt.date(2024, 3, day))
    advocacy(sembung, dt.date(2024, 4, 4))
    visitors(sembung, 2024, 3, 2565)
    records_changed.send(sender=None, library_ids={sembung.pk})
    response = world.client_for(world.manager).get(f"/rapor/{sembung.pk}/pdf/?{PERIOD}")
    printed = pdf_text(response.content)
    assert "2.565" in printed  # visitors in March
    assert re.search(r"(?<![\d.,])14(?![\d,])", printed)  # the advocacy target and 14 activities
    assert re.findall(r"\d,0\b", printed) == []  # never "14,0" or "2.565,0"
    assert "7,5" in printed or "17,5" in printed  # real fractions keep their decimal comma


def test_the_gathering_report_wraps_headings_between_words(world: World) -> None:
    small_east_java(world)
    response = world.client_for(world.province_35).get(f"/laporan-gathering/pdf/?wilayah=35&{PERIOD}")
    printed = pdf_text(response.content)
    words = {word for heading in REGION_HEADINGS for word in heading.split()}
    assert words <= set(printed.split())
    assert broken_words(printed, words) == []
