"""Issue 12 on 360×740 phones: a provincial officer of Kepulauan Bangka Belitung plans a gathering for
every partner, a manager registers and checks in with the link, the officer records a practice shared and
a follow-up, and the after-event page shows the figures frozen at the start."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD, World, make_library, make_user
from tpbis.accounts.models import Role, User
from tpbis.core.tests.browser import BROWSER_MARKS, horizontal_overflow, phone_context, screenshot
from tpbis.gatherings.frozen import report_thaw
from tpbis.gatherings.models import Gathering
from tpbis.reportcards.formatting import headline_text
from tpbis.reportcards.tests.records import engagement
from tpbis.reports.models import Status
from tpbis.reports.services import record_verify
from tpbis.reports.signals import records_changed

pytestmark = BROWSER_MARKS

TITLE = "Gathering Mitra TPBIS Kepulauan Bangka Belitung"


def _log_in(browser: Browser, base_url: str, user: User) -> Page:
    page = phone_context(browser).new_page()
    page.goto(base_url + "/akun/masuk/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("main button[type=submit]")  # the header's language switch is a submit button too
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")
    return page


def _fits(page: Page, where: str) -> None:
    assert horizontal_overflow(page) <= 0, f"{where} scrolls sideways at 360 px"


def test_a_gathering_from_invitation_to_the_after_event_page(live_server: Any, world: World, browser: Browser) -> None:
    base = live_server.url
    officer_user = make_user("babel@example.id", Role.PROVINCE, region="19")
    belo_laut_manager = make_user("belolaut@example.id", Role.MANAGER, library=world.belo_laut)
    make_library("Perpustakaan Desa Tanjung Labu", "19.03.02.2001")
    make_library("Perpustakaan Desa Cendil", "19.06.04.2003")
    for month in (3, 5, 7):
        engagement(world.belo_laut, dt.date(2024, month, 12))
    waiting = engagement(world.belo_laut, dt.date(2024, 8, 20), status=Status.SUBMITTED, story="Belajar merajut")
    records_changed.send(sender=None, library_ids={world.belo_laut.pk})
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    # The officer plans the gathering from the menu, for every partner of the province.
    officer = _log_in(browser, base, officer_user)
    officer.click("details.menu > summary")
    officer.locator("details.menu nav").get_by_role("link", name="Gathering", exact=True).click()
    officer.get_by_role("link", name="+ Buat gathering").click()
    officer.get_by_label("Judul", exact=True).fill(TITLE)
    officer.get_by_label("Tanggal", exact=True).fill(tomorrow.isoformat())
    officer.get_by_label("Jam mulai").fill("09:00")
    officer.get_by_label("Jam selesai").fill("11:30")
    officer.get_by_label("Tautan pertemuan daring").fill("https://zoom.us/j/555")
    officer.get_by_label("Wilayah", exact=True).select_option("19")
    officer.get_by_label("Periode mulai").fill("2024-01-01")
    officer.get_by_label("Periode sampai").fill("2024-12-31")
    officer.get_by_label("Pembicara").fill("Ibu Rina - Pelatih Ahli\nPak Dedi - Konsultan Pendamping")
    officer.get_by_label("Agenda").fill("Paparan capaian IKU\nBerbagi praktik baik\nPemecahan masalah")
    _fits(officer, "the gathering form")
    officer.get_by_role("button", name="Simpan").click()
    expect(officer.locator(".messages")).to_contain_text("Gathering dibuat")
    expect(officer.locator("main")).to_contain_text("3 perpustakaan")
    expect(officer.locator("main")).to_contain_text("Konsultan Pendamping")
    officer.get_by_text("Kirim lewat WhatsApp").click()
    expect(officer.locator("#share-text")).to_contain_text("Undangan gathering: " + TITLE)
    _fits(officer, "the gathering page")
    screenshot(officer, "gathering-rencana-360.png")
    gathering = Gathering.objects.get(title=TITLE)

    # The manager follows the notification and registers.
    manager = _log_in(browser, base, belo_laut_manager)
    manager.locator("header a.bell").click()
    manager.get_by_role("link", name="Undangan gathering: " + TITLE).click()
    expect(manager).to_have_url(f"{base}/gathering/{gathering.pk}/")
    manager.get_by_role("button", name="Daftar hadir").click()
    expect(manager.locator("[data-my-status]")).to_contain_text("Anda terdaftar untuk Perpustakaan Desa Belo Laut")
    _fits(manager, "the gathering page of a manager")

    # The officer starts the gathering: the figures freeze; a second press is told so.
    officer.reload()
    officer.get_by_role("button", name="Mulai gathering").click()
    expect(officer.locator(".messages")).to_contain_text("sudah dibekukan")
    gathering.refresh_from_db()
    assert gathering.frozen_report is not None
    frozen_headline = headline_text(report_thaw(gathering.frozen_report).headline)
    assert frozen_headline.startswith("3 mitra, 4 kegiatan pelibatan masyarakat"), frozen_headline
    expect(officer.locator("[data-headline]")).to_have_text(frozen_headline)
    checkin = officer.locator("[data-checkin-url]").get_attribute("href") or ""
    screenshot(officer, "gathering-mulai-360.png")

    # The manager opens the check-in link on the phone, once.
    manager.goto(base + urlsplit(checkin).path)
    manager.get_by_role("button", name="Saya hadir").click()
    expect(manager.locator("[data-checked-in]")).to_contain_text("kehadiran Anda tercatat")
    screenshot(manager, "gathering-hadir-360.png")

    # The officer records a practice shared and a follow-up.
    officer.reload()
    expect(officer.locator("[data-attendance]")).to_contain_text("1 pengelola hadir")
    officer.locator("summary", has_text="Praktik baik yang dibagikan").click()
    practice = officer.locator("form[action$='/praktik/']")
    practice.get_by_label("Perpustakaan").select_option(label="Perpustakaan Desa Belo Laut")
    practice.get_by_label("Judul praktik").fill("Kelas merajut bersama PKK")
    practice.get_by_label("Ringkasan").fill("Ibu-ibu belajar merajut dan menjual hasilnya.")
    practice.get_by_role("button", name="Simpan praktik").click()
    expect(officer.locator(".messages")).to_contain_text("Praktik baik dicatat")
    officer.locator("summary", has_text="Masalah dan tindak lanjut").click()
    followup = officer.locator("form[action$='/tindak-lanjut/']")
    followup.get_by_label("Perpustakaan").select_option(label="Perpustakaan Desa Belo Laut")
    followup.get_by_label("Masalah").fill("Laporan pengunjung belum rutin")
    followup.get_by_label("Tindak lanjut yang disepakati").fill("Pendampingan pengisian laporan bulanan")
    followup.get_by_label("Penanggung jawab (fasilitator)").select_option(str(world.facilitator_1905.pk))
    followup.get_by_label("Tenggat").fill((tomorrow + dt.timedelta(days=30)).isoformat())
    followup.get_by_role("button", name="Simpan tindak lanjut").click()
    expect(officer.locator(".messages")).to_contain_text("Tindak lanjut dicatat")

    # A record of the period verified afterwards changes the live report, never the frozen one.
    record_verify(record=waiting, user=world.facilitator_1905)

    officer.get_by_role("link", name="Laporan lengkap (untuk dicetak)").click()
    expect(officer).to_have_url(f"{base}/gathering/{gathering.pk}/laporan/")
    main = officer.locator("main")
    expect(officer.locator("[data-headline]")).to_have_text(frozen_headline)
    expect(main).to_contain_text("1 pengelola hadir")
    expect(main).to_contain_text("Kelas merajut bersama PKK")
    expect(main).to_contain_text("Pendampingan pengisian laporan bulanan")
    expect(main).to_contain_text("Belum selesai")
    expect(main).not_to_contain_text("Belajar merajut")  # the story verified after the start
    _fits(officer, "the after-event page")
    screenshot(officer, "gathering-laporan-360.png")
    officer.emulate_media(media="print")
    expect(officer.locator(".actions.no-print")).to_be_hidden()
