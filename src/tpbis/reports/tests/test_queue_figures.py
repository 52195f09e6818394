"""The verification queue shows each record's key figures, so most are verified without opening them."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from conftest import World
from tpbis.reports.models import Advocacy, CommunityEngagement, InformationService, Publicity, Replication, Visitors

DAY = dt.date(2026, 11, 20)


def row_text(body: str, pk: int) -> str:
    """The visible text of one queue row (`<li id="r<pk>">`)."""
    row = body.split(f'<li id="r{pk}">', 1)[1].split("</li>\n", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)))


def _queue(world: World, record_type: str) -> str:
    response = world.client_for(world.facilitator_3524).get(f"/laporan/verifikasi/{record_type}/")
    assert response.status_code == 200
    return response.content.decode()


def _visitors(world: World, month: int, male: int, female: int) -> Visitors:
    return Visitors.objects.create(
        library=world.lamongan_village, year=2026, month=month, male=male, female=female, total=male + female
    )


def test_it_shows_the_months_visitors_by_group_and_total(world: World) -> None:
    record = _visitors(world, 11, 1200, 1365)
    text = row_text(_queue(world, "pengunjung"), record.pk)
    assert "Pengunjung November 2026" in text
    assert "Laki-laki 1.200" in text
    assert "Perempuan 1.365" in text
    assert "Total 2.565" in text


def test_it_shows_the_target_and_result_of_an_advocacy(world: World) -> None:
    funds = Advocacy.objects.create(
        library=world.lamongan_village,
        date=DAY,
        title="Audiensi kepala desa",
        targets=["Kepala Desa", "Perangkat Daerah"],
        outcome="Dana",
        amount=5_000_000,
    )
    in_kind = Advocacy.objects.create(
        library=world.lamongan_village,
        date=DAY,
        title="Narasumber UMKM",
        targets=["Swasta"],
        outcome="NonDana",
        resource_persons=2,
        goods=15,
    )
    body = _queue(world, "advokasi")
    text = row_text(body, funds.pk)
    assert "Sasaran Kepala Desa, Perangkat Daerah" in text
    assert "Hasil Dana (uang)" in text
    assert "Nominal Rp 5.000.000" in text
    assert "20 Nov 2026" in text
    assert "2 narasumber, 15 barang" in row_text(body, in_kind.pk)


def test_it_shows_participants_media_capacity_and_replication_funds(world: World) -> None:
    activity = CommunityEngagement.objects.create(
        library=world.lamongan_village,
        date=DAY,
        title="Kelas membatik",
        activity_field="Ekonomi",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=1250,
        participants_male=500,
        participants_female=750,
        participants_disability=12,
    )
    text = row_text(_queue(world, "pelibatan"), activity.pk)
    assert "Peserta 1.250" in text and "L / P 500 / 750" in text and "Disabilitas 12" in text
    assert "Ekonomi · Pelatihan · Umum" in text

    news = Publicity.objects.create(
        library=world.lamongan_village, date=DAY, title="Di koran", media_kind="Media Cetak", media_name="Radar"
    )
    assert "Media Media Cetak · Radar" in row_text(_queue(world, "publikasi"), news.pk)

    capacity = InformationService.objects.create(
        library=world.lamongan_village, year=2026, month=7, books=1200, digital_books=40, computers=3, bandwidth=20
    )
    text = row_text(_queue(world, "peningkatan"), capacity.pk)
    assert "Buku 1.200" in text and "Buku digital 40" in text and "Komputer 3" in text and "Internet 20 Mbps" in text

    replication = Replication.objects.create(
        region_id="35.24", year=2026, funds=250_000_000, funding_source="APBD", villages=12
    )
    text = row_text(_queue(world, "replikasi"), replication.pk)
    assert "Replikasi mandiri 2026" in text
    assert "Dana Rp 250.000.000" in text and "Sumber APBD" in text and "Desa 12" in text


def test_it_reads_the_figures_in_a_fixed_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    client = world.client_for(world.facilitator_3524)
    _visitors(world, 1, 10, 12)
    client.get("/laporan/verifikasi/pengunjung/")  # warm the session and content-type caches
    for month in range(2, 13):
        _visitors(world, month, 10 * month, 12 * month)
    # Session, user, scope, the six tab counts, the page count, the page, its photos: not one per record.
    with django_assert_max_num_queries(16):
        body = client.get("/laporan/verifikasi/pengunjung/").content.decode()
    assert body.count("Laki-laki") == 12
