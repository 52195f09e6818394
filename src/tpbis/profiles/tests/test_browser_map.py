"""A facilitator on a phone (360×740) sees the libraries of their kabupaten on the dashboard's map, drawn
on a plain background when no tile server is set, each dot naming its KPI colour."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD, World, make_library
from tpbis.core.tests.browser import BROWSER_MARKS, horizontal_overflow, screenshot
from tpbis.kpi.models import Colour, CurrentScore, Scheme
from tpbis.profiles.tests.helpers import profile_make

pytestmark = BROWSER_MARKS


def test_the_map_draws_the_libraries_without_tiles_on_a_phone(
    live_server: Any, world: World, browser_page: Page, settings: Any
) -> None:
    settings.TILE_URL = ""  # offline, or no tile server configured
    banggle = make_library("Perpustakaan Desa Banggle", "35.24.01.2002")
    profile_make(world.lamongan_village, latitude=Decimal("-7.116312"), longitude=Decimal("112.416789"))
    profile_make(banggle, latitude=Decimal("-7.1301"), longitude=Decimal("112.4402"))
    profile_make(world.lamongan_district)  # no location yet
    scheme = Scheme.objects.order_by("pk").first()
    assert scheme is not None
    CurrentScore.objects.create(
        library=world.lamongan_village, as_of=timezone.localdate(), scheme=scheme, score=62.5, colour=Colour.YELLOW
    )

    page = browser_page
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name='username']", world.facilitator_3524.email)
    page.fill("input[name='password']", PASSWORD)
    page.press("input[name='password']", "Enter")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")

    page.goto(live_server.url + "/dasbor/?wilayah=35.24")
    figure = page.locator("figure.libmap-card")
    dots = figure.locator("path.leaflet-interactive")
    expect(dots).to_have_count(2)
    expect(figure.locator("[data-libmap-status]")).to_have_text("Perpustakaan tanpa lokasi (belum tampil di peta): 1")
    assert figure.locator(".leaflet-tile").count() == 0  # no tile layer: the plain background
    expect(figure.locator(".libmap")).to_have_class(re.compile(r"\blibmap-plain\b"))
    expect(figure.locator('[data-libmap-count="kuning"]')).to_have_text("(1)")

    sembung = figure.locator('path[aria-label="Perpustakaan Desa Sembung: Kuning (sedang)"]')
    sembung.scroll_into_view_if_needed()
    sembung.click()
    popup = figure.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Perpustakaan Desa Sembung")
    expect(popup).to_contain_text("Kuning (sedang) · Skor IKU 62,5")
    screenshot(page, "peta-perpustakaan-360.png")
    assert horizontal_overflow(page) <= 0, "the dashboard with its map scrolls sideways at 360 px"
