"""In a real Chromium: a provincial officer opens the gathering report on a phone and on a desktop, and
downloads its PDF; the report card fits the phone too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from conftest import PASSWORD, World
from tpbis.core.tests.browser import BROWSER_MARKS, TIMEOUT_MS, horizontal_overflow, phone_context, screenshot
from tpbis.reportcards.tests.records import small_east_java

pytestmark = BROWSER_MARKS

REPORT = "/laporan-gathering/?wilayah=35&mulai=2024-01-01&sampai=2024-09-30"
HEADLINE = (
    "3 mitra, 9 kegiatan pelibatan masyarakat, 14 advokasi, 1 peningkatan layanan informasi; "
    "KPI: 1 hijau, 0 kuning, 1 merah; 2 perpustakaan (66%) belum memiliki akun"
)


def desktop_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    return context


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/akun/masuk/")
    page.fill("input[name='username']", email)
    page.fill("input[name='password']", PASSWORD)
    page.press("input[name='password']", "Enter")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")


def open_report_and_download_pdf(page: Page, base_url: str, tmp_path: Path, name: str) -> None:
    page.goto(base_url + REPORT)
    main = page.locator("main")
    expect(page.locator("[data-headline]")).to_have_text(HEADLINE)
    expect(main).to_contain_text("Perpustakaan Desa Sembung")  # green with score 100
    expect(main).to_contain_text("Ibu-ibu kini menjual batik.")  # the good-practice story
    expect(main).not_to_contain_text("Perpustakaan Desa Belo Laut")
    screenshot(page, f"gathering-{name}.png")
    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh PDF").click()
    download = info.value
    target = tmp_path / f"gathering-{name}.pdf"
    download.save_as(target)
    assert download.suggested_filename == "gathering-jawa-timur-20240101-20240930.pdf"
    content = target.read_bytes()
    assert content.startswith(b"%PDF"), content[:20]
    assert len(content) > 3000


def test_a_provincial_officer_presents_and_downloads_the_gathering_report(
    live_server: Any, world: World, browser: Browser, tmp_path: Path
) -> None:
    small_east_java(world)

    phone = phone_context(browser).new_page()
    sign_in(phone, live_server.url, world.province_35.email)
    open_report_and_download_pdf(phone, live_server.url, tmp_path, "360")
    assert horizontal_overflow(phone) <= 0, "the gathering report scrolls sideways at 360 px"
    phone.goto(f"{live_server.url}/rapor/{world.lamongan_village.pk}/?mulai=2024-01-01&sampai=2024-09-30")
    expect(phone.locator(".trend-chart rect")).to_have_count(9)
    screenshot(phone, "rapor-360.png")
    assert horizontal_overflow(phone) <= 0, "the report card scrolls sideways at 360 px"

    desktop = desktop_context(browser).new_page()
    sign_in(desktop, live_server.url, world.province_35.email)
    open_report_and_download_pdf(desktop, live_server.url, tmp_path, "1280")
    desktop.emulate_media(media="print")
    expect(desktop.locator(".actions")).to_be_hidden()  # the print stylesheet drops the buttons
    screenshot(desktop, "gathering-1280-print.png")
