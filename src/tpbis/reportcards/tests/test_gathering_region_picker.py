"""The gathering report offers a region picker: province or kabupaten, by code or by name."""

from __future__ import annotations

import re

from conftest import World


def test_it_offers_the_region_picker_with_the_region_shown(world: World) -> None:
    page = world.client_for(world.province_35).get("/laporan-gathering/").content.decode()
    assert re.search(r'<input type="text" name="wilayah" id="id_wilayah" value="35"', page), (
        "the picker holds the region"
    )
    assert "data-picker-search" in page, "a region can be searched by name"
    assert '<label for="id_wilayah">Wilayah</label>' in page


def test_the_picked_region_is_shown_with_the_period_kept(world: World) -> None:
    client = world.client_for(world.province_35)
    page = client.get("/laporan-gathering/", {"wilayah": "35.24", "periode": "q1"}).content.decode()
    assert re.search(r"<h1>Laporan Gathering [^<]*Lamongan", page)
    assert 'value="35.24"' in page, "the picker shows the region picked"
    assert re.search(r'<option value="q1" selected', page), "the period stays chosen"
