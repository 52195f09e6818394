"""Smoke test in a real Chromium: a kabupaten facilitator on a cheap phone's screen reaches the partner list."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from conftest import PASSWORD, World
from tpbis.core.tests.browser import BROWSER_MARKS, horizontal_overflow, screenshot

pytestmark = BROWSER_MARKS


def test_a_facilitator_on_a_phone_reaches_the_libraries_of_their_kabupaten(
    live_server: Any, world: World, browser_page: Page
) -> None:
    page = browser_page
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name='username']", world.facilitator_3524.email)
    page.fill("input[name='password']", PASSWORD)
    page.press("input[name='password']", "Enter")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")
    assert horizontal_overflow(page) <= 0, "the home page scrolls sideways at 360 px"

    page.click("details.menu > summary")
    page.click("details.menu nav a[href='/mitra/']")
    page.wait_for_url(live_server.url + "/mitra/")

    main = page.locator("main")
    expect(main).to_contain_text(world.lamongan_village.name)
    expect(main).to_contain_text(world.lamongan_district.name)
    expect(main).not_to_contain_text(world.belo_laut.name)
    expect(main).not_to_contain_text(world.lumajang_village.name)
    screenshot(page, "mitra-fasilitator-360.png")
    assert horizontal_overflow(page) <= 0, "the partner list scrolls sideways at 360 px"
