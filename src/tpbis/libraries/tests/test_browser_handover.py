"""In a real Chromium at 360×740: a facilitator hands a library over; a new manager is walked to a first entry."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD, World, make_library, make_user
from tpbis.accounts.models import Membership, Role
from tpbis.core.tests.browser import BROWSER_MARKS, horizontal_overflow, phone_context, screenshot

pytestmark = BROWSER_MARKS


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/akun/masuk/")
    page.fill("input[name='username']", email)
    page.fill("input[name='password']", PASSWORD)
    page.press("input[name='password']", "Enter")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")


def test_a_facilitator_hands_a_library_over_and_the_successor_is_walked_to_a_first_entry(
    live_server: Any, world: World, browser: Browser
) -> None:
    # One test per module: the live server's end-of-test flush empties the regions the next one would need.
    page = phone_context(browser).new_page()
    _sign_in(page, live_server.url, world.facilitator_3524.email)
    page.goto(f"{live_server.url}/mitra/{world.lamongan_village.pk}/")

    page.click(".manager-actions a:has-text('Serahkan')")
    page.fill("textarea[name='comment']", "Pindah tugas ke kantor kecamatan")
    page.check("input[name='invite'][value='link']")
    assert horizontal_overflow(page) <= 0, "the hand-over form scrolls sideways at 360 px"
    screenshot(page, "serah-terima-360.png")
    page.click("button:has-text('Akhiri akses dan simpan')")

    expect(page.locator("main")).to_contain_text("Kirim lewat WhatsApp")
    assert not Membership.objects.filter(user=world.manager, library=world.lamongan_village).exists()
    page.goto(f"{live_server.url}/mitra/{world.lamongan_village.pk}/")
    expect(page.locator("#history-title + ol")).to_contain_text("Serah terima")

    library = make_library("Perpustakaan Desa Baru", "35.24.01.2001")
    manager = make_user("baru@example.id", Role.MANAGER, library=library)
    page = phone_context(browser).new_page()
    _sign_in(page, live_server.url, manager.email)

    expect(page.locator(".first-entry")).to_contain_text("Langkah 1:")
    assert horizontal_overflow(page) <= 0, "the guide scrolls sideways at 360 px"
    screenshot(page, "panduan-laporan-pertama-360.png")
    page.click(".first-entry-close")
    expect(page.locator(".first-entry")).to_have_count(0)
    expect(page.locator("h1")).to_contain_text(library.name)
