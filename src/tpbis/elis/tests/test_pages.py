"""Lesson pages: sanitised, light on a phone; KPI explanations link the lesson that teaches what is missing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from conftest import World
from tpbis.elis.models import Lesson
from tpbis.elis.selectors import learn_links
from tpbis.elis.tests.helpers import SLUG, course_make
from tpbis.elis.transfer import course_load

pytestmark = pytest.mark.django_db
PAGE_BUDGET = 100 * 1024


def _first_lesson(course: Any) -> Lesson:
    return Lesson.objects.filter(module__course=course).order_by("module__position", "position").first()  # type: ignore[return-value]


def test_a_lesson_page_weighs_under_100_kb_without_its_images(world: World) -> None:
    course = course_make()
    lesson = _first_lesson(course)
    response = world.client_for(world.manager).get(reverse("elis:lesson", args=[SLUG, lesson.pk]))
    html = response.content.decode()
    static_url = settings.STATIC_URL
    assets = re.findall(r'(?:src|href)="' + re.escape(static_url) + r'([^"?]+)', html)
    assert assets, "the page loads the site's stylesheet and scripts"
    sizes = {name: Path(str(finders.find(name))).stat().st_size for name in assets}
    total = len(response.content) + sum(sizes.values())
    print(f"\nlesson page: HTML {len(response.content):,} B + static {sum(sizes.values()):,} B = {total:,} B ({sizes})")
    assert total < PAGE_BUDGET


def test_a_lesson_shows_its_images_lazily_and_its_video_as_a_link(world: World) -> None:
    course = course_make()
    html = world.client_for(world.manager).get(reverse("elis:lesson", args=[SLUG, _first_lesson(course).pk])).content
    text = html.decode()
    images = re.findall(r"<img[^>]*>", text)
    assert images and all('loading="lazy"' in tag and 'width="960"' in tag for tag in images)
    assert "<iframe" not in text and "autoplay" not in text
    assert 'href="https://www.youtube.com/watch?v=abc"' in text


def test_markup_written_into_a_lesson_is_sanitised_when_shown(world: World) -> None:
    course = course_make()
    lesson = _first_lesson(course)
    # Written straight to the database (an old row, a bug elsewhere): the page still never runs it.
    lesson.body_md = (
        'Teks <script>alert(1)</script> <a href="javascript:alert(2)" onclick="x()">tautan</a> <b>tebal</b>'
    )
    lesson.save()
    text = world.client_for(world.manager).get(reverse("elis:lesson", args=[SLUG, lesson.pk])).content.decode()
    assert "<script>alert" not in text and "javascript:" not in text and "onclick" not in text
    assert "<b>tebal</b>" in text


def test_a_kpi_explanation_links_the_lesson_of_a_missing_component(world: World) -> None:
    course_make()
    parts = [
        {"label": "Advokasi", "record_type": "advokasi", "points": 5.0, "weight": 18.75},
        {"label": "Pelibatan", "record_type": "pelibatan", "points": 17.5, "weight": 17.5},
    ]
    links = learn_links(parts)
    assert [(link.label, link.title) for link in links] == [("Advokasi", "Menulis laporan advokasi")]
    page = world.client_for(world.manager).get(reverse("libraries:detail", args=[world.lamongan_village.pk]))
    assert "Pelajari: Menulis laporan advokasi" in page.content.decode()


def test_the_menu_has_elis_for_everyone_signed_in(world: World) -> None:
    for user in (world.manager, world.facilitator_3524, world.national):
        assert f'href="{reverse("elis:home")}"' in world.client_for(user).get(reverse("elis:home")).content.decode()


SHIPPED = Path(settings.BASE_DIR) / "data" / "elis" / "dasar-dasar-tpbis.json"


@pytest.mark.skipif(not SHIPPED.is_file(), reason="the shipped course file is not there")
def test_every_lesson_of_the_shipped_course_weighs_under_100_kb(world: World) -> None:
    course, created = course_load(raw=SHIPPED.read_bytes())
    assert created and course.is_core
    client = world.client_for(world.manager)
    heaviest = 0
    static = sum(
        Path(str(finders.find(n))).stat().st_size for n in ("css/app.css", "js/app.js", "vendor/htmx/htmx.min.js")
    )
    for lesson in Lesson.objects.filter(module__course=course):
        response = client.get(reverse("elis:lesson", args=[course.slug, lesson.pk]))
        assert response.status_code == 200
        heaviest = max(heaviest, len(response.content))
    print(f"\nshipped course: heaviest lesson HTML {heaviest:,} B + static {static:,} B = {heaviest + static:,} B")
    assert heaviest + static < PAGE_BUDGET


def test_the_elis_pages_carry_no_inline_code(world: World) -> None:
    from tpbis.core.tests.test_content_security_policy import policy_problems
    from tpbis.elis.models import Quiz
    from tpbis.elis.services import attempt_start, enrollment_start

    course = course_make()
    lesson = _first_lesson(course)
    pre = Quiz.objects.get(course=course, kind="pre")
    enrollment = enrollment_start(user=world.manager, course=course, library_id=world.lamongan_village.pk)
    attempt = attempt_start(enrollment=enrollment, quiz=pre)
    learner = world.client_for(world.manager)
    paths = [
        reverse("elis:home"),
        reverse("elis:course", args=[SLUG]),
        reverse("elis:lesson", args=[SLUG, lesson.pk]),
        reverse("elis:quiz", args=[SLUG, pre.pk]),
        reverse("elis:attempt", args=[attempt.pk]),
    ]
    problems = [p for path in paths for p in policy_problems(learner, path)]
    national = world.client_for(world.national)
    for path in (
        reverse("elis:learners"),
        reverse("elis:author_list"),
        reverse("elis:author_course", args=[course.pk]),
        reverse("elis:author_lesson", args=[lesson.pk]),
        reverse("elis:author_quiz", args=[pre.pk]),
        reverse("elis:author_import"),
    ):
        problems += policy_problems(national, path)
    assert not problems, problems
