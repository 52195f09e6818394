"""In a real Chromium: a period asked for the first time can take seconds nationally; the period form's
button says it is counting meanwhile. Its own module: a module's browser tests share one restore of the
tables the live server's flush empties."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from conftest import World
from tpbis.core.tests.browser import BROWSER_MARKS, phone_context
from tpbis.reportcards.tests.records import small_east_java
from tpbis.reportcards.tests.test_browser_gathering import REPORT, sign_in

pytestmark = BROWSER_MARKS


def test_the_period_button_says_it_is_counting_until_the_figures_come(
    live_server: Any, world: World, browser: Browser
) -> None:
    """A period asked for the first time can take seconds nationally: the button shows it is counting
    and cannot be pressed twice; the figures then come with the button ready again."""
    small_east_java(world)
    page = phone_context(browser).new_page()
    sign_in(page, live_server.url, world.province_35.email)
    page.goto(live_server.url + REPORT)
    # The request is held back in the page (a slow answer) so that the waiting button can be seen.
    page.evaluate("document.querySelector('form.period-form').addEventListener('submit', (e) => e.preventDefault())")
    page.fill("input[name='sampai']", "2024-06-14")
    button = page.locator("form.period-form button[type='submit']")
    button.click()
    expect(button).to_have_text("Menghitung…")
    expect(button).to_be_disabled()
    page.evaluate("document.querySelector('form.period-form').submit()")  # the answer comes
    page.wait_for_url(lambda url: "sampai=2024-06-14" in url)
    expect(button).to_have_text("Tampilkan")
    expect(button).to_be_enabled()
    expect(page.locator("[data-headline]")).to_be_visible()
