"""Photos the web form kept on the server survive a post that never arrives (issue 15, "nothing typed is lost").

A manager enters an activity with a photo and forgets the title: the form comes back with the photo kept
on the server. They type the title, attach a second photo and send; the post is cut off on its way, so
the service worker queues the entry. The queue survives a reload; the first send's answer is lost and the
entry is sent again: exactly one record arrives, with both photos. The same without signal at the moment
of sending (the page queues the entry itself). And two activities posted from the kept copy of a form on a
signal that lets nothing through are two entries, not the second over the first.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

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
from tpbis.reports.models import CommunityEngagement, StagedPhoto
from tpbis.reports.photos import photos_for

pytestmark = BROWSER_MARKS

API = "**/api/v1/records/**"


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("gallery")
    made = []
    for name, colour in (("IMG_0001.jpg", (200, 90, 40)), ("IMG_0002.jpg", (40, 90, 200))):
        path = folder / name
        Image.new("RGB", (1200, 900), colour).save(path, "JPEG", quality=85)
        made.append(path)
    return made[0], made[1]


def waiting_entries(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(
        "async () => (await tpbisQueue.all()).map((e) => ({id: e.id, status: e.status, title: e.title, "
        "photos: e.photos.length, staged: e.staged || []}))"
    )


def wait_for(page: Page, condition: Any, what: str, timeout_ms: int = TIMEOUT_MS) -> None:
    """Polls the database; waiting through the page lets Playwright run its route handlers meanwhile."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not _holds(condition):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(200)


def _holds(condition: Any) -> bool:
    """The condition, or False while the live server writes: on SQLite its thread shares the test's
    in-memory database, and a read meeting its write fails at once ("database table is locked")."""
    try:
        return bool(condition())
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        return False


def comes_back_with_a_kept_photo(page: Page, base: str, world: World, photo: Path) -> int:
    """The form sent online without a title: the server keeps the photo and shows it back."""
    page.goto(base + form_url("pelibatan", world))
    fill_engagement(page, "", photo)
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.locator("#staged-photos")).to_be_visible()
    expect(page.locator("input[name=title]").locator("xpath=ancestor::div[contains(@class,'field')]")).to_contain_text(
        "tidak boleh kosong"
    )
    kept = StagedPhoto.objects.get()
    return kept.pk


class LossyApi:
    """The record API behind a bad connection: down, then its first answer lost, then as it is."""

    def __init__(self) -> None:
        self.up = False
        self.answers: list[int] = []

    def __call__(self, route: Route) -> None:
        if not self.up:
            route.abort()
            return
        response = route.fetch()  # reaches the server, which saves what it is sent
        self.answers.append(response.status)
        if len(self.answers) == 1:
            route.abort()  # but the answer never reaches the phone
        else:
            route.fulfill(response=response)


def a_cut_off_post_keeps_the_photos_of_the_earlier_round_trip(
    base: str, world: World, context: BrowserContext, photos: tuple[Path, Path]
) -> None:
    page = context.pages[0]
    kept = comes_back_with_a_kept_photo(page, base, world, photos[0])
    kept_file = StagedPhoto.objects.get(pk=kept).image.name
    page.fill("input[name=title]", "Pelatihan menganyam bambu")
    page.set_input_files("input[name=photos]", str(photos[1]))  # one more, attached now

    cut_off = "**/laporan/pelibatan/baru/**"
    context.route(cut_off, lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    api = LossyApi()
    context.route(API, api)
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.locator(".offline-flash")).to_contain_text("disimpan di HP")
    context.unroute(cut_off)
    [entry] = waiting_entries(page)
    assert (entry["photos"], entry["staged"]) == (1, [kept])

    page.reload()  # the queue, with the kept photo's id, is on the phone
    expect(page.locator(QUEUE)).to_contain_text("Menunggu dikirim (1)")
    assert [e["staged"] for e in waiting_entries(page)] == [[kept]]
    assert not CommunityEngagement.objects.exists()

    api.up = True
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    # Seen to take over 15 s on a machine loaded by a benchmark (the send passes the service worker).
    wait_for(page, lambda: CommunityEngagement.objects.exists(), "the first send to reach the server", TIMEOUT_MS * 3)
    # Its answer was lost: the entry still waits (once its sender gave up), and goes again.
    wait_until(
        page,
        "async () => (await navigator.locks.query()).held.length === 0 && "
        "(await tpbisQueue.all()).every((e) => e.status === 'waiting' && !e.sendingUntil)",
        "the lost answer's sender to give up",
    )
    assert len(waiting_entries(page)) == 1
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.locator(QUEUE)).to_have_count(0, timeout=30_000)
    assert api.answers[:2] == [201, 200]
    record = CommunityEngagement.objects.get()
    assert (record.title, str(record.client_id)) == ("Pelatihan menganyam bambu", entry["id"])
    stored = list(photos_for(record))
    assert len(stored) == 2
    assert stored[1].image.name == kept_file
    assert all(default_storage.exists(photo.image.name) for photo in stored)
    assert not StagedPhoto.objects.exists()
    context.unroute(API)


def without_signal_the_page_queues_the_kept_photo(
    base: str, world: World, context: BrowserContext, photos: tuple[Path, Path]
) -> None:
    page = context.pages[0]
    kept = comes_back_with_a_kept_photo(page, base, world, photos[0])
    context.set_offline(True)
    page.fill("input[name=title]", "Lomba mewarnai anak")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.locator(".offline-flash")).to_contain_text("disimpan di HP")
    # The photo went with the entry: the emptied form no longer offers it to the next one.
    expect(page.locator("#staged-photos")).to_have_count(0)
    assert [e["staged"] for e in waiting_entries(page)] == [[kept]]

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.locator(QUEUE)).to_have_count(0, timeout=30_000)
    record = CommunityEngagement.objects.get(title="Lomba mewarnai anak")
    assert photos_for(record).count() == 1
    assert not StagedPhoto.objects.exists()


def two_posts_cut_off_on_one_kept_form_are_two_entries(
    base: str, world: World, context: BrowserContext, photos: tuple[Path, Path]
) -> None:
    """A weak signal: the browser thinks it is online, but nothing gets through. The form the worker leads back
    to is its kept copy, with the client id the first entry took: the second must not overwrite the first."""
    page = context.pages[0]
    page.goto(base + form_url("pelibatan", world))
    context.route("**/laporan/**", lambda route: route.abort())
    context.route(API, lambda route: route.abort())
    entries = (("Belajar komputer untuk lansia", photos[0]), ("Kelas menulis cerita anak", photos[1]))
    for title, photo in entries:
        fill_engagement(page, title, photo)
        page.get_by_role("button", name="Kirim laporan").click()
        expect(page.locator(".offline-flash")).to_contain_text("disimpan di HP")
    assert sorted(e["title"] for e in waiting_entries(page)) == [t for t, _ in entries]
    context.unroute("**/laporan/**")
    context.unroute(API)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.locator(QUEUE)).to_have_count(0, timeout=30_000)
    sent = {str(r.client_id) for r in CommunityEngagement.objects.filter(title__in=[t for t, _ in entries])}
    assert len(sent) == 2
    # Later, the kept copy again (the signal gone): its client id, sent already, is not used a third time.
    context.route("**/laporan/**", lambda route: route.abort())
    page.goto(base + form_url("pelibatan", world))
    wait_until(page, f"() => !{sorted(sent)}.includes(document.querySelector('[name=client_id]').value)", "a fresh id")
    context.unroute("**/laporan/**")


def test_kept_photos_travel_with_a_queued_entry(
    worker_traffic: None,  # noqa: F811
    live_server: Any,
    world: World,
    browser: Browser,
    photos: tuple[Path, Path],
) -> None:
    base = live_server.url
    context = phone_context(browser)
    page = log_in(context, base, world.manager)
    installed(page)
    a_cut_off_post_keeps_the_photos_of_the_earlier_round_trip(base, world, context, photos)
    without_signal_the_page_queues_the_kept_photo(base, world, context, photos)
    two_posts_cut_off_on_one_kept_form_are_two_entries(base, world, context, photos)
    context.close()
