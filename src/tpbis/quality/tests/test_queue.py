"""The verification queue marks a flagged record, so the facilitator checks it before verifying."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import World
from tpbis.quality.scan import outliers_scan
from tpbis.quality.tests.helpers import USUAL, visitor_months

pytestmark = pytest.mark.django_db


def test_the_queue_marks_the_flagged_month_and_not_the_others(world: World, django_assert_max_num_queries: Any) -> None:
    records = visitor_months(world.lamongan_village, [*USUAL[:10], 2400])
    outliers_scan(today=dt.date(2026, 12, 6))
    client = world.client_for(world.facilitator_3524)
    client.get("/laporan/verifikasi/pengunjung/")  # warm the per-process caches before counting

    with django_assert_max_num_queries(30):
        page = client.get("/laporan/verifikasi/pengunjung/").content.decode()

    row = page[page.index(f'id="r{records[-1].pk}"') :]
    row = row[: row.index('<li id="r')] if '<li id="r' in row else row
    assert "jauh di atas biasanya: 2.400 pengunjung, biasanya 168–264" in row
    assert page.count("jauh di atas biasanya") == 1


def test_the_queue_makes_one_query_for_the_marks_whatever_the_page_size(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    visitor_months(world.lamongan_village, [*USUAL[:10], 2400])
    visitor_months(world.lamongan_village, USUAL, year=2025)
    outliers_scan(today=dt.date(2026, 12, 6))
    client = world.client_for(world.facilitator_3524)
    client.get("/laporan/verifikasi/pengunjung/")

    with CaptureQueriesContext(connection) as queries:
        client.get("/laporan/verifikasi/pengunjung/")

    assert sum("quality_outlierflag" in q["sql"] for q in queries.captured_queries) == 1
