"""Reads for Elis: courses a learner sees, their progress, region figures for facilitators, verification."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext

from tpbis.accounts.models import Membership, Role, User
from tpbis.accounts.scope import Scope
from tpbis.elis.content import ImageRef
from tpbis.elis.models import (
    Asset,
    AssetKind,
    Attempt,
    Certificate,
    Course,
    CourseStatus,
    Enrollment,
    Lesson,
    LessonProgress,
    Module,
    Quiz,
    QuizKind,
)


def courses_published() -> QuerySet[Course]:
    return Course.objects.filter(status=CourseStatus.PUBLISHED).order_by("-is_core", "title")


def course_for_learner(*, user: User, slug: str) -> tuple[Course, Enrollment | None]:
    """The version the learner is on (their enrollment's), else the published one; 404 when neither."""
    enrollment = Enrollment.objects.filter(user=user, course__slug=slug).select_related("course", "last_lesson").first()
    if enrollment is not None:
        return enrollment.course, enrollment
    course = Course.objects.filter(slug=slug, status=CourseStatus.PUBLISHED).first()
    if course is None:
        raise Http404
    return course, None


def enrollments_of(user: User) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(user=user).select_related("course", "certificate").order_by("-started_at")


@dataclass
class LessonRow:
    lesson: Lesson
    done: bool


@dataclass
class ModuleRow:
    module: Module
    lessons: list[LessonRow]
    quiz: Quiz | None


@dataclass
class Outline:
    course: Course
    modules: list[ModuleRow]
    pre: Quiz | None
    post: Quiz | None
    total: int
    done: int
    resume: Lesson | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def lessons(self) -> list[Lesson]:
        return [row.lesson for m in self.modules for row in m.lessons]


def course_outline(*, course: Course, enrollment: Enrollment | None) -> Outline:
    """Modules and lessons in order with what the learner finished, and the lesson to resume at."""
    done_ids = (
        set(LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_id", flat=True))
        if enrollment
        else set()
    )
    lessons_by_module: dict[int, list[LessonRow]] = {}
    for lesson in Lesson.objects.filter(module__course=course).order_by("module__position", "position", "pk"):
        lessons_by_module.setdefault(lesson.module_id, []).append(LessonRow(lesson, lesson.pk in done_ids))
    quizzes = list(Quiz.objects.filter(course=course))
    by_module = {q.module_id: q for q in quizzes if q.kind == QuizKind.MODULE}
    modules = [
        ModuleRow(m, lessons_by_module.get(m.pk, []), by_module.get(m.pk)) for m in course.modules.order_by("position")
    ]
    rows = [row for m in modules for row in m.lessons]
    resume = None
    last = enrollment.last_lesson_id if enrollment else None
    if last is not None and any(r.lesson.pk == last and not r.done for r in rows):
        resume = next(r.lesson for r in rows if r.lesson.pk == last)
    else:
        resume = next((r.lesson for r in rows if not r.done), None)
    return Outline(
        course=course,
        modules=modules,
        pre=next((q for q in quizzes if q.kind == QuizKind.PRE), None),
        post=next((q for q in quizzes if q.kind == QuizKind.POST), None),
        total=len(rows),
        done=len([r for r in rows if r.done]),
        resume=resume,
    )


def lesson_in_course(*, course: Course, pk: int) -> Lesson:
    lesson = Lesson.objects.filter(pk=pk, module__course=course).select_related("module").first()
    if lesson is None:
        raise Http404
    return lesson


def quiz_in_course(*, course: Course, pk: int) -> Quiz:
    quiz = Quiz.objects.filter(pk=pk, course=course).select_related("module").first()
    if quiz is None:
        raise Http404
    return quiz


def attempt_of(*, user: User, pk: int) -> Attempt:
    """The learner's own attempt; anyone else's is a 404, whoever asks."""
    attempt = (
        Attempt.objects.filter(pk=pk, enrollment__user=user)
        .select_related("quiz", "quiz__course", "enrollment", "enrollment__course")
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


def attempts_for(*, enrollment: Enrollment, quiz: Quiz) -> QuerySet[Attempt]:
    return Attempt.objects.filter(enrollment=enrollment, quiz=quiz).order_by("number")


def course_images(course: Course) -> dict[str, ImageRef]:
    return {
        a.name: ImageRef(reverse("elis:asset", args=[a.pk]), a.width, a.height)
        for a in Asset.objects.filter(course=course, kind=AssetKind.IMAGE)
    }


def course_assets(course: Course) -> dict[str, Asset]:
    return {a.name: a for a in Asset.objects.filter(course=course)}


def certificate_verify(code: str) -> Certificate | None:
    return Certificate.objects.filter(code=code.strip().upper()).first()


# ----------------------------------------------------------------------------------- region figures


def region_filter_q(region: str | None) -> Q:
    """Enrollments of libraries in a region (province "35", kabupaten "35.24" or below)."""
    if not region:
        return Q()
    if len(region) == 2:
        return Q(library__province_id=region)
    if len(region) == 5:
        return Q(library__regency_id=region)
    return Q(library__region_id=region) | Q(library__region__code__startswith=region + ".")


def learners_for_user(*, scope: Scope, slug: str | None, region: str | None) -> QuerySet[Enrollment]:
    """Enrollments of the libraries in the user's scope (a learner without a library is nobody's)."""
    qs = Enrollment.objects.filter(library__isnull=False).filter(scope.library_filter("library__"))
    if slug:
        qs = qs.filter(course__slug=slug)
    return qs.filter(region_filter_q(region))


def learner_rows(qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    return qs.select_related("user", "course", "library", "library__regency", "certificate").order_by(
        "library__regency_id", "library__name", "user__full_name"
    )


FIGURES = {
    "enrolled": Count("pk"),
    "in_progress": Count("pk", filter=Q(finished_at__isnull=True)),
    "finished": Count("pk", filter=Q(finished_at__isnull=False)),
    "pre_avg": Avg("pre_score"),
    "post_avg": Avg("post_score"),
}


def figures_by_library(qs: QuerySet[Enrollment]) -> list[dict[str, Any]]:
    return list(
        qs.values("library_id", "library__name", "library__regency__name")
        .annotate(**FIGURES)
        .order_by("library__regency__name", "library__name")
    )


def figures_by_regency(qs: QuerySet[Enrollment]) -> list[dict[str, Any]]:
    return list(
        qs.values("library__regency_id", "library__regency__name")
        .annotate(**FIGURES)
        .order_by("library__regency__name")
    )


def figures_total(qs: QuerySet[Enrollment]) -> dict[str, Any]:
    return qs.aggregate(**FIGURES)


# ------------------------------------------------------------------------ for rapor, gathering and KPI


@dataclass(frozen=True)
class CoreFinished:
    finished: int  # people who finished a core course while managing one of these libraries
    managers: int  # people who manage one of these libraries today


def core_finished(*, region: str | None = None, library_id: int | None = None) -> CoreFinished:
    """How many managers of a region's (or one library's) libraries finished a core course."""
    enrolled = Enrollment.objects.filter(course__is_core=True, finished_at__isnull=False, library__isnull=False)
    members = Membership.objects.filter(role=Role.MANAGER, library__isnull=False)
    if library_id is not None:
        enrolled, members = enrolled.filter(library_id=library_id), members.filter(library_id=library_id)
    else:
        enrolled, members = enrolled.filter(region_filter_q(region)), members.filter(region_filter_q(region))
    return CoreFinished(
        finished=enrolled.values("user_id").distinct().count(),
        managers=members.values("user_id").distinct().count(),
    )


@dataclass(frozen=True)
class LearnLink:
    label: str
    title: str
    url: str


def learn_links(parts: list[dict[str, Any]]) -> list[LearnLink]:
    """For each KPI component a library has not fully met, the first lesson of the module that teaches it."""
    missing = [p for p in parts if float(p.get("points", 0)) < float(p.get("weight", 0))]
    if not missing:
        return []
    modules = Module.objects.filter(course__status=CourseStatus.PUBLISHED).order_by(
        "-course__is_core", "course__pk", "position"
    )
    teaching: dict[str, Module] = {}
    for module in modules.select_related("course"):
        for code in module.kpi_components or []:
            teaching.setdefault(code, module)
    firsts = {
        lesson.module_id: lesson
        for lesson in Lesson.objects.filter(module__in=[m.pk for m in teaching.values()]).order_by("-position", "-pk")
    }
    links: list[LearnLink] = []
    seen: set[int] = set()
    for part in missing:
        teacher = teaching.get(str(part.get("record_type")))
        lesson = firsts.get(teacher.pk) if teacher else None
        if teacher is None or lesson is None or lesson.pk in seen:
            continue
        seen.add(lesson.pk)
        url = reverse("elis:lesson", args=[teacher.course.slug, lesson.pk])
        links.append(LearnLink(label=str(part.get("label", "")), title=lesson.title, url=url))
    return links


def core_finished_sentence(*, region: str | None = None, library_id: int | None = None) -> str:
    """The same line as the HTML rapor and gathering report show, for their PDFs."""
    counts = core_finished(region=region, library_id=library_id)
    return gettext("Elis: %(n)s dari %(m)s pengelola menamatkan kursus inti.") % {
        "n": counts.finished,
        "m": counts.managers,
    }
