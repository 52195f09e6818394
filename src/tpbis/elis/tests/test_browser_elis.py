"""In a real Chromium at 360×740: a manager opens Elis, takes the pre-test, reads the lessons, passes the
post-test and downloads the certificate; the Lamongan facilitator then sees the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD, World
from tpbis.core.tests.browser import BROWSER_MARKS, horizontal_overflow, phone_context, screenshot
from tpbis.elis.models import Attempt
from tpbis.elis.tests.helpers import POST, course_make, quiz_of, right_answers

pytestmark = BROWSER_MARKS


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/akun/masuk/")
    page.fill("input[name='username']", email)
    page.fill("input[name='password']", PASSWORD)
    page.press("input[name='password']", "Enter")
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, "login failed: " + page.inner_text("main")


def fits(page: Page, name: str) -> None:
    screenshot(page, f"elis-{name}-360.png")
    assert horizontal_overflow(page) <= 0, f"the {name} page scrolls sideways at 360 px"


def test_a_manager_learns_and_the_facilitator_sees_the_result(
    live_server: Any, world: World, browser: Browser, tmp_path: Path
) -> None:
    course = course_make()
    page = phone_context(browser).new_page()
    sign_in(page, live_server.url, world.manager.email)
    page.goto(live_server.url + "/elis/")
    page.get_by_role("link", name="Kursus uji TPBIS").click()
    page.get_by_role("button", name="Mulai kursus").click()

    # Pre-test: any answers; it measures what the manager knew.
    expect(page.locator("h1")).to_contain_text("Pre-test")
    page.get_by_role("button", name="Mulai tes").click()
    for fieldset in page.locator("fieldset").all():
        fieldset.locator("input").first.check()
    fits(page, "pre-test")
    page.get_by_role("button", name="Kumpulkan jawaban").click()
    expect(page.locator("#result-title")).to_contain_text("Nilai Anda")

    # Lessons, one after another.
    page.get_by_role("link", name="Kembali ke kursus").click()
    page.get_by_role("link", name="Mulai pelajaran pertama: Peran perpustakaan").click()
    expect(page.locator("h1")).to_have_text("Peran perpustakaan")
    expect(page.locator(".elis-lesson img").first).to_have_attribute("loading", "lazy")
    fits(page, "lesson")
    for _ in range(3):
        page.get_by_role("button", name="Tandai selesai dan lanjut").click()
    expect(page.locator("main")).to_contain_text("3 dari 3 pelajaran selesai")

    # Post-test: the right answers come from the database; the page itself never carries them.
    page.get_by_role("link", name="Post-test").click()
    page.get_by_role("button", name="Mulai tes").click()
    assert "correct" not in page.content()
    post = quiz_of(course, POST)
    attempt = Attempt.objects.get(quiz=post)
    for question_id, choice_ids in right_answers(post).items():
        for choice_id in choice_ids:
            page.check(f"input[name='q{question_id}'][value='{choice_id}']")
    page.get_by_role("button", name="Kumpulkan jawaban").click()
    expect(page.locator("#result-title")).to_have_text("Nilai Anda: 100")
    attempt.refresh_from_db()
    assert attempt.passed
    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh sertifikat (PDF)").click()
    target = tmp_path / "sertifikat.pdf"
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")

    # The facilitator of Lamongan sees the manager finished, with the pre- and post-test scores.
    facilitator = phone_context(browser).new_page()
    sign_in(facilitator, live_server.url, world.facilitator_3524.email)
    facilitator.goto(live_server.url + "/elis/")
    facilitator.get_by_role("link", name="Peserta di wilayah saya").click()
    row = facilitator.locator("tbody tr", has_text="Kursus uji TPBIS")  # the learner list, not the figures
    expect(row.locator("td").first).to_have_text(world.manager.get_full_name())
    expect(row).to_contain_text("Perpustakaan Desa Sembung")
    expect(row.locator("td").nth(5)).to_have_text("100")
    fits(facilitator, "learners")
