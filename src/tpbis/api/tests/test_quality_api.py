"""GET /api/v1/quality/outliers: flags of the caller's area only, farthest first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from conftest import World
from tpbis.api.tokens import token_create
from tpbis.quality.scan import outliers_scan
from tpbis.quality.tests.helpers import USUAL, visitor_months

pytestmark = pytest.mark.django_db
URL = "/api/v1/quality/outliers"


@pytest.fixture
def flagged(world: World) -> None:
    visitor_months(world.lamongan_village, [*USUAL[:10], 2400])
    visitor_months(world.lumajang_village, [*USUAL[:10], 9000])
    visitor_months(world.belo_laut, [*USUAL[:10], 4000])
    outliers_scan(today=dt.date(2026, 12, 6))


def _get(world: World, persona: str, **params: str) -> tuple[int, dict]:
    _, key = token_create(user=getattr(world, persona), name="kualitas", read_only=True)
    response = Client().get(URL, params, HTTP_AUTHORIZATION=f"Bearer {key}")
    return response.status_code, response.json()


def test_it_returns_the_facilitators_flags_only(world: World, flagged: None) -> None:
    status, body = _get(world, "facilitator_3524")

    assert status == 200
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["library_name"], item["measure"], item["value"], item["basis"]) == (
        "Perpustakaan Desa Sembung",
        "pengunjung",
        2400.0,
        "history",
    )
    assert item["text"] == "jauh di atas biasanya: 2.400 pengunjung, biasanya 168–264"
    assert item["status"] == "open"


def test_the_province_gets_its_flags_farthest_first(world: World, flagged: None) -> None:
    _status, body = _get(world, "province_35")

    assert [i["library_name"] for i in body["items"]] == ["Perpustakaan Desa Labruk Kidul", "Perpustakaan Desa Sembung"]


def test_a_region_outside_the_area_is_404_and_a_manager_403(world: World, flagged: None) -> None:
    assert _get(world, "facilitator_3524", region="3508")[0] == 404
    assert _get(world, "province_35", region="19.05")[0] == 404
    assert _get(world, "national", region="19.05")[1]["count"] == 1
    assert _get(world, "manager")[0] == 403
    assert Client().get(URL).status_code == 401
