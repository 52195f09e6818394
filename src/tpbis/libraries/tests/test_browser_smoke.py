"""Smoke test in a real Chromium: a kabupaten facilitator on a cheap phone's screen reaches the partner list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

from conftest import PASSWORD, World
from tpbis.regions.models import Region
from tpbis.regions.services import regions_load

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 360, "height": 740}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

# Skipping by marker, before any fixture runs, spares the live server's table flush when there is no browser.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium not installed at /usr/bin/chromium: apt-get install -y chromium"
    ),
]


@pytest.fixture(scope="module", autouse=True)
def _regions_restored(django_db_blocker: Any) -> Iterator[None]:
    """A live-server test flushes every table when it ends, the shared region table included.

    Module scope runs this after that flush, so tests collected later still find the regions.
    """
    yield
    with django_db_blocker.unblock():
        if not Region.objects.exists():
            regions_load()


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    # Playwright's sync API runs an event loop in this thread; Django would refuse ORM calls next to it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE, locale="id-ID")
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def _horizontal_overflow(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth")) - PHONE["width"]


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
    assert _horizontal_overflow(page) <= 0, "the home page scrolls sideways at 360 px"

    page.click("details.menu > summary")
    page.click("details.menu nav a[href='/mitra/']")
    page.wait_for_url(live_server.url + "/mitra/")

    main = page.locator("main")
    expect(main).to_contain_text(world.lamongan_village.name)
    expect(main).to_contain_text(world.lamongan_district.name)
    expect(main).not_to_contain_text(world.belo_laut.name)
    expect(main).not_to_contain_text(world.lumajang_village.name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "mitra-fasilitator-360.png"), full_page=True)
    assert _horizontal_overflow(page) <= 0, "the partner list scrolls sideways at 360 px"
