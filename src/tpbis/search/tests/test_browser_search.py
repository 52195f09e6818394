"""In a real Chromium at 360 px: the header's search box finds a library, and the page stays phone-wide."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from conftest import PASSWORD, World
from tpbis.core.tests.browser import BROWSER_MARKS, horizontal_overflow, screenshot

pytestmark = BROWSER_MARKS


def test_a_facilitator_searches_from_the_header_on_a_phone(live_server: Any, world: World, browser_page: Page) -> None:
    page = browser_page
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name='username']", world.facilitator_3524.email)
    page.fill("input[name='password']", PASSWORD)
    page.press("input[name='password']", "Enter")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")

    box = page.locator("form.topsearch input[name='q']")
    expect(box).to_be_visible()
    assert horizontal_overflow(page) <= 0, "the header scrolls sideways at 360 px"
    box.fill("sembung")
    box.press("Enter")
    page.wait_for_url("**/cari/?q=sembung")

    main = page.locator("main")
    expect(main).to_contain_text(world.lamongan_village.name)
    expect(main).not_to_contain_text(world.belo_laut.name)
    screenshot(page, "cari-fasilitator-360.png")
    assert horizontal_overflow(page) <= 0, "the results scroll sideways at 360 px"
    page.click(f"main a[href='/mitra/{world.lamongan_village.pk}/']")
    page.wait_for_url(f"**/mitra/{world.lamongan_village.pk}/")
