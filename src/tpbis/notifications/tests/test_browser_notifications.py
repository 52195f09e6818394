"""Issue 11 on a 360×740 phone: the facilitator sees what waits in the menu and returns a record; the
manager sees the bell, follows the notification to the correction form and sends the record again."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD, World
from tpbis.accounts.models import User
from tpbis.core.tests.browser import BROWSER_MARKS, horizontal_overflow, phone_context, screenshot
from tpbis.notifications.models import Kind, Notification
from tpbis.notifications.services import notification_opted_out
from tpbis.reports.models import Status
from tpbis.reports.tests.test_verification import make_engagement

pytestmark = BROWSER_MARKS

TITLE = "Kelas menulis surat lamaran kerja"
COMMENT = "Jumlah peserta tidak sama dengan daftar hadir, mohon diperiksa."


def _log_in(browser: Browser, base_url: str, user: User) -> Page:
    page = phone_context(browser).new_page()
    page.goto(base_url + "/akun/masuk/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("main button[type=submit]")  # the header's language switch is a submit button too
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")
    return page


def _no_sideways_scroll(page: Page, where: str) -> None:
    assert horizontal_overflow(page) <= 0, f"{where} scrolls sideways at 360 px"


def test_a_returned_record_reaches_its_manager_through_the_bell_and_is_sent_again(
    live_server: Any, world: World, browser: Browser
) -> None:
    base = live_server.url
    record = make_engagement(world, title=TITLE)
    mail.outbox.clear()

    # The facilitator sees one record waiting, in the menu, and opens the queue from there.
    facilitator = _log_in(browser, base, world.facilitator_3524)
    facilitator.click("details.menu > summary")
    waiting = facilitator.locator("details.menu nav").get_by_role("link", name="Verifikasi (1)", exact=True)
    expect(waiting).to_be_visible()
    screenshot(facilitator, "notifikasi-menu-verifikasi-360.png")
    waiting.click()
    expect(facilitator).to_have_url(f"{base}/laporan/verifikasi/")
    item = facilitator.locator(f"#r{record.pk}")
    expect(item).to_contain_text(TITLE)
    item.locator("summary", has_text="Kembalikan").click()
    item.get_by_label("Apa yang perlu diperbaiki?").fill(COMMENT)
    item.get_by_role("button", name="Kembalikan").click()
    expect(facilitator.locator(".messages")).to_contain_text("dikembalikan")

    # The manager's bell shows one unread notification, in the app and in the mailbox.
    [message] = mail.outbox
    assert message.to == [world.manager.email] and COMMENT in message.body
    manager = _log_in(browser, base, world.manager)
    bell = manager.locator("header a.bell")
    expect(bell.locator(".bell-count")).to_have_text("1")
    _no_sideways_scroll(manager, "the header with the bell")
    screenshot(manager, "notifikasi-lonceng-360.png")
    bell.click()
    expect(manager).to_have_url(f"{base}/notifikasi/")
    notice = manager.locator("li.notif-unread")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(TITLE)
    expect(notice).to_contain_text(COMMENT)
    _no_sideways_scroll(manager, "the notification list")
    screenshot(manager, "notifikasi-daftar-360.png")

    # Opening it lands on the correction form and marks it read.
    notice.get_by_role("link", name=re.compile(TITLE)).click()
    expect(manager).to_have_url(f"{base}/laporan/pelibatan/{record.pk}/ubah/")
    expect(manager.locator("header .bell-count")).to_have_count(0)
    expect(manager.locator("main [role=alert]").first).to_contain_text(COMMENT)
    manager.fill("input[name=participants]", "24")
    manager.get_by_role("button", name="Simpan perbaikan").click()
    expect(manager).to_have_url(f"{base}/laporan/pelibatan/{record.pk}/")
    expect(manager.locator("main .badge").first).to_have_text("Belum Diverifikasi")

    record.refresh_from_db()
    assert (record.status, record.participants) == (Status.SUBMITTED, 24)
    notification = Notification.objects.get(recipient=world.manager, kind=Kind.RECORD_RETURNED)
    assert notification.read_at is not None

    # The settings are one tap away from the list; a returned record cannot be switched off there.
    manager.goto(f"{base}/notifikasi/")
    expect(manager.locator("li.notif-unread")).to_have_count(0)
    manager.get_by_role("link", name="Pengaturan notifikasi").first.click()
    expect(manager).to_have_url(f"{base}/notifikasi/pengaturan/")
    expect(manager.locator("input[name='channel-record_returned'][value=off]")).to_have_count(0)
    manager.locator("input[name='channel-reminder'][value=off]").check()
    _no_sideways_scroll(manager, "the notification settings")
    screenshot(manager, "notifikasi-pengaturan-360.png")
    manager.get_by_role("button", name="Simpan").click()
    expect(manager.locator(".messages")).to_contain_text("Pengaturan notifikasi disimpan.")
    assert notification_opted_out(user_id=world.manager.pk, kind=Kind.REMINDER)
