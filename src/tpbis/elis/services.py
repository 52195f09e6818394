"""A learner's path through a course: enrolling, lessons done, tests taken, the certificate earned.

Progress is a person's own, not shared data, so these writes are not audited; each is conditional on the
state it read (a row lock on the enrollment or the attempt) so a double click or a resent form counts once.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change
from tpbis.elis.models import (
    Attempt,
    Certificate,
    Choice,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Quiz,
    QuizKind,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on paper
CODE_LENGTH = 10


class AlreadySubmitted(ValidationError):
    """The attempt was submitted before: the second submission changes nothing."""


def enrollment_start(*, user: User, course: Course, library_id: int | None) -> Enrollment:
    """The learner's enrollment on this course; an earlier one on another version of it is kept instead."""
    existing = Enrollment.objects.filter(user=user, course__slug=course.slug).select_related("course").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Enrollment.objects.create(user=user, course=course, library_id=library_id)
    except IntegrityError:  # the same person enrolling twice at once
        return Enrollment.objects.get(user=user, course=course)


def lesson_open(*, enrollment: Enrollment, lesson: Lesson) -> None:
    """Remember where the learner is, so the course page resumes here."""
    if enrollment.last_lesson_id != lesson.pk:
        Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson)
        enrollment.last_lesson = lesson


def lesson_complete(*, enrollment: Enrollment, lesson: Lesson) -> bool:
    """Mark a lesson read; False when it already was (nothing changes)."""
    if lesson.module.course_id != enrollment.course_id:
        raise ValidationError(gettext("Pelajaran ini bukan bagian dari kursus Anda."))
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        _progress, created = LessonProgress.objects.get_or_create(enrollment=locked, lesson=lesson)
        if created:
            locked.lessons_done = LessonProgress.objects.filter(enrollment=locked).count()
            locked.last_lesson = lesson
            locked.save(update_fields=["lessons_done", "last_lesson"])
            certificate_issue_if_earned(enrollment=locked)
    enrollment.refresh_from_db()
    return created


def lessons_total(course: Course) -> int:
    return Lesson.objects.filter(module__course=course).count()


def attempts_used(*, enrollment: Enrollment, quiz: Quiz) -> int:
    return Attempt.objects.filter(enrollment=enrollment, quiz=quiz).count()


def quiz_passed(*, enrollment: Enrollment, quiz: Quiz) -> bool:
    return Attempt.objects.filter(enrollment=enrollment, quiz=quiz, passed=True).exists()


def quiz_blocker(*, enrollment: Enrollment, quiz: Quiz) -> str:
    """Why the learner may not start this test now ("" when they may)."""
    if quiz.course_id != enrollment.course_id:
        return gettext("Tes ini bukan bagian dari kursus Anda.")
    if not quiz.questions.exists():
        return gettext("Tes ini belum punya soal.")
    if quiz_passed(enrollment=enrollment, quiz=quiz) and quiz.kind != QuizKind.PRE:
        return gettext("Anda sudah lulus tes ini.")
    if attempts_used(enrollment=enrollment, quiz=quiz) >= quiz.attempts:
        return gettext("Kesempatan mengerjakan tes ini sudah habis.")
    if quiz.kind == QuizKind.POST and enrollment.lessons_done < lessons_total(enrollment.course):
        return gettext("Selesaikan semua pelajaran sebelum mengerjakan post-test.")
    return ""


def attempt_start(*, enrollment: Enrollment, quiz: Quiz) -> Attempt:
    """An open attempt is resumed; otherwise a new one, if attempts remain, with its own shuffled order."""
    with transaction.atomic():
        Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        open_attempt = Attempt.objects.filter(enrollment=enrollment, quiz=quiz, submitted_at__isnull=True).first()
        if open_attempt is not None:
            return open_attempt
        blocker = quiz_blocker(enrollment=enrollment, quiz=quiz)
        if blocker:
            raise ValidationError(blocker)
        return Attempt.objects.create(
            enrollment=enrollment,
            quiz=quiz,
            number=attempts_used(enrollment=enrollment, quiz=quiz) + 1,
            order=_shuffled_order(quiz),
        )


def _shuffled_order(quiz: Quiz) -> list[list[object]]:
    shuffle = random.SystemRandom().shuffle
    choices: dict[int, list[int]] = {}
    for question_id, choice_id in Choice.objects.filter(question__quiz=quiz).values_list("question_id", "pk"):
        choices.setdefault(question_id, []).append(choice_id)
    order: list[list[object]] = []
    for question_id in quiz.questions.values_list("pk", flat=True):
        ids = choices.get(question_id, [])
        shuffle(ids)
        order.append([question_id, ids])
    shuffle(order)
    return order


def attempt_submit(*, attempt: Attempt, answers: Mapping[int, Sequence[int]]) -> Attempt:
    """Score the answers on the server. Every question must be answered; a second submission is refused."""
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        if locked.submitted_at is not None:
            raise AlreadySubmitted(gettext("Tes ini sudah dikumpulkan; jawaban kedua tidak dihitung."))
        chosen = _checked_answers(locked, answers)
        correct = _correct_sets(locked)
        right = sum(1 for qid, picked in chosen.items() if set(picked) == correct.get(qid, set()))
        score = round(100 * right / len(chosen)) if chosen else 0
        passed = score >= locked.quiz.pass_score
        updated = Attempt.objects.filter(pk=locked.pk, submitted_at__isnull=True).update(
            answers={str(k): v for k, v in chosen.items()}, submitted_at=timezone.now(), score=score, passed=passed
        )
        if not updated:
            raise AlreadySubmitted(gettext("Tes ini sudah dikumpulkan; jawaban kedua tidak dihitung."))
        locked.refresh_from_db()
        _record_score(locked)
    return locked


def _checked_answers(attempt: Attempt, answers: Mapping[int, Sequence[int]]) -> dict[int, list[int]]:
    multiple = dict(attempt.quiz.questions.values_list("pk", "multiple"))
    chosen: dict[int, list[int]] = {}
    for question_id, choice_ids in attempt.order:
        picked = [c for c in answers.get(int(question_id), []) if c in choice_ids]
        if not picked:
            raise ValidationError(gettext("Jawab semua pertanyaan sebelum mengumpulkan."))
        if not multiple.get(question_id) and len(picked) > 1:
            raise ValidationError(gettext("Pilih satu jawaban saja untuk soal pilihan tunggal."))
        chosen[int(question_id)] = sorted(set(picked))
    return chosen


def _correct_sets(attempt: Attempt) -> dict[int, set[int]]:
    correct: dict[int, set[int]] = {}
    rows = Choice.objects.filter(question__quiz=attempt.quiz, correct=True).values_list("question_id", "pk")
    for question_id, choice_id in rows:
        correct.setdefault(question_id, set()).add(choice_id)
    return correct


def _record_score(attempt: Attempt) -> None:
    enrollment = Enrollment.objects.select_for_update().get(pk=attempt.enrollment_id)
    kind = attempt.quiz.kind
    if kind == QuizKind.PRE and enrollment.pre_score is None:
        enrollment.pre_score = attempt.score
        enrollment.save(update_fields=["pre_score"])
    elif kind == QuizKind.POST:
        best = Attempt.objects.filter(enrollment=enrollment, quiz=attempt.quiz, submitted_at__isnull=False).aggregate(
            best=Max("score")
        )["best"]
        enrollment.post_score = best
        enrollment.save(update_fields=["post_score"])
        if attempt.passed:
            certificate_issue_if_earned(enrollment=enrollment)


def certificate_issue_if_earned(*, enrollment: Enrollment) -> Certificate | None:
    """Issued once every lesson is done and the post-test is passed; None while either is missing."""
    existing = Certificate.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return existing
    course = enrollment.course
    post = Quiz.objects.filter(course=course, kind=QuizKind.POST).first()
    if post is None or not quiz_passed(enrollment=enrollment, quiz=post):
        return None
    done = LessonProgress.objects.filter(enrollment=enrollment).count()
    if done < lessons_total(course):
        return None
    now = timezone.now()
    user = enrollment.user
    with transaction.atomic():
        certificate = Certificate.objects.create(
            enrollment=enrollment,
            code=_new_code(),
            learner_name=user.get_full_name(),
            course_title=course.title,
            hours=course.hours,
            issued_at=now,
        )
        Enrollment.objects.filter(pk=enrollment.pk, finished_at__isnull=True).update(finished_at=now)
        audit_change(
            actor=user,
            action=AuditAction.CREATE,
            target=certificate,
            comment=gettext("Sertifikat Elis %(code)s diterbitkan") % {"code": certificate.code},
            library_id=enrollment.library_id,
        )
    enrollment.finished_at = now
    return certificate


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Certificate.objects.filter(code=code).exists():
            return code
