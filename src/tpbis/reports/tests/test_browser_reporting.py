"""The reporting cycle in a real Chromium on a 360×740 phone screen.

A village library manager enters a community engagement with two photos, the kabupaten facilitator
returns it with a comment, the manager corrects it, the facilitator verifies it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD, World
from tpbis.accounts.models import User
from tpbis.core.tests.browser import BROWSER_MARKS, horizontal_overflow, phone_context, screenshot
from tpbis.reports.models import CommunityEngagement, Status

pytestmark = BROWSER_MARKS

TITLE = "Pelatihan pemasaran online lewat WhatsApp"
COMMENT = "Jumlah peserta perempuan belum sesuai daftar hadir, mohon diperiksa kembali."


def _photo(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (1200, 900), colour).save(path, "JPEG", quality=85)
    return path


def _log_in(browser: Browser, base_url: str, user: User) -> Page:
    page = phone_context(browser).new_page()
    page.goto(base_url + "/akun/masuk/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    # The header's language switch is a submit button too; the login button is the one in <main>.
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")
    return page


def _thumbnails_loaded(page: Page, expected: int) -> None:
    images = page.locator(".photos img")
    expect(images).to_have_count(expected)
    for index in range(expected):
        image = images.nth(index)
        image.scroll_into_view_if_needed()  # thumbnails load lazily
        image.evaluate("img => img.complete && img.naturalWidth > 0 || new Promise(r => img.onload = r)")
        assert image.evaluate("img => img.naturalWidth") > 0


def _no_sideways_scroll(page: Page, where: str) -> None:
    assert horizontal_overflow(page) <= 0, f"{where} scrolls sideways at 360 px"


def test_a_record_goes_from_entry_through_return_and_correction_to_verified(
    live_server: Any, world: World, browser: Browser, tmp_path: Path
) -> None:
    base = live_server.url
    library = world.lamongan_village

    # The manager enters an engagement with two photos from their phone.
    manager = _log_in(browser, base, world.manager)
    expect(manager).to_have_url(f"{base}/mitra/{library.pk}/")
    manager.locator("section[aria-labelledby=entry-title]").get_by_role("link", name="Pelibatan masyarakat").click()
    expect(manager.locator("input[name=date]")).not_to_have_value("")
    expect(manager.locator("label[for=id_photos]")).not_to_contain_text("opsional")
    manager.fill("input[name=title]", TITLE)
    manager.select_option("select[name=activity_field]", "Inklusi Digital")
    manager.get_by_label("Pelatihan", exact=True).check()
    manager.select_option("select[name=audience]", "Pelaku UMKM")
    manager.fill("input[name=participants_male]", "9")
    manager.fill("input[name=participants_female]", "14")
    manager.set_input_files(
        "input[name=photos]", [_photo(tmp_path / "a.jpg", (30, 120, 90)), _photo(tmp_path / "b.jpg", (160, 80, 40))]
    )
    _no_sideways_scroll(manager, "the entry form")
    screenshot(manager, "pelibatan-isi-360.png")
    manager.get_by_role("button", name="Kirim laporan").click()

    expect(manager).to_have_url(re.compile(r"/laporan/pelibatan/\d+/$"))
    expect(manager.locator("h1")).to_have_text(TITLE)
    expect(manager.locator("main .badge").first).to_have_text("Belum Diverifikasi")
    _thumbnails_loaded(manager, 2)
    record = CommunityEngagement.objects.get(title=TITLE)
    assert (record.participants, record.status) == (23, Status.SUBMITTED)
    screenshot(manager, "pelibatan-detail-360.png")

    # The facilitator finds it in the verification queue and returns it with a comment.
    facilitator = _log_in(browser, base, world.facilitator_3524)
    facilitator.click("details.menu > summary")
    facilitator.locator("details.menu nav").get_by_role("link", name="Verifikasi (1)", exact=True).click()
    expect(facilitator).to_have_url(f"{base}/laporan/verifikasi/")
    item = facilitator.locator(f"#r{record.pk}")
    expect(item).to_contain_text(TITLE)
    _thumbnails_loaded(facilitator, 2)
    _no_sideways_scroll(facilitator, "the verification queue")
    screenshot(facilitator, "verifikasi-antrean-360.png")
    item.locator("summary", has_text="Kembalikan").click()
    item.get_by_label("Apa yang perlu diperbaiki?").fill(COMMENT)
    item.get_by_role("button", name="Kembalikan").click()
    expect(facilitator.locator(".messages")).to_contain_text("dikembalikan")
    expect(facilitator.locator(f"#r{record.pk}")).to_have_count(0)

    # The manager sees it at the top of their library page and corrects the number of participants.
    manager.goto(f"{base}/mitra/{library.pk}/")
    returned = manager.locator("#wl-manager-returned")
    expect(returned).to_contain_text("1 laporan dikembalikan untuk diperbaiki")
    expect(returned).to_contain_text(COMMENT)
    screenshot(manager, "mitra-dikembalikan-360.png")
    returned.get_by_role("link", name=TITLE).click()
    expect(manager).to_have_url(f"{base}/laporan/pelibatan/{record.pk}/ubah/")
    expect(manager.locator("main [role=alert]").first).to_contain_text(COMMENT)
    manager.fill("input[name=participants_female]", "16")
    manager.fill("input[name=participants]", "25")
    _no_sideways_scroll(manager, "the correction form")
    manager.get_by_role("button", name="Simpan perbaikan").click()
    expect(manager).to_have_url(f"{base}/laporan/pelibatan/{record.pk}/")
    expect(manager.locator("main .badge").first).to_have_text("Belum Diverifikasi")
    record.refresh_from_db()
    assert (record.participants, record.participants_female, record.status) == (25, 16, Status.SUBMITTED)

    # The facilitator verifies the corrected record from the queue.
    facilitator.goto(f"{base}/laporan/verifikasi/")
    item = facilitator.locator(f"#r{record.pk}")
    expect(item).to_contain_text(TITLE)
    item.get_by_role("button", name="Verifikasi").click()
    expect(facilitator.locator(".messages")).to_contain_text("diverifikasi")
    facilitator.goto(f"{base}/laporan/pelibatan/{record.pk}/")
    expect(facilitator.locator("main .badge").first).to_have_text("Sudah Diverifikasi")
    history = facilitator.locator("ol.audit > li > strong")
    expect(history).to_have_text(["Dibuat", "Dikembalikan", "Diubah", "Diverifikasi"])
    expect(facilitator.locator("ol.audit")).to_contain_text("Peserta perempuan: 14 → 16")
    expect(facilitator.locator("ol.audit")).to_contain_text(COMMENT)
    screenshot(facilitator, "pelibatan-terverifikasi-360.png")
    _no_sideways_scroll(facilitator, "the record page")
    record.refresh_from_db()
    assert (record.status, record.verified_by_id) == (Status.VERIFIED, world.facilitator_3524.pk)
