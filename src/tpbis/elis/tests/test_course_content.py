"""The shipped core course ("Dasar-dasar TPBIS untuk pengelola perpustakaan") is complete and well formed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tpbis.elis.transfer import course_file_check, course_file_read
from tpbis.kpi.models import RecordType

COURSE_FILE = Path(settings.BASE_DIR) / "data" / "elis" / "dasar-dasar-tpbis.json"


@pytest.fixture(scope="module")
def course() -> dict[str, Any]:
    with COURSE_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _all_questions(course: dict[str, Any]) -> list[dict[str, Any]]:
    questions = list(course["pretest"]["questions"]) + list(course["posttest"]["questions"])
    for module in course["modules"]:
        if module["quiz"]:
            questions += module["quiz"]["questions"]
    return questions


def test_it_is_the_core_course_in_the_agreed_format(course: dict[str, Any]) -> None:
    assert course["format"] == "tpbis-elis-course/1"
    assert course["slug"] == "dasar-dasar-tpbis"
    assert course["title"] == "Dasar-dasar TPBIS untuk pengelola perpustakaan"
    assert course["core"] is True


def test_it_has_six_modules_of_two_to_four_lessons_with_real_text(course: dict[str, Any]) -> None:
    assert len(course["modules"]) >= 6
    for module in course["modules"]:
        assert module["title"].strip() and module["summary"].strip()
        assert 2 <= len(module["lessons"]) <= 4, module["title"]
        for lesson in module["lessons"]:
            words = len(lesson["body_md"].split())
            assert 250 <= words <= 650, (lesson["title"], words)
            assert lesson["minutes"] > 0
            assert lesson["images"] == [] or set(lesson["images"]) <= set(course["images"])


def test_it_has_a_pretest_and_a_different_posttest_of_ten_questions(course: dict[str, Any]) -> None:
    pre = [q["text"] for q in course["pretest"]["questions"]]
    post = [q["text"] for q in course["posttest"]["questions"]]
    assert len(pre) == 10 and len(post) == 10
    assert not set(pre) & set(post)
    assert course["pretest"]["pass_score"] == 0
    assert course["posttest"]["pass_score"] > 0
    assert sum(1 for m in course["modules"] if m["quiz"] and 3 <= len(m["quiz"]["questions"]) <= 5) >= 4


def test_every_question_has_a_valid_answer_key_and_an_explanation(course: dict[str, Any]) -> None:
    texts = []
    for question in _all_questions(course):
        right = [c for c in question["choices"] if c["correct"]]
        assert 3 <= len(question["choices"]) <= 4, question["text"]
        if question["multiple"]:
            assert len(right) >= 2, question["text"]
        else:
            assert len(right) == 1, question["text"]
        assert question["explanation"].strip()
        texts.append(question["text"])
    assert len(texts) == len(set(texts)), "a question is asked twice in the course"


def test_kpi_component_codes_are_known_and_each_taught_once(course: dict[str, Any]) -> None:
    known = set(RecordType.values)
    listed = [code for module in course["modules"] for code in module["kpi_components"]]
    assert set(listed) <= known
    assert len(listed) == len(set(listed))
    # Every KPI part a library can miss has a module to link to from its explanation.
    assert set(listed) == known


def test_the_importer_accepts_the_file() -> None:
    spec, assets = course_file_check(course_file_read(COURSE_FILE.read_bytes()))
    assert spec["slug"] == "dasar-dasar-tpbis"
    assert len(spec["modules"]) >= 6
    assert assets == {}
