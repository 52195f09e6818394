"""The KPI on a 360×740 phone in a real Chromium: the province tiles, the score breakdown and the scheme
editor can be read without zooming or scrolling sideways.

One test, since the live server's flush after each test removes the default scheme its migration seeded.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, Page

from conftest import PASSWORD, World
from tpbis.accounts.models import User
from tpbis.core.tests.browser import BROWSER_MARKS, horizontal_overflow, phone_context, screenshot
from tpbis.kpi.models import Scheme
from tpbis.kpi.services import kpi_refresh
from tpbis.libraries.models import Library
from tpbis.reports.models import CommunityEngagement, Status, Visitors

pytestmark = BROWSER_MARKS

# Texts that carry their own box (not the tiles' links, whose children are measured).
CLIPPED_TEXTS = """(selector) => [...document.querySelectorAll(selector)]
    .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth)
    .map(e => e.textContent.trim())"""

VISIBLE_FONT_SIZES = """(selector) => [...document.querySelectorAll(selector)]
    .filter(e => e.getClientRects().length > 0 && e.textContent.trim())
    .map(e => [e.textContent.trim(), parseFloat(getComputedStyle(e).fontSize) * (e.ownerSVGElement
        ? e.ownerSVGElement.getBoundingClientRect().width / e.ownerSVGElement.viewBox.baseVal.width : 1)])"""


def _log_in(browser: Browser, base_url: str, user: User) -> Page:
    page = phone_context(browser).new_page()
    page.goto(base_url + "/akun/masuk/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")
    return page


def _scored_library(world: World) -> Library:
    library = world.lamongan_village
    today = timezone.localdate()
    for month in range(1, today.month + 1):
        Visitors.objects.create(library=library, year=today.year, month=month, total=9, status=Status.VERIFIED)
    for i in range(3):
        CommunityEngagement.objects.create(
            library=library,
            date=today.replace(day=1),
            title=f"Pelatihan {i}",
            participants=12,
            status=Status.VERIFIED,
        )
    kpi_refresh(libraries=Library.objects.filter(pk=library.pk))
    return library


def _assert_fits(page: Page, where: str) -> None:
    assert horizontal_overflow(page) <= 0, f"{where} scrolls sideways at 360 px"


def test_the_kpi_pages_read_on_a_phone(live_server: Any, world: World, browser: Browser) -> None:
    library = _scored_library(world)
    scheme = Scheme.objects.get(name="IKU TPBIS 2026")

    national = _log_in(browser, live_server.url, world.national)
    national.goto(live_server.url + "/dasbor/")
    sizes = national.evaluate(VISIBLE_FONT_SIZES, ".tilemap text, .tilemap .tile-name, .tilemap .tile-figure")
    assert len(sizes) >= 2 * 38, "every province shows its name and its share of green"
    small = [(text, size) for text, size in sizes if size < 12]
    assert not small, f"tile labels under 12 px at 360 px: {small[:5]}"
    assert national.locator(".tilegrid a", has_text="Jawa Timur").is_visible()
    assert not national.evaluate(CLIPPED_TEXTS, ".tilegrid span")
    screenshot(national, "kpi-dasbor-peta-360.png")
    _assert_fits(national, "the national dashboard")

    manager = _log_in(browser, live_server.url, world.manager)
    for url in (f"/mitra/{library.pk}/", f"/rapor/{library.pk}/"):
        manager.goto(live_server.url + url)
        opener = manager.locator("details:has(.breakdown) > summary")
        if opener.count():
            opener.click()
        rows = manager.locator(".breakdown li")
        assert rows.count() == 8, url
        assert rows.first.is_visible(), url
        visitors = manager.locator(".breakdown li", has_text="Pengunjung")
        assert "bulan dilaporkan" in visitors.inner_text(), url
        clipped = manager.evaluate(CLIPPED_TEXTS, ".breakdown li, .breakdown li span")
        assert not clipped, f"{url}: cut at 360 px: {clipped}"
        _assert_fits(manager, url)
    screenshot(manager, "kpi-rapor-rincian-360.png")

    national.goto(live_server.url + f"/iku/skema/{scheme.pk}/")
    weight = national.locator("#id_c-0-weight")
    assert weight.input_value() == "17,5"
    assert national.locator("label[for='id_c-0-weight']").inner_text() == "Bobot (poin)"
    narrow = national.evaluate(
        """() => [...document.querySelectorAll('.component-form input[type=text], .component-form select')]
            .filter(e => e.getBoundingClientRect().width < 150).map(e => e.name)"""
    )
    assert not narrow, f"scheme inputs narrower than 150 px: {narrow}"
    unlabelled = national.evaluate(
        """() => [...document.querySelectorAll('.component-form input:not([type=hidden]), .component-form select')]
            .filter(e => !document.querySelector(`label[for="${e.id}"]`)).map(e => e.name)"""
    )
    assert not unlabelled, f"scheme inputs without a label: {unlabelled}"
    screenshot(national, "kpi-skema-360.png")
    _assert_fits(national, "the scheme editor")
