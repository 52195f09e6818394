"""A facilitator invites a manager from a server on port 8123, as `make run PORT=8123` serves it.

SITE_URL is unset, as on a fresh clone: the link in the WhatsApp text must carry the address the
facilitator's phone used (port 8123), and the manager who opens it must land on the activation page.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD, World
from tpbis.core.tests.browser import BROWSER_MARKS, horizontal_overflow, phone_context, screenshot
from tpbis.core.tests.production_server import collected_static_root, production_server_fixture  # noqa: F401

pytestmark = BROWSER_MARKS

server = production_server_fixture(port=8123)


def test_a_facilitator_on_port_8123_sends_a_link_that_says_8123(
    server: LiveServer, transactional_db: None, world: World, browser: Browser, settings: Any
) -> None:
    settings.SITE_URL = ""
    settings.BACKGROUND_SITE_URL = "http://127.0.0.1:8000"  # what a link made without a request would say
    assert server.url == "http://127.0.0.1:8123"
    page = phone_context(browser).new_page()
    page.goto(server.url + "/akun/masuk/")
    page.fill("input[name='username']", world.facilitator_3524.email)
    page.fill("input[name='password']", PASSWORD)
    page.press("input[name='password']", "Enter")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "sign-in failed"

    page.goto(f"{server.url}/mitra/{world.lamongan_village.pk}/undang/")
    page.fill("input[name='name']", "Bu Sri")
    page.fill("input[name='phone']", "081234567890")
    page.click("main form button[type=submit]")
    text = page.locator("#invite-text")
    expect(text).to_contain_text("http://127.0.0.1:8123/akun/aktivasi/")
    whatsapp = unquote(page.locator("a[href^='https://wa.me/']").get_attribute("href") or "")
    link = re.search(r"http://127\.0\.0\.1:8123/akun/aktivasi/[\w-]+/", whatsapp)
    assert link, f"the WhatsApp text carries no link to port 8123: {whatsapp}"
    assert ":8000" not in text.inner_text() + whatsapp
    assert horizontal_overflow(page) <= 0, "the invitation page scrolls sideways at 360 px"
    screenshot(page, "undangan-8123-360.png")

    # The manager's phone opens the link as sent.
    manager = phone_context(browser).new_page()
    opened = manager.goto(link.group(0))
    assert opened is not None
    assert opened.status == 200
    expect(manager.locator("input[type=password]").first).to_be_visible()
