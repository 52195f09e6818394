"""Every page a role uses is one tap away in its menu; on a wide screen the menu is open without a tap."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD, World
from tpbis.core.tests.browser import BROWSER_MARKS, TIMEOUT_MS, phone_context, screenshot

pytestmark = BROWSER_MARKS

# Each role's pages, as URL names (with their arguments); the menu must link every one of them.
EVERY_SIGNED_IN_USER = [
    "home",
    "reports:list",
    "gatherings:list",
    "elis:home",
    "practices:list",
    "public:figures",
    "help:index",
    "api_tokens:list",
    "api-v1:openapi-view",
    "notifications:preferences",
    "accounts:password_change",
]
FACILITATOR_PAGES = [
    *EVERY_SIGNED_IN_USER,
    "libraries:list",
    "dashboards:region",
    "reports:queue",
    "kpi:ranking",
    "reportcards:gathering",
    "libraries:onboarding",
    "surveys:region",
    "libraries:import",
]
PAGES = {
    "national": [*FACILITATOR_PAGES, "reminders:rules", "kpi:schemes", "audit:list"],
    "province": [*FACILITATOR_PAGES, "reminders:rules"],
    "facilitator": [*FACILITATOR_PAGES, "reminders:preview"],
    "manager": [*EVERY_SIGNED_IN_USER, ("libraries:detail", "lamongan_village")],
    "anonymous": ["accounts:login", "public:figures", "practices:public_list", "help:index"],
}
WIDE = {"width": 1366, "height": 800}


def _path(world: World, page: str | tuple[str, str]) -> str:
    if isinstance(page, tuple):
        name, library = page
        return reverse(name, args=[getattr(world, library).pk])
    return reverse(page)


def _signed_in(browser: Browser, base: str, email: str | None, **options: Any) -> Page:
    context = browser.new_context(**options) if options else phone_context(browser)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(base + "/akun/masuk/")
    if email:
        page.fill("input[name='username']", email)
        page.fill("input[name='password']", PASSWORD)
        page.press("input[name='password']", "Enter")
        page.wait_for_load_state()
        assert "/akun/masuk/" not in page.url, "sign-in failed"
    return page


def _menu_links(page: Page) -> set[str]:
    """What a person sees after tapping ☰: the visible links of the main navigation."""
    page.click("details.menu > summary")
    links = page.locator("nav[aria-label='Navigasi utama'] a")
    expect(links.first).to_be_visible()
    return {link.get_attribute("href") or "" for link in links.all() if link.is_visible()}


def test_every_role_reaches_its_pages_from_the_menu_which_a_wide_screen_shows_open(
    live_server: Any, world: World, browser: Browser
) -> None:
    people = {
        "national": world.national.email,
        "province": world.province_35.email,
        "facilitator": world.facilitator_3524.email,
        "manager": world.manager.email,
        "anonymous": None,
    }
    # On a phone: each role taps ☰ and finds every one of its pages there, and each page opens.
    for role, email in people.items():
        page = _signed_in(browser, live_server.url, email)
        expect(page.locator("nav[aria-label='Navigasi utama']")).to_be_hidden()
        menu = _menu_links(page)
        for wanted in PAGES[role]:
            path = _path(world, wanted)
            assert path in menu, f"{role}: {path} is not in the menu ({sorted(menu)})"
            answer = page.context.request.get(live_server.url + path)
            assert answer.status == 200, f"{role}: {path} answers {answer.status}"
            assert email is None or "/akun/masuk/" not in answer.url, f"{role}: {path} asks to sign in"
        if role == "facilitator":
            screenshot(page, "menu-fasilitator-360.png")
        page.context.close()

    # On a 1366×800 screen the menu is open beside the page, grouped, without a tap.
    page = _signed_in(browser, live_server.url, world.national.email, viewport=WIDE, locale="id-ID")
    page.goto(live_server.url + reverse("dashboards:region"))
    nav = page.locator("nav[aria-label='Navigasi utama']")
    for path in ("/laporan-gathering/", "/iku/skema/", "/capaian/", "/akun/token/", "/api/v1/docs"):
        expect(nav.locator(f"a[href='{path}']")).to_be_visible()
    expect(page.locator("details.menu > summary")).to_be_hidden()
    expect(nav.locator(".menu-group")).to_have_text(["Pekerjaan", "Capaian", "Belajar", "Pengaturan", "Akun saya"])
    nav_box, main_box = nav.bounding_box(), page.locator("main").bounding_box()
    assert nav_box and main_box
    assert nav_box["x"] + nav_box["width"] <= main_box["x"] + 1, "the menu covers the page"
    screenshot(page, "menu-nasional-1366.png")
