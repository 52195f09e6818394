"""Smoke test in a real Chromium: a kabupaten facilitator on a cheap phone's screen reaches the partner list."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Model
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


def _models_without_regions() -> list[type[Model]]:
    return [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy and m is not Region]


def _snapshot_without_regions() -> str:
    """Every row but the regions: what migrations seeded (content types, vocabularies...)."""
    querysets = (m._base_manager.order_by("pk") for m in _models_without_regions())
    return serializers.serialize("json", chain.from_iterable(querysets))


@pytest.fixture(scope="module", autouse=True)
def _database_restored(django_db_blocker: Any) -> Iterator[None]:
    """Put back what the live server's end-of-test flush wipes, for the tests that run after this module.

    A transactional test empties every table, including the regions and the rows data migrations
    seeded, and with --reuse-db the next session would inherit that. Django's serialized_rollback
    would serialize the 90,000 regions too; they reload far faster with regions_load().
    """
    with django_db_blocker.unblock():
        snapshot = _snapshot_without_regions()
    yield
    with django_db_blocker.unblock():
        if Region.objects.exists():
            return  # nothing was flushed (the test was skipped)
        # The flush re-created content types under new ids; clear them so the originals fit back.
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True, reset_sequences=False)
        connection.creation.deserialize_db_from_string(snapshot)
        # Rows came back with explicit ids: move PostgreSQL's sequences past them, as loaddata does.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), _models_without_regions()):
                cursor.execute(sql)
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
