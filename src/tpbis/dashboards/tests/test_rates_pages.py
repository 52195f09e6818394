"""Reporting rates where people read them: the dashboard, the child-region table, a library's page, the
gathering report (page and PDF), the child-region export and `/api/v1/stats`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from conftest import World
from tpbis.accounts.scope import scope_for_user
from tpbis.dashboards.tests.test_rates import reported_build, visitors
from tpbis.exports.tests.helpers import body, xlsx_rows
from tpbis.reportcards.forms import Period
from tpbis.reportcards.pdf import gathering_story
from tpbis.reportcards.selectors import gathering_report_for_user
from tpbis.reportcards.tests.records import story_text

LAST_YEAR = "mulai=2025-01-01&sampai=2025-12-31"
# Kabupaten Lamongan in 2025 (see the `reported` fixture): 16 of 24 received, 14 on time.
LAMONGAN_HEADLINE = "Laporan pengunjung: 66,7% masuk, 58,3% tepat waktu"


@pytest.fixture
def reported(world: World) -> World:
    return reported_build(world)


def test_it_shows_the_rates_on_the_region_dashboard_and_its_table(reported: World) -> None:
    client = reported.client_for(reported.facilitator_3524)
    response = client.get(f"/dasbor/?wilayah=35.24&{LAST_YEAR}")
    page = response.content.decode()
    assert LAMONGAN_HEADLINE in page
    assert "16 dari 24 laporan yang diharapkan masuk, 14 di antaranya paling lambat tanggal 10" in page
    assert "Laporan pengunjung masuk" in page and "Laporan pengunjung tepat waktu" in page
    cells = {row.region.code: list(map(str, cells)) for row, cells in response.context["table"]}
    assert cells["35.24.01"][-2:] == ["75,0%", "66,7%"]
    assert cells["35.24"][-2:] == ["58,3%", "50,0%"]  # the kabupaten library itself
    sorted_rows = client.get(f"/dasbor/?wilayah=35.24&{LAST_YEAR}&urut=-laporan_pct").context["rows"]
    assert sorted_rows[0].region.code == "35.24.01"


def test_it_shows_a_dash_when_nothing_is_expected(reported: World) -> None:
    page = reported.client_for(reported.national).get("/dasbor/?wilayah=35&mulai=2025-03-02&sampai=2025-03-30")
    text = page.content.decode()
    assert "Laporan pengunjung: –" in text
    assert {str(cells[-1]) for _, cells in page.context["table"]} == {"–"}


def test_it_speaks_english_too(reported: World) -> None:
    client = reported.client_for(reported.facilitator_3524)
    client.cookies["django_language"] = "en"
    page = client.get(f"/dasbor/?wilayah=35.24&{LAST_YEAR}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "66.7%" in page and "58.3%" in page


def test_it_shows_a_librarys_year_on_its_page(world: World, monkeypatch: object) -> None:
    from tpbis.dashboards.templatetags import rates_tags

    monkeypatch.setattr(rates_tags, "_today", lambda: dt.date(2026, 12, 6))  # type: ignore[attr-defined]
    sembung = world.lamongan_village
    for month in range(1, 10):
        visitors(sembung, 2026, month, f"2026-{month + 1:02d}-{15 if month in (2, 5) else 3:02d}")
    page = world.client_for(world.manager).get(f"/mitra/{sembung.pk}/").content.decode()
    assert "Laporan pengunjung 2026: 9 dari 11 bulan, 7 tepat waktu" in page


def test_it_shows_the_rates_in_the_gathering_report_and_its_pdf(reported: World) -> None:
    client = reported.client_for(reported.province_35)
    page = client.get(f"/laporan-gathering/?wilayah=35.24&{LAST_YEAR}").content.decode()
    assert LAMONGAN_HEADLINE in page
    assert "75,0%" in page and "66,7%" in page  # the kecamatan's row
    report = gathering_report_for_user(
        scope=scope_for_user(reported.province_35),
        region_code="35.24",
        period=Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    )
    text = story_text(gathering_story(report))
    assert "Laporan pengunjung: 66,7% masuk, 58,3% tepat waktu (16 dari 24 laporan)" in text
    assert "Laporan pengunjung tepat waktu" in text and "75,0%" in text
    pdf = client.get(f"/laporan-gathering/pdf/?wilayah=35.24&{LAST_YEAR}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_it_exports_the_rates_per_child_region(reported: World) -> None:
    client = reported.client_for(reported.province_35)
    rows = xlsx_rows(body(client.get(f"/ekspor/wilayah.xlsx?wilayah=35&{LAST_YEAR}")))
    header = rows[0]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    lamongan = by_code["35.24"]
    assert lamongan["Laporan pengunjung diharapkan"] == 24
    assert lamongan["Laporan pengunjung masuk"] == 16
    assert lamongan["Laporan pengunjung tepat waktu"] == 14
    assert lamongan["% laporan pengunjung masuk"] == 66.7
    assert lamongan["% laporan pengunjung tepat waktu"] == 58.3
    assert by_code["35.01"]["% laporan pengunjung masuk"] is None  # nothing expected: an empty cell


def test_it_answers_the_rates_in_the_stats_api_and_documents_them(reported: World) -> None:
    stats = Client().get("/api/v1/stats?region=35.24&start=2025-01-01&end=2025-12-31").json()
    assert (stats["reporting_rate"], stats["reporting_rate_on_time"]) == (66.7, 58.3)
    assert (stats["reports_expected"], stats["reports_received"], stats["reports_on_time"]) == (24, 16, 14)
    # The old fields stay as they were.
    assert set(stats["records"]) == {"pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung"}
    assert set(stats["records"]["pengunjung"]) == {"submitted", "verified"}
    assert set(stats["partners"]) >= {"total", "by_kind", "by_support", "without_account", "without_account_pct"}
    assert stats["green_100"] == [] and stats["region"] == {"code": "35.24", "name": "Kabupaten Lamongan"}
    empty = Client().get("/api/v1/stats?region=35.24&start=2025-03-02&end=2025-03-30").json()
    assert empty["reporting_rate"] is None and empty["reports_expected"] == 0
    schema = Client().get("/api/v1/openapi.json").json()
    out = schema["components"]["schemas"]["StatsOut"]["properties"]
    assert {"reporting_rate", "reporting_rate_on_time", "reports_expected", "reports_received"} <= out.keys()
    assert "REPORTING_DEADLINE_DAY" in out["reporting_rate_on_time"]["description"]
