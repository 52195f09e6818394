"""A kabupaten facilitator at a desktop exports 20,000 community engagements to XLSX in a real Chromium.

The export is too large to build within the request, so it goes to the database queue; the test runs
the worker in this process (as `python manage.py db_worker` would) while the page polls for progress,
then downloads the file and opens it.
"""

from __future__ import annotations

import re
import time
from typing import Any

import openpyxl
from django.core.management import call_command
from playwright.sync_api import Browser, expect

from conftest import PASSWORD, World
from tpbis.core.tests.browser import BROWSER_MARKS, TIMEOUT_MS, screenshot
from tpbis.exports.models import ExportJob, JobStatus
from tpbis.exports.tests.helpers import DAY
from tpbis.reports.models import CommunityEngagement, Status

pytestmark = BROWSER_MARKS

RECORDS = 20_000
DESKTOP = {"width": 1280, "height": 800}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _engagements(world: World) -> None:
    libraries = [world.lamongan_village, world.lamongan_district]
    CommunityEngagement.objects.bulk_create(
        (
            CommunityEngagement(
                library=libraries[i % 2],
                date=DAY,
                title=f"Kegiatan literasi {i}",
                activity_field="Pendidikan",
                activity_kind="Pelatihan",
                audience="Umum",
                participants=10 + i % 40,
                input_date=DAY,
                status=Status.VERIFIED if i % 3 else Status.SUBMITTED,
            )
            for i in range(RECORDS)
        ),
        batch_size=2000,
    )


def test_a_facilitator_exports_20000_engagements_to_xlsx_and_opens_the_file(
    live_server: Any, world: World, browser: Browser, settings: Any, tmp_path: Any
) -> None:
    settings.TASKS = DATABASE_QUEUE
    _engagements(world)
    engagement_elsewhere = CommunityEngagement(
        library=world.belo_laut,
        date=DAY,
        title="Di luar wilayah",
        activity_field="Pendidikan",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=5,
        input_date=DAY,
    )
    engagement_elsewhere.save()

    context = browser.new_context(viewport=DESKTOP, locale="id-ID", accept_downloads=True)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name='username']", world.facilitator_3524.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")

    page.goto(live_server.url + "/laporan/pelibatan/")
    page.click("main .export-links a:has-text('XLSX')")
    page.wait_for_url(re.compile(r"/ekspor/\d+/$"))
    progress = page.locator("#export-progress")
    expect(progress).to_contain_text("Menunggu giliran")
    expect(progress).to_have_attribute("hx-trigger", "every 2s")

    started = time.monotonic()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    seconds = time.monotonic() - started
    job = ExportJob.objects.get()
    assert job.status == JobStatus.DONE, job.error
    print(f"\n{RECORDS:,} rows exported to XLSX by the worker in {seconds:.1f} s")

    link = page.locator("#export-progress a:has-text('Unduh')")
    expect(link).to_be_visible(timeout=10_000)  # the page polls every 2 s
    screenshot(page, "ekspor-selesai-1280.png")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert re.fullmatch(r"pelibatan-35\.24-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    title_column = header.index("Nama kegiatan")
    titles = [row[title_column] for row in rows]
    assert len(titles) == RECORDS
    assert "Di luar wilayah" not in titles
    assert titles[0].startswith("Kegiatan literasi ")
    context.close()
