"""Accessibility of the key pages on a 360×740 phone, checked by axe-core in a real Chromium.

axe-core (static/vendor/axe-core/, vendored from npm) is evaluated into each page by the test, never by
a template; a page passes when axe reports no violation of impact "serious" or "critical" (a form field
without a label, text too faint to read, a reference to an element that does not exist...).

One test, since the live server's flush after each test removes the default scheme its migration seeded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page

from conftest import PASSWORD, World
from tpbis.accounts.models import User
from tpbis.core.tests.browser import BROWSER_MARKS, phone_context
from tpbis.kpi.models import Scheme
from tpbis.kpi.services import kpi_refresh
from tpbis.libraries.models import Library
from tpbis.reports.models import CommunityEngagement, Status, Visitors

pytestmark = BROWSER_MARKS

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}

# Evaluated through the DevTools protocol, which the Content-Security-Policy does not govern (a <script>
# tag would be refused, and the browser fixture fails a test on any refusal).
AXE_RUN = """async () => {
    const results = await axe.run(document, {resultTypes: ['violations']});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({impact: n.impact, target: n.target.join(' '), summary: n.failureSummary})),
    }));
}"""


def _log_in(browser: Browser, base_url: str, user: User) -> Page:
    page = phone_context(browser).new_page()
    page.goto(base_url + "/akun/masuk/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")
    return page


def _serious_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN)
    return [v for v in violations if v["impact"] in BLOCKING]


def _check(page: Page, base_url: str, urls: list[str], failures: dict[str, list[dict[str, Any]]]) -> None:
    for url in urls:
        response = page.goto(base_url + url)
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        page.wait_for_load_state()
        found = _serious_violations(page)
        if found:
            failures[url] = found


def _data(world: World) -> Library:
    """A library with verified figures (so the KPI page and its breakdown show scores) and one record waiting."""
    library = world.lamongan_village
    today = timezone.localdate()
    for month in range(1, today.month + 1):
        Visitors.objects.create(library=library, year=today.year, month=month, total=9, status=Status.VERIFIED)
    for i in range(3):
        CommunityEngagement.objects.create(
            library=library, date=today.replace(day=1), title=f"Pelatihan {i}", participants=12, status=Status.VERIFIED
        )
    for title in ("Bimbingan belajar anak", "Lomba baca puisi"):
        CommunityEngagement.objects.create(
            library=library, date=today.replace(day=1), title=title, participants=20, status=Status.SUBMITTED
        )
    kpi_refresh(libraries=Library.objects.filter(pk=library.pk))
    return library


def test_the_key_pages_have_no_serious_accessibility_violation(
    live_server: Any, world: World, browser: Browser
) -> None:
    library = _data(world)
    scheme = Scheme.objects.get(name="IKU TPBIS 2026")
    base = live_server.url
    failures: dict[str, list[dict[str, Any]]] = {}

    visitor = phone_context(browser).new_page()
    _check(visitor, base, ["/akun/masuk/", "/capaian/"], failures)

    manager = _log_in(browser, base, world.manager)
    entry_forms = [f"/laporan/{kind}/baru/" for kind in ("pelibatan", "advokasi", "publikasi", "pengunjung")]
    entry_forms.append("/laporan/peningkatan/baru/")
    _check(
        manager, base, ["/", *entry_forms, f"/mitra/{library.pk}/", "/notifikasi/pengaturan/", "/akun/token/"], failures
    )
    # Entry forms sent back with their errors (the advocacy form's radio and checkbox groups among them).
    for url in ("/laporan/pelibatan/baru/", "/laporan/advokasi/baru/"):
        manager.goto(base + url)
        manager.click("main form button[type=submit]:not([name])")
        manager.wait_for_load_state()
        assert manager.locator("main .errorlist").count(), f"{url}: an empty report comes back with its errors"
        if found := _serious_violations(manager):
            failures[url + " (with errors)"] = found

    facilitator = _log_in(browser, base, world.facilitator_3524)
    _check(facilitator, base, ["/kerja/", "/laporan/verifikasi/", "/laporan/verifikasi/pelibatan/"], failures)

    national = _log_in(browser, base, world.national)
    _check(national, base, ["/dasbor/", "/iku/", f"/rapor/{library.pk}/", f"/iku/skema/{scheme.pk}/"], failures)

    assert not failures, "serious or critical accessibility violations:\n" + json.dumps(
        failures, ensure_ascii=False, indent=1
    )
