"""The gathering report: the seeds' headline sentence, figures against a small hand-counted region, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from conftest import World, make_library
from tpbis.accounts.scope import scope_for_user
from tpbis.libraries.models import Library
from tpbis.regions.models import Level, Region
from tpbis.reportcards.formatting import Headline, headline_text, whole_percent
from tpbis.reportcards.forms import Period
from tpbis.reportcards.pdf import gathering_story
from tpbis.reportcards.selectors import gathering_report_for_user
from tpbis.reportcards.tests.records import engagement, small_east_java, story_text
from tpbis.reports.signals import records_changed

PERIOD = "mulai=2024-01-01&sampai=2024-09-30"
EAST_JAVA_SENTENCE = (
    "932 mitra, 8.781 kegiatan pelibatan masyarakat, 2.146 advokasi, 412 peningkatan layanan informasi; "
    "KPI: 24 hijau, 114 kuning, 134 merah; 658 perpustakaan (70%) belum memiliki akun"
)
SMALL_SENTENCE = (
    "3 mitra, 9 kegiatan pelibatan masyarakat, 14 advokasi, 1 peningkatan layanan informasi; "
    "KPI: 1 hijau, 0 kuning, 1 merah; 2 perpustakaan (66%) belum memiliki akun"
)


def test_it_writes_the_headline_exactly_as_the_east_java_gathering_did() -> None:
    headline = Headline(
        partners=932,
        engagement=8781,
        advocacy=2146,
        information=412,
        green=24,
        yellow=114,
        red=134,
        without_account=658,
    )
    with translation.override("id"):
        assert headline_text(headline) == EAST_JAVA_SENTENCE


def test_it_rounds_the_share_without_account_down_to_a_whole_percent() -> None:
    assert whole_percent(658, 932) == 70  # 70.6%, reported as 70% by the seed
    assert whole_percent(2, 3) == 66
    assert whole_percent(0, 0) == 0


@pytest.fixture
def east_java(world: World) -> World:
    small_east_java(world)
    return world


def test_it_shows_the_regions_figures_in_the_seeds_phrasing(east_java: World) -> None:
    response = east_java.client_for(east_java.province_35).get(f"/laporan-gathering/?wilayah=35&{PERIOD}")
    assert response.status_code == 200
    assert response.context["headline"] == SMALL_SENTENCE
    body = response.content.decode()
    assert SMALL_SENTENCE in body
    assert "1 Januari 2024 – 30 September 2024" in body


def test_it_lists_the_green_libraries_and_those_with_score_100(east_java: World) -> None:
    report = (
        east_java.client_for(east_java.province_35).get(f"/laporan-gathering/?wilayah=35&{PERIOD}").context["report"]
    )
    assert [(g.name, g.score) for g in report.green] == [("Perpustakaan Desa Sembung", Decimal("100.00"))]
    assert [g.name for g in report.figures.green_100] == ["Perpustakaan Desa Sembung"]


def test_it_shows_one_row_per_child_region_with_partners(east_java: World) -> None:
    report = (
        east_java.client_for(east_java.province_35).get(f"/laporan-gathering/?wilayah=35&{PERIOD}").context["report"]
    )
    rows = {row.region.code: row for row in report.children}
    assert set(rows) == {"35.08", "35.24"}
    lamongan, lumajang = rows["35.24"], rows["35.08"]
    assert (lamongan.partners, lamongan.records["pelibatan"].submitted, lamongan.colours.hijau) == (2, 7, 1)
    assert (lumajang.partners, lumajang.records["pelibatan"].submitted, lumajang.without_account) == (1, 2, 1)


def test_it_ranks_the_most_active_libraries_of_the_period(east_java: World) -> None:
    report = (
        east_java.client_for(east_java.province_35).get(f"/laporan-gathering/?wilayah=35&{PERIOD}").context["report"]
    )
    assert [(a.name, a.total) for a in report.most_active] == [
        ("Perpustakaan Desa Sembung", 25),
        ("Perpustakaan Desa Labruk Kidul", 2),
    ]


def test_it_shares_only_verified_stories_of_the_region_and_period(east_java: World) -> None:
    response = east_java.client_for(east_java.province_35).get(f"/laporan-gathering/?wilayah=35&{PERIOD}")
    assert [s.text for s in response.context["report"].stories] == ["Ibu-ibu kini menjual batik."]
    body = response.content.decode()
    assert "Labruk Kidul, Kab. Lumajang" in body  # a village is named with its kabupaten
    assert "1.250 peserta" in body
    client = east_java.client_for(east_java.province_35)
    client.cookies["django_language"] = "en"
    english = client.get(f"/laporan-gathering/?wilayah=35&{PERIOD}").content.decode()
    assert "1,250 participants" in english and "peserta" not in english
    for hidden in (
        "Tidak dihitung",
        "Sesudah periode",
        "Belum diverifikasi",
        "Cerita sebelum periode",
        "Cerita dari Bangka Barat",
    ):
        assert hidden not in body


def test_it_lets_a_facilitator_report_on_their_kabupaten_only(east_java: World) -> None:
    facilitator = east_java.client_for(east_java.facilitator_3524)
    own = facilitator.get(f"/laporan-gathering/?{PERIOD}")
    assert own.status_code == 200
    assert own.context["report"].figures.region.code == "35.24"
    assert own.context["report"].headline.partners == 2
    assert facilitator.get(f"/laporan-gathering/?wilayah=3524&{PERIOD}").status_code == 200  # undotted code
    assert facilitator.get(f"/laporan-gathering/?wilayah=35&{PERIOD}").status_code == 404
    assert facilitator.get(f"/laporan-gathering/pdf/?wilayah=35&{PERIOD}").status_code == 404
    assert facilitator.get("/laporan-gathering/?wilayah=35.08").status_code == 404


def test_it_hides_regions_outside_the_officers_province(world: World) -> None:
    officer = world.client_for(world.province_35)
    assert officer.get("/laporan-gathering/?wilayah=19").status_code == 404
    assert officer.get("/laporan-gathering/?wilayah=bukan-kode").status_code == 404
    assert world.client_for(world.facilitator_1905).get("/laporan-gathering/?wilayah=35.24").status_code == 404


def test_it_refuses_a_library_manager(world: World) -> None:
    manager = world.client_for(world.manager)
    assert manager.get("/laporan-gathering/").status_code == 403
    assert manager.get("/laporan-gathering/pdf/").status_code == 403


def test_it_asks_an_anonymous_visitor_to_sign_in(client: Client, world: World) -> None:
    assert client.get("/laporan-gathering/").status_code == 302


def test_it_opens_the_nation_for_the_national_team(world: World) -> None:
    response = world.client_for(world.national).get("/laporan-gathering/")
    assert response.status_code == 200
    assert response.context["report"].figures.region.code is None
    assert response.context["report"].headline.partners == 4


def test_it_downloads_the_gathering_report_as_a_pdf(east_java: World) -> None:
    response = east_java.client_for(east_java.province_35).get(f"/laporan-gathering/pdf/?wilayah=35&{PERIOD}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="gathering-jawa-timur-20240101-20240930.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 3000


def test_it_prints_the_same_figures_in_the_pdf(east_java: World) -> None:
    report = gathering_report_for_user(
        scope=scope_for_user(east_java.province_35),
        region_code="35",
        period=Period(dt.date(2024, 1, 1), dt.date(2024, 9, 30)),
    )
    printed = story_text(gathering_story(report))
    assert "Laporan Gathering Jawa Timur" in printed
    assert SMALL_SENTENCE in printed
    assert "1 Januari 2024 – 30 September 2024" in printed
    assert "Perpustakaan Desa Sembung (Sembung, Kab. Lamongan)" in printed  # green with score 100
    assert "Ibu-ibu kini menjual batik." in printed
    assert "1.250 peserta" in printed
    assert "Cerita dari Bangka Barat" not in printed


def test_it_runs_as_many_queries_for_a_larger_province(east_java: World) -> None:
    officer = east_java.client_for(east_java.province_35)
    url = f"/laporan-gathering/?wilayah=35&{PERIOD}"
    with CaptureQueriesContext(connection) as small:
        officer.get(url)
    blitar_villages = Region.objects.filter(code__startswith="35.05.", level=Level.VILLAGE).order_by("code")[:6]
    for i, village in enumerate(blitar_villages):
        library = make_library(f"Perpustakaan Desa Tambahan {i}", village.code)
        engagement(library, dt.date(2024, 6, 1), story=f"Kisah {i}")
    records_changed.send(sender=None, library_ids=set(Library.objects.values_list("pk", flat=True)))
    with CaptureQueriesContext(connection) as larger:
        response = officer.get(url)
    assert response.context["report"].headline.partners == 9
    assert len(larger) == len(small)


def test_it_offers_the_dashboards_period_presets(world: World) -> None:
    client = world.client_for(world.province_35)
    today = timezone.localdate()
    response = client.get("/laporan-gathering/?wilayah=35&periode=m01")
    figures = response.context["report"].figures
    assert (figures.start, figures.end) == (dt.date(today.year, 1, 1), dt.date(today.year, 1, 31))
    assert 'value="q1"' in response.content.decode()
    response = client.get("/laporan-gathering/pdf/?wilayah=35&periode=last_year")
    assert (
        f'filename="gathering-jawa-timur-{today.year - 1}0101-{today.year - 1}1231.pdf"'
        in response["Content-Disposition"]
    )
    # Dates typed in win over a preset; an unknown preset is explained and this year to date is shown.
    response = client.get("/laporan-gathering/?wilayah=35&periode=q1&mulai=2024-02-01&sampai=2024-02-29")
    figures = response.context["report"].figures
    assert (figures.start, figures.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    response = client.get("/laporan-gathering/?wilayah=35&periode=zz")
    assert response.status_code == 200
    assert response.context["report"].figures.start == dt.date(today.year, 1, 1)
    assert response.context["form"].errors["periode"]
