"""Offline entry in a real Chromium at 360×740 with its service worker (issue 15).

A village library manager installs the app, loses the signal, enters two activities with a camera photo
each and a visitor report, reloads the page (the queue survives), gets the signal back, and exactly
three records arrive with their photos. Also: one entry sent from two tabs is one record; an entry the
server refuses comes back with its message beside the field; a stale correction shows both versions; a kept
form opened days later proposes the phone's today.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from conftest import PASSWORD, World
from tpbis.accounts.models import User
from tpbis.core.tests.browser import BROWSER_MARKS, TIMEOUT_MS, phone_context, screenshot
from tpbis.reports.models import Advocacy, CommunityEngagement, Publicity, Status, Visitors
from tpbis.reports.photos import photos_for

pytestmark = BROWSER_MARKS

QUEUE = "#offline-queue"
GPS_IFD = 0x8825


def camera_photo(path: Path) -> Path:
    """A 4000×3000 JPEG of about 5 MB as a phone camera writes it: EXIF with GPS, turned a quarter (tag 6)."""
    width, height = 4000, 3000
    gradient = Image.linear_gradient("L").resize((width, height))
    bands = [Image.blend(gradient, Image.effect_noise((width, height), sigma), 0.35) for sigma in (60, 70, 80)]
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Samsung", "Galaxy A05", 6
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "S", (7.0, 7.0, 12.5), "E", (112.0, 25.0, 3.2)
    Image.merge("RGB", bands).save(path, "JPEG", quality=85, exif=exif)
    return path


@pytest.fixture
def worker_traffic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Playwright sees (and routes) a service worker's own requests only with this set before the browser starts."""
    monkeypatch.setenv("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return camera_photo(tmp_path_factory.mktemp("camera") / "IMG_20261207_091500.jpg")


def log_in(context: BrowserContext, base: str, user: User) -> Page:
    page = context.new_page()
    page.goto(base + "/akun/masuk/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")
    return page


def wait_until(page: Page, script: str, what: str) -> Any:
    """Polls an async expression in the page until it is truthy."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        value = page.evaluate(script)
        if value:
            return value
        page.wait_for_timeout(200)
    raise AssertionError(f"timed out waiting for {what}")


def installed(page: Page) -> None:
    """The service worker controls the page and keeps the library page and its five entry forms."""
    wait_until(page, "() => navigator.serviceWorker.controller !== null", "the service worker")
    wait_until(
        page,
        "async () => (await (await caches.open('tpbis-pages')).keys()).length >= 6",
        "the entry forms in the cache",
    )


def queued(page: Page) -> list[dict[str, Any]]:
    """The entries waiting on the phone, with the size and shape of their photos."""
    return page.evaluate(
        """async () => Promise.all((await tpbisQueue.all()).map(async (e) => ({
            id: e.id, type: e.type, status: e.status, errors: e.errors, title: e.title,
            photos: await Promise.all(e.photos.map(async (b) => {
                const bitmap = await createImageBitmap(b);
                const head = new Uint8Array(await b.slice(0, 64 * 1024).arrayBuffer());
                const text = Array.from(head, (c) => String.fromCharCode(c)).join("");
                return {size: b.size, type: b.type, width: bitmap.width, height: bitmap.height,
                        exif: text.includes("Exif\\0\\0")};
            })),
        })))"""
    )


def form_url(record_type: str, world: World) -> str:
    return f"/laporan/{record_type}/baru/?perpustakaan={world.lamongan_village.pk}"


def fill_engagement(page: Page, title: str, photo: Path) -> None:
    page.fill("input[name=title]", title)
    page.select_option("select[name=activity_field]", index=1)
    page.locator("input[name=activity_kind]").first.check()
    page.select_option("select[name=audience]", index=1)
    page.fill("input[name=participants_male]", "9")
    page.fill("input[name=participants_female]", "14")
    page.set_input_files("input[name=photos]", str(photo))


def fill_advocacy(page: Page, title: str, photo: Path) -> None:
    page.fill("input[name=title]", title)
    page.locator("input[name=targets]").first.check()
    page.locator("input[name=outcome][value=NonDana]").check()
    page.fill("input[name=resource_persons]", "2")
    page.set_input_files("input[name=photos]", str(photo))


def submit(page: Page) -> None:
    page.get_by_role("button", name="Kirim laporan").click()
    # Shrinking a 5 MB photo takes a moment on a busy machine (and on a cheap phone).
    expect(page.locator(".offline-flash")).to_contain_text("disimpan di HP", timeout=TIMEOUT_MS * 2)


def three_entries_arrive_once_with_their_photos(base: str, world: World, context: BrowserContext, photo: Path) -> None:
    page = context.pages[0]
    context.set_offline(True)
    page.goto(base + form_url("pelibatan", world))
    expect(page.locator(QUEUE)).to_contain_text("Tidak ada sinyal")
    fill_engagement(page, "Kelas literasi digital untuk ibu-ibu PKK", photo)
    submit(page)
    expect(page.locator(QUEUE)).to_contain_text("Menunggu dikirim (1)")

    page.goto(base + form_url("advokasi", world))
    fill_advocacy(page, "Audiensi dengan kepala desa tentang dana perpustakaan", photo)
    submit(page)

    page.goto(base + form_url("pengunjung", world))
    page.fill("input[name=male]", "120")
    page.fill("input[name=female]", "135")
    submit(page)
    expect(page.locator(QUEUE)).to_contain_text("Menunggu dikirim (3)")

    # The photos were shrunk on the phone: 1600 px on the long side, upright, no EXIF (so no GPS).
    entries = queued(page)
    photos = [p for e in entries for p in e["photos"]]
    assert [len(e["photos"]) for e in entries] == [1, 1, 0]
    for shrunk in photos:
        assert (shrunk["width"], shrunk["height"]) == (1200, 1600), "the camera's orientation was not applied"
        assert shrunk["type"] == "image/jpeg" and not shrunk["exif"]
        assert shrunk["size"] < photo.stat().st_size // 5
    print(f"\nphoto before: {photo.stat().st_size} B 4000×3000; after: {photos[0]['size']} B 1200×1600")

    page.reload()  # still offline: the page and the queue come from the phone
    expect(page.locator(QUEUE)).to_contain_text("Menunggu dikirim (3)")
    screenshot(page, "luring-antrean-360.png")
    assert CommunityEngagement.objects.count() == Advocacy.objects.count() == Visitors.objects.count() == 0

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # Chromium's emulation may not fire it
    expect(page.locator(QUEUE)).to_have_count(0, timeout=30_000)
    engagement = CommunityEngagement.objects.get()
    advocacy = Advocacy.objects.get()
    visitors = Visitors.objects.get()
    assert engagement.title == "Kelas literasi digital untuk ibu-ibu PKK"
    assert (engagement.participants, engagement.status) == (23, Status.SUBMITTED)
    assert (visitors.male, visitors.female) == (120, 135)
    assert len(photos_for(engagement)) == len(photos_for(advocacy)) == 1
    assert {str(engagement.client_id), str(advocacy.client_id), str(visitors.client_id)} == {e["id"] for e in entries}


def a_kept_form_proposes_the_phones_today(base: str, world: World, context: BrowserContext) -> None:
    """A form kept today and opened offline three days later proposes (and allows) the phone's today; a monthly
    form opened in a later month proposes that month."""
    later = timezone.localdate() + timedelta(days=3)
    context.clock.set_fixed_time(datetime.combine(later, dt_time(12, 0), tzinfo=UTC))  # every page of the context
    page = context.new_page()
    context.set_offline(True)
    page.goto(base + form_url("pelibatan", world))
    date = page.locator("input[name=date]")
    expect(date).to_have_value(later.isoformat())
    assert date.get_attribute("max") == later.isoformat()
    # A monthly form kept in December and opened in January proposes January of the new year.
    next_month = (later.replace(day=1) + timedelta(days=32)).replace(day=5)
    context.clock.set_fixed_time(datetime.combine(next_month, dt_time(12, 0), tzinfo=UTC))
    page.goto(base + form_url("pengunjung", world))
    expect(page.locator("select[name=month]")).to_have_value(str(next_month.month))
    expect(page.locator("select[name=year]")).to_have_value(str(next_month.year))
    context.set_offline(False)
    page.close()


def one_entry_from_two_tabs_is_one_record(base: str, world: World, context: BrowserContext, photo: Path) -> None:
    first = context.pages[0]
    context.set_offline(True)
    first.goto(base + form_url("pelibatan", world))
    fill_engagement(first, "Bimbingan belajar anak sekolah dasar", photo)
    submit(first)
    second = context.new_page()
    second.goto(base + form_url("pelibatan", world))
    expect(second.locator(QUEUE)).to_contain_text("Menunggu dikirim (1)")

    context.set_offline(False)
    # Both tabs hear the connection come back at the same moment and both try to send.
    for tab in (first, second):
        tab.evaluate("() => { window.dispatchEvent(new Event('online')); tpbisQueue.sendAll(); }")
    for tab in (first, second):
        expect(tab.locator(QUEUE)).to_have_count(0, timeout=30_000)
    assert CommunityEngagement.objects.filter(title="Bimbingan belajar anak sekolah dasar").count() == 1
    second.close()


def a_refused_entry_comes_back_with_its_message(base: str, world: World, context: BrowserContext) -> None:
    page = context.pages[0]
    context.set_offline(True)
    page.goto(base + form_url("publikasi", world))
    page.fill("input[name=title]", "Berita pojok baca di koran")
    page.locator("input[name=media_kind]").first.check()
    page.fill("input[name=media_name]", "Radar Lamongan")
    page.fill("input[name=link]", "bukan tautan")  # the web form refuses this; the phone does not check it
    submit(page)

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    item = page.locator(QUEUE + " li")
    expect(item).to_contain_text("Ditolak server", timeout=30_000)
    item.get_by_role("link", name="Ubah").click()
    link_field = page.locator("input[name=link]").locator("xpath=ancestor::div[contains(@class,'field')]")
    expect(link_field.locator(".offline-error")).to_be_visible()
    expect(page.locator("input[name=link]")).to_have_value("bukan tautan")
    screenshot(page, "luring-ditolak-360.png")

    # Corrected and sent again, it arrives and leaves the list.
    page.fill("input[name=link]", "https://radarlamongan.example.id/pojok-baca")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.locator(QUEUE)).to_have_count(0, timeout=30_000)
    assert Publicity.objects.filter(library=world.lamongan_village).count() == 1


def a_stale_correction_shows_both_versions(base: str, world: World, context: BrowserContext) -> None:
    page = context.pages[0]
    record = Visitors.objects.create(
        library=world.lamongan_village, year=2026, month=11, male=40, female=50, entered_by=world.manager
    )
    page.goto(base + f"/laporan/pengunjung/{record.pk}/ubah/")  # kept by the service worker when opened
    context.set_offline(True)
    page.reload()
    page.fill("input[name=male]", "44")
    page.get_by_role("button", name="Simpan perbaikan").click()
    expect(page.locator(".offline-flash")).to_contain_text("Perbaikan disimpan di HP")

    # Meanwhile the record changes on the server (another correction).
    record.refresh_from_db()
    record.female = 55
    record.save()

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    conflict = page.locator(".offline-conflict")
    expect(conflict).to_contain_text("Versi di server", timeout=30_000)
    expect(conflict).to_contain_text("Versi Anda")
    expect(conflict.locator("tr", has_text="perempuan")).to_contain_text("55")
    expect(conflict.locator("tr", has_text="laki-laki")).to_contain_text("44")
    record.refresh_from_db()
    assert record.male == 40, "the server's version was overwritten without asking"
    screenshot(page, "luring-bentrok-360.png")

    conflict.get_by_role("button", name="Kirim versi Anda").click()
    expect(page.locator(QUEUE)).to_have_count(0, timeout=30_000)
    record.refresh_from_db()
    assert record.male == 44


def a_post_cut_off_midway_waits_on_the_phone(base: str, world: World, context: BrowserContext) -> None:
    """The browser thinks it is online, but the post never reaches the server: the worker queues it."""
    page = context.pages[0]
    page.goto(base + form_url("pengunjung", world))
    page.select_option("select[name=month]", "10")
    page.fill("input[name=male]", "70")
    page.fill("input[name=female]", "80")
    cut_off = "**/laporan/pengunjung/baru/**"
    context.route(cut_off, lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    page.get_by_role("button", name="Kirim laporan").click()
    # The worker kept the entry and led back to the form, which says so; the page (online, the API's route
    # not cut) sends it at once, with the form's own client id.
    expect(page.locator(".offline-flash")).to_contain_text("disimpan di HP")
    context.unroute(cut_off)
    expect(page.locator(QUEUE)).to_have_count(0, timeout=30_000)
    assert Visitors.objects.get(month=10).male == 70


def logging_out_forgets_the_kept_pages(base: str, world: World, context: BrowserContext) -> None:
    page = context.pages[0]
    page.goto(base + f"/mitra/{world.lamongan_village.pk}/")
    assert page.evaluate("async () => (await (await caches.open('tpbis-pages')).keys()).length") > 0
    page.click("details.menu > summary")
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/akun/masuk/**")
    assert page.evaluate("async () => (await (await caches.open('tpbis-pages')).keys()).length") == 0
    # Without signal, the form is no longer on the phone: the offline page says what needs the signal.
    context.set_offline(True)
    page.goto(base + form_url("pelibatan", world))
    expect(page.locator("h1")).to_have_text("Halaman ini butuh sinyal")
    context.set_offline(False)


def test_offline_entry_on_a_phone(
    worker_traffic: None, live_server: Any, world: World, browser: Browser, photo: Path
) -> None:
    """One live-server test (the server's flush after it empties the regions the next one would need)."""
    base = live_server.url
    context = phone_context(browser)
    page = log_in(context, base, world.manager)
    installed(page)
    three_entries_arrive_once_with_their_photos(base, world, context, photo)
    one_entry_from_two_tabs_is_one_record(base, world, context, photo)
    a_refused_entry_comes_back_with_its_message(base, world, context)
    a_stale_correction_shows_both_versions(base, world, context)
    a_post_cut_off_midway_waits_on_the_phone(base, world, context)
    a_kept_form_proposes_the_phones_today(base, world, context)  # the context's clock stays fixed from here
    logging_out_forgets_the_kept_pages(base, world, context)
    context.close()
