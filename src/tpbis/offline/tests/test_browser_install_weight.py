"""The installable app's data budget, served as in production (hashed, gzipped static files; issue 15).

The first visit that installs the app (login page, sign-in, the library page, the service worker with
Workbox, its precache and the kept entry forms) downloads at most 250 KB in all; after installation,
opening an entry form without signal downloads nothing. Bytes are what Chromium received over the
network (compressed bodies plus headers), the service worker's own requests included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Request
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD, World
from tpbis.core.tests.browser import BROWSER_MARKS, phone_context
from tpbis.core.tests.production_server import collected_static_root, production_server_fixture  # noqa: F401
from tpbis.offline.tests.test_browser_offline import installed, worker_traffic  # noqa: F401

pytestmark = BROWSER_MARKS

server = production_server_fixture(port=0)

KB = 1000
INSTALL_BUDGET = 250 * KB
# What the service worker loads by importScripts(): Workbox and the queue (which ordinary pages do not load).
IMPORTED = ("/static/vendor/workbox/", "/static/js/offline-queue.")


class Meter:
    """Bytes received from the network per URL; answers the service worker gave from its cache are not."""

    def __init__(self, context: BrowserContext, static_root: Path) -> None:
        self.received: list[tuple[str, int]] = []
        self.static_root = static_root
        self.imported: set[str] = set()
        context.on("requestfinished", self._finished)

    def _finished(self, request: Request) -> None:
        response = request.response()
        if response is None or response.from_service_worker:
            return
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        path = urlsplit(request.url).path
        if size:
            self.imported.add(path)  # downloaded by a page: a later importScripts() is the HTTP cache's
        elif path.startswith(IMPORTED) and path not in self.imported:
            # The worker's importScripts() are reported without sizes: count the gzipped file whitenoise sent,
            # once (later requests for it are the HTTP cache's), plus a generous header.
            self.imported.add(path)
            size = (self.static_root / path.removeprefix("/static/")).with_suffix(".js.gz").stat().st_size + 400
        self.received.append((request.url, size))

    def total(self) -> int:
        return sum(size for _, size in self.received)


def test_installing_costs_under_250_kb_and_an_offline_form_nothing(
    worker_traffic: None,  # noqa: F811
    server: LiveServer,
    collected_static_root: Path,  # noqa: F811
    transactional_db: Any,
    world: World,
    browser: Browser,
) -> None:
    base = server.url
    context = phone_context(browser)
    meter = Meter(context, collected_static_root)
    page = context.new_page()
    page.goto(base + "/akun/masuk/")
    page.fill("input[name='username']", world.manager.email)
    page.fill("input[name='password']", PASSWORD)
    page.press("input[name='password']", "Enter")
    page.wait_for_load_state()
    installed(page)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)  # the last kept pages land in the cache
    install = meter.total()
    report = "\n".join(f"{size:>8} {url.removeprefix(base)}" for url, size in meter.received)
    print(f"\ninstall: {install} bytes in {len(meter.received)} responses\n{report}")
    assert install <= INSTALL_BUDGET, report

    meter.received.clear()
    context.set_offline(True)
    page.goto(f"{base}/laporan/pelibatan/baru/?perpustakaan={world.lamongan_village.pk}")
    page.wait_for_load_state("networkidle")
    assert page.locator("form.entry-form").count() == 1
    print(f"offline entry form: {meter.total()} bytes {meter.received}")
    assert meter.total() == 0
    context.close()
