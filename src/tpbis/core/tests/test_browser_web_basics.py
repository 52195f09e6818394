"""What a phone downloads: compressed pages and static files, static files cached for good, page budgets.

Served as in production (see production_server.py): static files collected with hashed names and
gzipped copies, answered by whitenoise. Bytes are what Chromium received (compressed bodies and headers,
Chrome DevTools' encodedDataLength), on a cheap phone's 360×740 screen.
"""

from __future__ import annotations

import gzip
import re
import urllib.request
from typing import Any

from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD, World
from tpbis.core.tests.browser import BROWSER_MARKS, PHONE, TIMEOUT_MS
from tpbis.core.tests.production_server import collected_static_root, production_server_fixture  # noqa: F401

pytestmark = BROWSER_MARKS

server = production_server_fixture(port=0)

ENTRY_FORM = "/laporan/pelibatan/baru/"
DASHBOARD = "/dasbor/"
KB = 1000
ONE_YEAR = 365 * 24 * 3600


def _signed_in(browser: Browser, base: str, email: str) -> Page:
    # The installed app's service worker would answer pages out of this page's sight (0 bytes measured):
    # these budgets are for a browser without it; the app's own budget is in tpbis/offline's tests.
    context = browser.new_context(viewport=PHONE, locale="id-ID", service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(base + "/akun/masuk/")
    page.fill("input[name='username']", email)
    page.fill("input[name='password']", PASSWORD)
    page.press("input[name='password']", "Enter")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "sign-in failed"
    return page


def _bytes_received(page: Page, url: str, *, empty_cache: bool) -> int:
    """Bytes Chromium received while `url` loaded to the network's rest."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    if empty_cache:
        cdp.send("Network.clearBrowserCache")
    received: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished", lambda event: received.__setitem__(event["requestId"], event["encodedDataLength"])
    )
    page.goto(url, wait_until="networkidle")
    cdp.detach()
    return sum(received.values())


def _get(url: str) -> Any:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})  # noqa: S310 (the test's own server)
    return urllib.request.urlopen(request, timeout=10)  # noqa: S310


def test_a_phone_downloads_compressed_pages_and_keeps_static_files_within_the_budgets(
    server: LiveServer, transactional_db: None, world: World, browser: Browser
) -> None:
    # Static files: hashed names, gzipped, cached for a year without asking again.
    login = gzip.decompress(_get(server.url + "/akun/masuk/").read()).decode()  # the page came gzipped too
    htmx = next(src for src in re.findall(r'<script src="(/static/[^"]+)"', login) if "htmx" in src)
    assert re.search(r"\.[0-9a-f]{12}\.js$", htmx), f"htmx is not served under a hashed name: {htmx}"
    response = _get(server.url + htmx)
    assert response.headers["Content-Encoding"] == "gzip"
    assert int(response.headers["Content-Length"]) < 20 * KB, "htmx (52 KB) goes out compressed"
    cache_control = response.headers["Cache-Control"]
    assert "immutable" in cache_control
    assert int(re.search(r"max-age=(\d+)", cache_control).group(1)) >= ONE_YEAR  # type: ignore[union-attr]

    # The manager's entry form: at most 60 KB on a first visit, 10 KB on the next.
    page = _signed_in(browser, server.url, world.manager.email)
    first = _bytes_received(page, server.url + ENTRY_FORM, empty_cache=True)
    assert page.locator("main form button[type=submit]").count() > 0, "the entry form was shown"
    again = _bytes_received(page, server.url + ENTRY_FORM, empty_cache=False)
    print(f"entry form: first visit {first / KB:.1f} KB, repeat visit {again / KB:.1f} KB")
    assert first <= 60 * KB, f"first visit of the entry form: {first / KB:.1f} KB"
    assert again <= 10 * KB, f"repeat visit of the entry form: {again / KB:.1f} KB"
    answer = page.goto(server.url + ENTRY_FORM)
    assert answer is not None
    assert answer.all_headers().get("content-encoding") == "gzip", "the page itself goes out gzipped"

    # A missing page is the site's own friendly page, not Django's debug page.
    missing = page.goto(server.url + "/tidak-ada/")
    assert missing is not None
    assert missing.status == 404
    assert page.locator("header.topbar").count() == 1
    assert "Traceback" not in page.content()

    # The national dashboard: at most 100 KB on a first visit.
    page = _signed_in(browser, server.url, world.national.email)
    first = _bytes_received(page, server.url + DASHBOARD, empty_cache=True)
    assert page.locator("main h1").count() == 1, "the dashboard was shown"
    print(f"dashboard: first visit {first / KB:.1f} KB")
    assert first <= 100 * KB, f"first visit of the dashboard: {first / KB:.1f} KB"
