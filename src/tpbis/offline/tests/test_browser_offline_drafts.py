"""Drafts without signal (issue 15): the library page keeps its drafts' forms on the phone, a draft continued
offline and sent becomes one report sent, and "Simpan sebagai draf" without signal keeps what was typed as a
draft on the server, however incomplete.

A manager saves a draft online and opens their library page, which lists it ("Lanjutkan mengisi"): its form
is kept. The signal goes; from the kept library page they continue the draft, finish it, attach a photo
and send: the page queues it, and when the signal is back exactly one record arrives, sent for verification.
The library page no longer lists it, and its kept form leaves the phone. Then, still without signal, a new
activity with only a title and the men's count is saved as a draft: the page says a draft waits, and a draft
with just that arrives. Last, "Simpan sebagai draf" on that draft's page is cut off on its way: the service
worker queues it as a draft, and the draft is saved, still a draft.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from conftest import World
from tpbis.core.tests.browser import BROWSER_MARKS, TIMEOUT_MS, phone_context
from tpbis.offline.tests.test_browser_offline import (  # noqa: F401
    QUEUE,
    fill_engagement,
    form_url,
    installed,
    log_in,
    wait_until,
    worker_traffic,
)
from tpbis.reports.models import CommunityEngagement, Status
from tpbis.reports.photos import photos_for

pytestmark = BROWSER_MARKS

API = "**/api/v1/records/**"


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gallery") / "IMG_0003.jpg"
    Image.new("RGB", (1200, 900), (90, 160, 60)).save(path, "JPEG", quality=85)
    return path


def kept_paths(page: Page) -> list[str]:
    return page.evaluate(
        "async () => (await (await caches.open('tpbis-pages')).keys()).map((r) => new URL(r.url).pathname)"
    )


def wait_kept(page: Page, path: str, kept: bool) -> None:
    wait_until(
        page,
        f"async () => (await (await caches.open('tpbis-pages')).keys()).some((r) => new URL(r.url).pathname === "
        f"{path!r}) === {'true' if kept else 'false'}",
        f"{path} {'kept' if kept else 'dropped'}",
    )


def sent_when_the_signal_returns(page: Page, context: BrowserContext) -> None:
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.locator(QUEUE)).to_have_count(0, timeout=TIMEOUT_MS * 2)


def a_draft_saved_online_is_continued_and_sent_offline(
    base: str, world: World, context: BrowserContext, photo: Path
) -> None:
    page = context.pages[0]
    page.goto(base + form_url("pelibatan", world))
    page.fill("input[name=title]", "Kelas menulis cerita anak")
    page.get_by_role("button", name="Simpan sebagai draf").click()
    page.wait_for_url(f"**/mitra/{world.lamongan_village.pk}/")
    draft = CommunityEngagement.objects.get()
    assert draft.status == Status.DRAFT
    edit = f"/laporan/pelibatan/{draft.pk}/ubah/"
    # The library page lists the draft: its form is kept without being opened.
    expect(page.locator("#wl-drafts")).to_contain_text("Kelas menulis cerita anak")
    wait_kept(page, edit, kept=True)

    context.set_offline(True)
    page.goto(base + f"/mitra/{world.lamongan_village.pk}/")
    page.get_by_role("link", name="Lanjutkan mengisi").click()
    page.wait_for_url("**" + edit)
    expect(page.locator("input[name=title]")).to_have_value("Kelas menulis cerita anak")
    fill_engagement(page, "Kelas menulis cerita anak", photo)  # the rest of the draft
    page.get_by_role("button", name="Kirim laporan").click()
    # A draft sent is a report waiting to go, not a correction.
    expect(page.locator(".offline-flash")).to_contain_text("Laporan disimpan di HP", timeout=TIMEOUT_MS * 2)
    entries = page.evaluate("async () => (await tpbisQueue.all()).map((e) => [e.recordId, e.submit])")
    assert entries == [[draft.pk, True]]

    sent_when_the_signal_returns(page, context)
    record = CommunityEngagement.objects.get()  # one record: the draft, sent
    assert record.pk == draft.pk
    assert (record.status, record.participants) == (Status.SUBMITTED, 23)
    assert photos_for(record).count() == 1

    # Listed no more: its kept form leaves the phone at the next visit of the library page.
    page.goto(base + f"/mitra/{world.lamongan_village.pk}/")
    expect(page.locator("#wl-drafts")).to_have_count(0)
    wait_kept(page, edit, kept=False)
    assert f"/mitra/{world.lamongan_village.pk}/" in kept_paths(page)


def an_incomplete_draft_saved_offline_arrives_as_a_draft(base: str, world: World, context: BrowserContext) -> None:
    page = context.pages[0]
    context.set_offline(True)
    page.goto(base + form_url("pelibatan", world))
    page.fill("input[name=title]", "Dongeng keliling")
    page.fill("input[name=participants_male]", "5")
    page.get_by_role("button", name="Simpan sebagai draf").click()
    expect(page.locator(".offline-flash")).to_contain_text("Draf disimpan di HP")
    expect(page.locator(QUEUE)).to_contain_text("Draf")
    entries = page.evaluate("async () => (await tpbisQueue.all()).map((e) => [e.recordId, e.submit, e.title])")
    assert entries == [[None, False, "Dongeng keliling"]]

    sent_when_the_signal_returns(page, context)
    draft = CommunityEngagement.objects.get(title="Dongeng keliling")
    assert (draft.status, draft.participants_male, draft.audience) == (Status.DRAFT, 5, "")
    assert photos_for(draft).count() == 0
    # Online again, the library page lists it, and its form is kept for the next time without signal.
    page.goto(base + f"/mitra/{world.lamongan_village.pk}/")
    expect(page.locator("#wl-drafts")).to_contain_text("Dongeng keliling")
    wait_kept(page, f"/laporan/pelibatan/{draft.pk}/ubah/", kept=True)


def a_draft_post_cut_off_is_queued_as_the_button_said(base: str, world: World, context: BrowserContext) -> None:
    """The signal drops while the draft's page posts "Simpan sebagai draf": the service worker queues it as a
    draft of that record (not a report sent), and it is saved, still a draft, when the signal returns."""
    page = context.pages[0]
    draft = CommunityEngagement.objects.get(title="Dongeng keliling")
    edit = f"/laporan/pelibatan/{draft.pk}/ubah/"
    page.goto(base + edit)
    cut_off = "**" + edit
    context.route(cut_off, lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    context.route(API, lambda route: route.abort())  # nothing gets through yet: the entry waits
    page.select_option("select[name=audience]", index=1)
    page.get_by_role("button", name="Simpan sebagai draf").click()
    expect(page.locator(".offline-flash")).to_contain_text("Draf disimpan di HP")
    entries = page.evaluate("async () => (await tpbisQueue.all()).map((e) => [e.recordId, e.submit])")
    assert entries == [[draft.pk, False]]

    context.unroute(cut_off)
    context.unroute(API)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.locator(QUEUE)).to_have_count(0, timeout=TIMEOUT_MS * 2)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.audience and draft.participants_male == 5


def test_drafts_are_kept_continued_and_saved_without_signal(
    worker_traffic: None,  # noqa: F811
    live_server: Any,
    world: World,
    browser: Browser,
    photo: Path,
) -> None:
    base = live_server.url
    context = phone_context(browser)
    page = log_in(context, base, world.manager)
    installed(page)
    a_draft_saved_online_is_continued_and_sent_offline(base, world, context, photo)
    an_incomplete_draft_saved_offline_arrives_as_a_draft(base, world, context)
    a_draft_post_cut_off_is_queued_as_the_button_said(base, world, context)
    context.close()
