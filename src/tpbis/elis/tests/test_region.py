"""Facilitators and officers see the learners of their region only; the rapor and gathering count finishers."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from conftest import World, make_user
from tpbis.accounts.models import Role
from tpbis.elis.models import Enrollment, Lesson
from tpbis.elis.services import attempt_start, attempt_submit, enrollment_start, lesson_complete
from tpbis.elis.tests.helpers import POST, PRE, course_make, quiz_of, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


def _learn(user: Any, library: Any, course: Any, *, finish: bool) -> Enrollment:
    enrollment = enrollment_start(user=user, course=course, library_id=library.pk)
    pre = quiz_of(course, PRE)
    attempt_submit(attempt=attempt_start(enrollment=enrollment, quiz=pre), answers=wrong_answers(pre))
    if finish:
        for lesson in Lesson.objects.filter(module__course=course):
            lesson_complete(enrollment=enrollment, lesson=lesson)
        post = quiz_of(course, POST)
        attempt_submit(attempt=attempt_start(enrollment=enrollment, quiz=post), answers=right_answers(post))
    return enrollment


@pytest.fixture
def learners(world: World) -> dict[str, Any]:
    course = course_make()
    belo = make_user("belo@example.id", Role.MANAGER, library=world.belo_laut)
    labruk = make_user("labruk@example.id", Role.MANAGER, library=world.lumajang_village)
    return {
        "sembung": _learn(world.manager, world.lamongan_village, course, finish=True),
        "belo": _learn(belo, world.belo_laut, course, finish=False),
        "labruk": _learn(labruk, world.lumajang_village, course, finish=False),
    }


def test_a_facilitator_sees_only_the_learners_of_their_kabupaten(world: World, learners: dict[str, Any]) -> None:
    html = world.client_for(world.facilitator_3524).get(reverse("elis:learners")).content.decode()
    assert "Perpustakaan Desa Sembung" in html and world.manager.get_full_name() in html
    assert "Belo Laut" not in html and "Labruk Kidul" not in html and "Belo" not in html


def test_a_province_officer_sees_each_kabupaten_of_the_province(world: World, learners: dict[str, Any]) -> None:
    response = world.client_for(world.province_35).get(reverse("elis:learners"))
    assert response.context["total"]["enrolled"] == 2
    assert response.context["total"]["finished"] == 1
    names = {row["library__name"] for row in response.context["libraries"]}
    assert names == {"Perpustakaan Desa Sembung", "Perpustakaan Desa Labruk Kidul"}
    regency = {row["library__regency_id"]: row for row in response.context["regencies"]}
    assert regency["35.24"]["pre_avg"] == 0 and regency["35.24"]["post_avg"] == 100


def test_a_region_outside_the_scope_is_404_and_a_manager_is_403(world: World, learners: dict[str, Any]) -> None:
    url = reverse("elis:learners")
    assert world.client_for(world.facilitator_3524).get(url, {"wilayah": "19.05"}).status_code == 404
    assert world.client_for(world.facilitator_3524).get(url, {"wilayah": "35.08"}).status_code == 404
    assert world.client_for(world.manager).get(url).status_code == 403
    export = reverse("elis:learners_export", args=["csv"])
    assert world.client_for(world.facilitator_3524).get(export, {"wilayah": "19.05"}).status_code == 404


def test_the_exports_hold_the_scoped_learners(world: World, learners: dict[str, Any]) -> None:
    client = world.client_for(world.facilitator_3524)
    text = client.get(reverse("elis:learners_export", args=["csv"])).content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and "Perpustakaan Desa Sembung" in lines[1] and ",100," in lines[1]
    response = client.get(reverse("elis:learners_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "Perpustakaan Desa Sembung"
    assert isinstance(rows[1][5], dt.datetime)


def test_the_rapor_and_the_gathering_report_count_managers_who_finished(world: World, learners: dict[str, Any]) -> None:
    client = world.client_for(world.province_35)
    rapor = client.get(reverse("reportcards:report_card", args=[world.lamongan_village.pk])).content.decode()
    assert "Elis: 1 dari 1 pengelola menamatkan kursus inti." in rapor
    gathering = client.get(reverse("reportcards:gathering"), {"wilayah": "35"}).content.decode()
    assert "Elis: 1 dari 2 pengelola menamatkan kursus inti." in gathering


def test_the_pdfs_print_the_same_line(world: World, learners: dict[str, Any]) -> None:
    from tpbis.accounts.scope import scope_for_user
    from tpbis.reportcards.forms import Period
    from tpbis.reportcards.pdf import gathering_story, report_card_story
    from tpbis.reportcards.selectors import gathering_report_for_user, report_card_for_user
    from tpbis.reportcards.tests.records import story_text

    scope = scope_for_user(world.province_35)
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    report = gathering_report_for_user(scope=scope, region_code="35", period=period)
    assert "Elis: 1 dari 2 pengelola menamatkan kursus inti." in story_text(gathering_story(report))
    card = report_card_for_user(scope=scope, library_id=world.lamongan_village.pk, period=period)
    assert "Elis: 1 dari 1 pengelola menamatkan kursus inti." in story_text(report_card_story(card))
