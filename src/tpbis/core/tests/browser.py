"""What the browser tests share: Chromium at a cheap phone's size, and the tables they need put back.

The fixtures are made available to every test by src/conftest.py; a browser test module declares

    pytestmark = BROWSER_MARKS

which marks it, skips it without Chromium, and restores the tables once after its last test.
"""

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
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, ViewportSize, sync_playwright

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
TIMEOUT_MS = 15_000
BROWSER_TEST_TIMEOUT_S = 300

# Skipping by marker, before any fixture runs, spares the live server's table flush when there is no browser.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium not installed at /usr/bin/chromium: apt-get install -y chromium"
    ),
    pytest.mark.usefixtures("database_restored"),
    # A browser test takes seconds; one stuck on a page or a service worker fails with its stack instead.
    pytest.mark.timeout(BROWSER_TEST_TIMEOUT_S),
]


def _models_without_regions() -> list[type[Model]]:
    return [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy and m is not Region]


def _snapshot_without_regions() -> str:
    """Every row but the regions: what migrations seeded (content types, vocabularies...)."""
    querysets = (m._base_manager.order_by("pk") for m in _models_without_regions())
    return serializers.serialize("json", chain.from_iterable(querysets))


@pytest.fixture(scope="module")
def database_restored(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Put back what the live server's end-of-test flush wipes, for the tests that run after this module.

    A transactional test empties every table, including the regions and the rows data migrations
    seeded, and with --reuse-db the next session would inherit that. Django's serialized_rollback
    would serialize the 90,000 regions too; they reload far faster with regions_load(). It asks for the
    test database first, so the snapshot is never taken of the developer's own database.
    """
    with django_db_blocker.unblock():
        snapshot = _snapshot_without_regions()
    yield
    with django_db_blocker.unblock():
        if Region.objects.exists():
            return  # nothing was flushed (the tests were skipped)
        # The flush re-created content types under new ids; clear them so the originals fit back.
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True, reset_sequences=False)
        connection.creation.deserialize_db_from_string(snapshot)
        # Rows came back with explicit ids: move PostgreSQL's sequences past them, as loaddata does.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), _models_without_regions()):
                cursor.execute(sql)
        regions_load()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """Chromium; a test fails when a page did something the Content-Security-Policy refused."""
    # Playwright's sync API runs an event loop in this thread; Django would refuse ORM calls next to it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    refusals: list[str] = []

    def note_refusal(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refusals.append(f"{message.location.get('url', '')}: {message.text}")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        new_context = chromium.new_context

        def watched_context(**options: Any) -> BrowserContext:
            context = new_context(**options)
            context.on("console", note_refusal)
            return context

        # Every context, the tests' own too, reports what the policy refused (an inline script, a style=).
        monkeypatch.setattr(chromium, "new_context", watched_context)
        try:
            yield chromium
        finally:
            chromium.close()
    assert not refusals, "\n".join(refusals)


def phone_context(browser: Browser) -> BrowserContext:
    """A fresh session (own cookies) on a 360×740 screen in Indonesian: one person's phone."""
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def browser_page(browser: Browser) -> Page:
    return phone_context(browser).new_page()


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page is wider than the phone's screen (0 or less: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth")) - PHONE["width"]


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
