"""On a 360×740 phone: photos survive a form that comes back with an error, and a draft with only a
title is saved and listed on the manager's home page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect

from conftest import World
from tpbis.core.tests.browser import BROWSER_MARKS, horizontal_overflow, screenshot
from tpbis.reports.models import CommunityEngagement, Status
from tpbis.reports.photos import photos_for
from tpbis.reports.tests.test_browser_reporting import _log_in, _photo

pytestmark = BROWSER_MARKS

TITLE = "Kelas literasi keuangan untuk ibu-ibu PKK"
DRAFT_TITLE = "Lomba bercerita (belum selesai)"


def test_photos_are_kept_through_an_error_and_a_title_alone_saves_a_draft(
    live_server: Any, world: World, browser: Browser, tmp_path: Path
) -> None:
    base = live_server.url
    library = world.lamongan_village
    page = _log_in(browser, base, world.manager)
    entry = page.locator("section[aria-labelledby=entry-title]")

    # Two photos and a total that does not match the split: the form comes back.
    entry.get_by_role("link", name="Pelibatan masyarakat").click()
    expect(page.locator("#participants-group legend")).to_contain_text("wajib")
    page.fill("input[name=title]", TITLE)
    page.select_option("select[name=activity_field]", "Ekonomi")
    page.get_by_label("Pelatihan", exact=True).check()
    page.select_option("select[name=audience]", "Umum")
    page.fill("input[name=participants]", "20")
    page.fill("input[name=participants_male]", "2")
    page.fill("input[name=participants_female]", "21")
    page.set_input_files(
        "input[name=photos]", [_photo(tmp_path / "a.jpg", (30, 120, 90)), _photo(tmp_path / "b.jpg", (160, 80, 40))]
    )
    page.get_by_role("button", name="Kirim laporan").click()

    expect(page.locator("main .errorlist").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("harus sama dengan jumlah peserta")
    thumbnails = page.locator("#staged-photos img")
    expect(thumbnails).to_have_count(2)
    for index in range(2):
        image = thumbnails.nth(index)
        image.scroll_into_view_if_needed()
        image.evaluate("img => img.complete && img.naturalWidth > 0 || new Promise(r => img.onload = r)")
        assert image.evaluate("img => img.naturalWidth") > 0
    expect(page.locator("input[name=title]")).to_have_value(TITLE)
    expect(page.locator("select[name=activity_field]")).to_have_value("Ekonomi")
    assert horizontal_overflow(page) <= 0, "the form that came back scrolls sideways at 360 px"
    screenshot(page, "pelibatan-foto-tersimpan-360.png")

    # Fixed, sent without attaching the photos again.
    page.fill("input[name=participants]", "23")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page).to_have_url(re.compile(r"/laporan/pelibatan/\d+/$"))
    expect(page.locator(".photos img")).to_have_count(2)
    record = CommunityEngagement.objects.get(title=TITLE)
    assert (record.status, record.participants, photos_for(record).count()) == (Status.SUBMITTED, 23, 2)

    # A draft with nothing but a title.
    page.goto(f"{base}/laporan/pelibatan/baru/?perpustakaan={library.pk}")
    page.fill("input[name=title]", DRAFT_TITLE)
    page.get_by_role("button", name="Simpan sebagai draf").click()
    expect(page).to_have_url(f"{base}/mitra/{library.pk}/")
    expect(page.locator(".messages")).to_contain_text("Draf tersimpan. Belum dikirim")
    drafts = page.locator("#wl-drafts")
    expect(drafts).to_contain_text("1 draf belum dikirim")
    expect(drafts).to_contain_text(DRAFT_TITLE)
    screenshot(page, "mitra-draf-360.png")
    drafts.get_by_role("link", name="Lanjutkan mengisi").click()
    expect(page.locator("input[name=title]")).to_have_value(DRAFT_TITLE)
    assert CommunityEngagement.objects.get(title=DRAFT_TITLE).status == Status.DRAFT
