"""Learner pages: courses, lessons, tests and certificates; and the public certificate check."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.core.links import absolute_url
from tpbis.elis.certificate import certificate_pdf
from tpbis.elis.content import render_markdown
from tpbis.elis.models import Asset, Certificate, CourseStatus, Enrollment, Lesson, Quiz
from tpbis.elis.selectors import (
    attempt_of,
    attempts_for,
    certificate_verify,
    course_assets,
    course_for_learner,
    course_images,
    course_outline,
    courses_published,
    enrollments_of,
    lesson_in_course,
    quiz_in_course,
)
from tpbis.elis.services import (
    AlreadySubmitted,
    attempt_start,
    attempt_submit,
    enrollment_start,
    lesson_complete,
    lesson_open,
    quiz_blocker,
)

ASSET_CACHE_CONTROL = "private, max-age=86400"  # an asset never changes once stored: new files get new names


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _own_library(request: HttpRequest) -> int | None:
    """The library a manager learns for: their only library (none for several or for officers)."""
    scope = _scope(request)
    return next(iter(scope.libraries)) if len(scope.libraries) == 1 else None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    enrollments = list(enrollments_of(user))
    enrolled_slugs = {e.course.slug for e in enrollments}
    courses = [c for c in courses_published() if c.slug not in enrolled_slugs]
    return render(
        request,
        "elis/home.html",
        {
            "enrollments": enrollments,
            "courses": courses,
            "can_review": Scope.at_least(_scope(request).highest_role, Role.FACILITATOR),
            "can_author": _scope(request).national,
        },
    )


@login_required
def course(request: HttpRequest, slug: str) -> HttpResponse:
    user = _user(request)
    current, enrollment = course_for_learner(user=user, slug=slug)
    if request.method == "POST":
        enrollment = enrollment_start(user=user, course=current, library_id=_own_library(request))
        outline = course_outline(course=enrollment.course, enrollment=enrollment)
        if outline.pre is not None and not attempts_for(enrollment=enrollment, quiz=outline.pre).exists():
            return redirect("elis:quiz", slug=slug, pk=outline.pre.pk)
        return redirect("elis:course", slug=slug)
    outline = course_outline(course=current, enrollment=enrollment)
    certificate = Certificate.objects.filter(enrollment=enrollment).first() if enrollment else None
    return render(
        request,
        "elis/course.html",
        {"outline": outline, "course": current, "enrollment": enrollment, "certificate": certificate},
    )


def _lesson_context(lesson: Lesson, outline_lessons: list[Lesson]) -> dict[str, object]:
    course = lesson.module.course
    assets = course_assets(course)
    position = next((i for i, other in enumerate(outline_lessons) if other.pk == lesson.pk), 0)
    return {
        "lesson": lesson,
        "course": course,
        "body": render_markdown(lesson.body_md, images=course_images(course)),
        # An image the text already shows (![...](name.png)) is not shown twice.
        "images": [assets[n] for n in lesson.images if n in assets and f"({n})" not in lesson.body_md],
        "pdfs": [assets[name] for name in lesson.pdfs if name in assets],
        "previous": outline_lessons[position - 1] if position > 0 else None,
        "next": outline_lessons[position + 1] if position + 1 < len(outline_lessons) else None,
        "position": position + 1,
        "count": len(outline_lessons),
    }


@login_required
def lesson(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = _user(request)
    current, enrollment = course_for_learner(user=user, slug=slug)
    if (
        not Lesson.objects.filter(pk=pk, module__course=current).exists()
        and Lesson.objects.filter(pk=pk, module__course__slug=slug).exists()
    ):
        # A link to another version's lesson (a KPI explanation links the newest): the learner's own outline.
        return redirect("elis:course", slug=slug)
    item = lesson_in_course(course=current, pk=pk)
    if request.method == "POST":
        if enrollment is None:
            messages.error(request, gettext("Mulai kursus ini dulu agar kemajuan Anda tersimpan."))
            return redirect("elis:course", slug=slug)
        lesson_complete(enrollment=enrollment, lesson=item)
        outline = course_outline(course=current, enrollment=enrollment)
        following = outline.resume
        if following is not None:
            return redirect("elis:lesson", slug=slug, pk=following.pk)
        messages.success(request, gettext("Semua pelajaran selesai. Silakan kerjakan post-test."))
        return redirect("elis:course", slug=slug)
    outline = course_outline(course=current, enrollment=enrollment)
    if enrollment is not None:
        lesson_open(enrollment=enrollment, lesson=item)
    done = any(row.lesson.pk == item.pk and row.done for m in outline.modules for row in m.lessons)
    context = _lesson_context(item, outline.lessons)
    context.update({"enrollment": enrollment, "done": done, "preview": False})
    return render(request, "elis/lesson.html", context)


@login_required
def quiz(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = _user(request)
    current, enrollment = course_for_learner(user=user, slug=slug)
    test = quiz_in_course(course=current, pk=pk)
    if enrollment is None:
        messages.error(request, gettext("Mulai kursus ini dulu untuk mengerjakan tesnya."))
        return redirect("elis:course", slug=slug)
    if request.method == "POST":
        try:
            attempt = attempt_start(enrollment=enrollment, quiz=test)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("elis:quiz", slug=slug, pk=pk)
        return redirect("elis:attempt", pk=attempt.pk)
    attempts = list(attempts_for(enrollment=enrollment, quiz=test))
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    return render(
        request,
        "elis/quiz.html",
        {
            "course": current,
            "quiz": test,
            "attempts": attempts,
            "open_attempt": open_attempt,
            "blocker": "" if open_attempt else quiz_blocker(enrollment=enrollment, quiz=test),
            "remaining": max(0, test.attempts - len(attempts)),
            "question_count": test.questions.count(),
        },
    )


def _answers_from(request: HttpRequest) -> dict[int, list[int]]:
    answers: dict[int, list[int]] = {}
    for key in request.POST:
        if key.startswith("q") and key[1:].isdigit():
            values = [v for v in request.POST.getlist(key) if v.isdigit()]
            answers[int(key[1:])] = [int(v) for v in values]
    return answers


def _questions_for(attempt_order: list[Any], quiz: Quiz, reveal: bool) -> list[dict[str, object]]:
    """The attempt's questions in its own order; whether a choice is right is only read when `reveal`."""
    questions = {q.pk: q for q in quiz.questions.prefetch_related("choices")}
    rows = []
    for question_id, choice_ids in attempt_order:
        question = questions.get(int(question_id))
        if question is None:
            continue
        by_id = {c.pk: c for c in question.choices.all()}
        choices = [by_id[int(cid)] for cid in choice_ids if int(cid) in by_id]
        rows.append(
            {
                "question": question,
                "text": question.text,
                "choices": [{"id": c.pk, "text": c.text, "right": c.correct if reveal else None} for c in choices],
            }
        )
    return rows


@login_required
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = attempt_of(user=_user(request), pk=pk)
    course_slug = sitting.quiz.course.slug
    if request.method == "POST":
        try:
            sitting = attempt_submit(attempt=sitting, answers=_answers_from(request))
        except AlreadySubmitted as error:
            messages.warning(request, " ".join(error.messages))
            return redirect("elis:attempt", pk=pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("elis:attempt", pk=pk)
        return redirect("elis:attempt", pk=pk)
    submitted = sitting.submitted_at is not None
    rows = _questions_for(sitting.order, sitting.quiz, reveal=submitted)
    if submitted:
        for row in rows:
            picked = set(sitting.answers.get(str(row["question"].pk), []))  # type: ignore[attr-defined]
            for choice in row["choices"]:  # type: ignore[attr-defined]
                choice["picked"] = choice["id"] in picked
    certificate = Certificate.objects.filter(enrollment=sitting.enrollment).first() if submitted else None
    return render(
        request,
        "elis/attempt.html",
        {"attempt": sitting, "rows": rows, "submitted": submitted, "slug": course_slug, "certificate": certificate},
    )


def _verify_url(request: HttpRequest, code: str) -> str:
    return absolute_url(reverse("elis:verify", args=[code]))


@login_required
def certificate_download(request: HttpRequest, slug: str) -> HttpResponse:
    enrollment = Enrollment.objects.filter(user=_user(request), course__slug=slug).first()
    certificate = Certificate.objects.filter(enrollment=enrollment).first() if enrollment else None
    if certificate is None:
        raise Http404
    pdf = certificate_pdf(certificate=certificate, verify_url=_verify_url(request, certificate.code))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sertifikat-elis-{certificate.code}.pdf"'
    return response


@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: is this code one we issued? Only the name and the course are told, nothing else personal."""
    certificate = certificate_verify(code) if len(code) <= 32 else None
    return render(
        request,
        "elis/verify.html",
        {"certificate": certificate, "code": code[:32]},
        status=200 if certificate else 404,
    )


@login_required
@require_safe
def asset(request: HttpRequest, pk: int) -> FileResponse:
    item = Asset.objects.select_related("course").filter(pk=pk).first()
    if item is None or (item.course.status == CourseStatus.DRAFT and not _scope(request).national):
        raise Http404
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=item.kind == "pdf",
        filename=item.name,
    )
    response["Cache-Control"] = ASSET_CACHE_CONTROL
    return response
