"""A learner's path: enrol, pre-test, lessons, post-test, certificate; and what bad input changes (nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import World
from tpbis.elis.models import Attempt, Certificate, Course, Enrollment, Lesson, LessonProgress
from tpbis.elis.services import (
    AlreadySubmitted,
    attempt_start,
    attempt_submit,
    certificate_issue_if_earned,
    enrollment_start,
    lesson_complete,
)
from tpbis.elis.tests.helpers import POST, PRE, SLUG, course_make, quiz_of, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(world: World) -> Any:
    return course_make()


def _enrol(world: World, course: Any) -> Enrollment:
    return enrollment_start(user=world.manager, course=course, library_id=world.lamongan_village.pk)


def _post_form(answers: dict[int, list[int]]) -> dict[str, list[str]]:
    return {f"q{qid}": [str(c) for c in choices] for qid, choices in answers.items()}


def _finish_lessons(enrollment: Enrollment) -> None:
    for lesson in Lesson.objects.filter(module__course=enrollment.course):
        lesson_complete(enrollment=enrollment, lesson=lesson)


def test_it_enrols_with_the_managers_library_and_goes_to_the_pre_test(world: World, course: Any) -> None:
    client = world.client_for(world.manager)
    response = client.post(reverse("elis:course", args=[SLUG]))
    assert response.status_code == 302
    assert response["Location"] == reverse("elis:quiz", args=[SLUG, quiz_of(course, PRE).pk])
    enrollment = Enrollment.objects.get(user=world.manager)
    assert enrollment.library == world.lamongan_village


def test_it_never_puts_the_answer_key_in_the_test_page(world: World, course: Any) -> None:
    enrollment = _enrol(world, course)
    attempt = attempt_start(enrollment=enrollment, quiz=quiz_of(course, PRE))
    html = world.client_for(world.manager).get(reverse("elis:attempt", args=[attempt.pk])).content.decode()
    assert "Pre satu pilihan 0" in html and "Pre dua pilihan 2" in html
    assert "correct" not in html.lower()
    assert "elis-right" not in html and "jawaban benar" not in html
    assert "Penjelasan untuk" not in html


def test_it_scores_on_the_server_and_shows_explanations_after(world: World, course: Any) -> None:
    enrollment = _enrol(world, course)
    pre = quiz_of(course, PRE)
    attempt = attempt_start(enrollment=enrollment, quiz=pre)
    answers = right_answers(pre)
    first = next(iter(answers))
    answers[first] = wrong_answers(pre)[first]
    client = world.client_for(world.manager)
    client.post(reverse("elis:attempt", args=[attempt.pk]), _post_form(answers))
    attempt.refresh_from_db()
    assert attempt.score == 50
    enrollment.refresh_from_db()
    assert enrollment.pre_score == 50
    html = client.get(reverse("elis:attempt", args=[attempt.pk])).content.decode()
    assert "Penjelasan untuk Pre satu" in html and "jawaban benar" in html


def test_it_requires_exactly_the_right_set_on_a_multiple_answer_question(world: World, course: Any) -> None:
    enrollment = _enrol(world, course)
    _finish_lessons(enrollment)
    post = quiz_of(course, POST)
    answers = right_answers(post)
    multiple = next(q for q in post.questions.all() if q.multiple)
    answers[multiple.pk] = answers[multiple.pk][:1]  # one of the two right choices only
    attempt = attempt_submit(attempt=attempt_start(enrollment=enrollment, quiz=post), answers=answers)
    assert attempt.score == 50 and not attempt.passed


def test_it_shuffles_questions_and_choices_per_attempt(world: World, course: Any) -> None:
    enrollment = _enrol(world, course)
    _finish_lessons(enrollment)
    post = quiz_of(course, POST)
    orders = set()
    for _ in range(12):
        attempt = attempt_start(enrollment=enrollment, quiz=post)
        assert sorted(q for q, _c in attempt.order) == sorted(post.questions.values_list("pk", flat=True))
        orders.add(repr(attempt.order))
        attempt.delete()
    assert len(orders) > 1


def test_it_limits_attempts(world: World, course: Any) -> None:
    enrollment = _enrol(world, course)
    pre = quiz_of(course, PRE)  # one attempt allowed
    attempt_submit(attempt=attempt_start(enrollment=enrollment, quiz=pre), answers=wrong_answers(pre))
    with pytest.raises(ValidationError, match="habis"):
        attempt_start(enrollment=enrollment, quiz=pre)
    response = world.client_for(world.manager).post(reverse("elis:quiz", args=[SLUG, pre.pk]), follow=True)
    assert "sudah habis" in response.content.decode()
    assert Attempt.objects.filter(quiz=pre).count() == 1


def test_it_counts_a_test_submitted_twice_once(world: World, course: Any) -> None:
    enrollment = _enrol(world, course)
    pre = quiz_of(course, PRE)
    attempt = attempt_start(enrollment=enrollment, quiz=pre)
    client = world.client_for(world.manager)
    url = reverse("elis:attempt", args=[attempt.pk])
    client.post(url, _post_form(wrong_answers(pre)))
    response = client.post(url, _post_form(right_answers(pre)), follow=True)
    assert "sudah dikumpulkan" in response.content.decode()
    attempt.refresh_from_db()
    enrollment.refresh_from_db()
    assert attempt.score == 0 and enrollment.pre_score == 0
    with pytest.raises(AlreadySubmitted):
        attempt_submit(attempt=attempt, answers=right_answers(pre))


def test_it_refuses_an_incomplete_answer_sheet_and_changes_nothing(world: World, course: Any) -> None:
    enrollment = _enrol(world, course)
    pre = quiz_of(course, PRE)
    attempt = attempt_start(enrollment=enrollment, quiz=pre)
    answers = right_answers(pre)
    answers.popitem()
    response = world.client_for(world.manager).post(
        reverse("elis:attempt", args=[attempt.pk]), _post_form(answers), follow=True
    )
    assert "Jawab semua pertanyaan" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_it_answers_404_for_another_learners_attempt(world: World, course: Any) -> None:
    enrollment = _enrol(world, course)
    pre = quiz_of(course, PRE)
    attempt = attempt_start(enrollment=enrollment, quiz=pre)
    other = world.client_for(world.facilitator_3524)
    url = reverse("elis:attempt", args=[attempt.pk])
    assert other.get(url).status_code == 404
    assert other.post(url, _post_form(right_answers(pre))).status_code == 404
    assert world.client_for(world.national).get(url).status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_it_keeps_the_post_test_closed_until_every_lesson_is_read(world: World, course: Any) -> None:
    enrollment = _enrol(world, course)
    with pytest.raises(ValidationError, match="semua pelajaran"):
        attempt_start(enrollment=enrollment, quiz=quiz_of(course, POST))


def test_it_issues_a_certificate_only_after_all_lessons_and_a_passed_post_test(world: World, course: Any) -> None:
    enrollment = _enrol(world, course)
    post = quiz_of(course, POST)
    lessons = list(Lesson.objects.filter(module__course=course))
    for lesson in lessons[:-1]:
        lesson_complete(enrollment=enrollment, lesson=lesson)
    assert certificate_issue_if_earned(enrollment=enrollment) is None
    lesson_complete(enrollment=enrollment, lesson=lessons[-1])
    attempt_submit(attempt=attempt_start(enrollment=enrollment, quiz=post), answers=wrong_answers(post))
    assert not Certificate.objects.exists()
    attempt_submit(attempt=attempt_start(enrollment=enrollment, quiz=post), answers=right_answers(post))
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.learner_name == world.manager.get_full_name() and certificate.hours == 24
    enrollment.refresh_from_db()
    assert enrollment.finished_at is not None and enrollment.post_score == 100
    response = world.client_for(world.manager).get(reverse("elis:certificate", args=[SLUG]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # Somebody else has no certificate of this course: nothing to download.
    assert world.client_for(world.facilitator_3524).get(reverse("elis:certificate", args=[SLUG])).status_code == 404


def test_the_public_page_verifies_a_certificate_and_not_a_forged_code(world: World, course: Any, client: Any) -> None:
    enrollment = _enrol(world, course)
    _finish_lessons(enrollment)
    post = quiz_of(course, POST)
    attempt_submit(attempt=attempt_start(enrollment=enrollment, quiz=post), answers=right_answers(post))
    code = Certificate.objects.get().code
    response = client.get(reverse("elis:verify", args=[code.lower()]))
    html = response.content.decode()
    assert response.status_code == 200 and "Sertifikat asli" in html
    assert world.manager.get_full_name() in html and "Kursus uji TPBIS" in html
    assert world.manager.email not in html and world.lamongan_village.name not in html
    forged = client.get(reverse("elis:verify", args=["ABCDEFGHJK"]))
    assert forged.status_code == 404 and "tidak ditemukan" in forged.content.decode()


def test_it_resumes_where_the_learner_left_off(world: World, course: Any) -> None:
    enrollment = _enrol(world, course)
    lessons = list(Lesson.objects.filter(module__course=course).order_by("module__position", "position"))
    client = world.client_for(world.manager)
    response = client.post(reverse("elis:lesson", args=[SLUG, lessons[0].pk]))
    assert response["Location"] == reverse("elis:lesson", args=[SLUG, lessons[1].pk])
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 1
    client.get(reverse("elis:lesson", args=[SLUG, lessons[1].pk]))
    html = client.get(reverse("elis:course", args=[SLUG])).content.decode()
    assert f'href="{reverse("elis:lesson", args=[SLUG, lessons[1].pk])}">Lanjutkan' in html
    # Marking a lesson twice counts once.
    client.post(reverse("elis:lesson", args=[SLUG, lessons[0].pk]))
    enrollment.refresh_from_db()
    assert enrollment.lessons_done == 1


def test_a_question_with_special_characters_is_shown_escaped_once(world: World) -> None:
    from tpbis.elis.tests.helpers import question

    special = question("Dana & NonDana < Regulasi", [0])
    course_make(pretest={"pass_score": 0, "attempts": 1, "questions": [special]})
    enrollment = _enrol(world, Course.objects.get(slug=SLUG))
    attempt = attempt_start(enrollment=enrollment, quiz=quiz_of(enrollment.course, PRE))
    html = world.client_for(world.manager).get(reverse("elis:attempt", args=[attempt.pk])).content.decode()
    assert "Dana &amp; NonDana &lt; Regulasi" in html and "&amp;amp;" not in html


def test_a_module_quiz_is_taken_like_any_test_and_does_not_gate_the_certificate(world: World, course: Any) -> None:
    from tpbis.elis.models import QuizKind

    enrollment = _enrol(world, course)
    module_quiz = quiz_of(course, QuizKind.MODULE)
    attempt = attempt_submit(
        attempt=attempt_start(enrollment=enrollment, quiz=module_quiz), answers=right_answers(module_quiz)
    )
    assert attempt.passed
    with pytest.raises(ValidationError, match="sudah lulus"):
        attempt_start(enrollment=enrollment, quiz=module_quiz)
