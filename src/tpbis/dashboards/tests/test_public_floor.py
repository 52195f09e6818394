"""The public floor: without signing in, figures go down to kabupaten/kota and no further, on the page
and in the stats API alike."""

from __future__ import annotations

from django.test import Client

from conftest import World
from tpbis.dashboards.public import public_allows, public_children_shown


def test_it_draws_the_floor_at_kabupaten_kota() -> None:
    assert public_allows(None)
    assert public_allows("35")
    assert public_allows("35.24")
    assert not public_allows("35.24.01")
    assert not public_allows("35.24.01.2001")


def test_it_lists_no_kecamatan_rows_on_the_public_kabupaten_page(world: World) -> None:
    page = Client().get("/capaian/?wilayah=35.24")
    assert page.status_code == 200
    html = page.content.decode()
    assert "?wilayah=35.24.01" not in html  # a kecamatan row would link below the floor
    assert not page.context["rows"]
    assert not public_children_shown("35.24")


def test_it_still_lists_the_kabupaten_of_a_province(world: World) -> None:
    page = Client().get("/capaian/?wilayah=35")
    assert "?wilayah=35.24" in page.content.decode()
    assert public_children_shown("35")


def test_it_refuses_a_kecamatan_or_a_village_on_the_public_page(world: World) -> None:
    for code in ("35.24.01", "35.24.01.2001"):
        assert Client().get(f"/capaian/?wilayah={code}").status_code == 404


def test_it_keeps_the_signed_in_dashboard_below_the_floor(world: World) -> None:
    page = world.client_for(world.facilitator_3524).get("/dasbor/?wilayah=35.24")
    assert page.status_code == 200
    assert page.context["rows"]
