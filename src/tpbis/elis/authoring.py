"""The national team writes courses: drafts are edited freely; a published version is frozen, and a change
to it is made in a new draft version that, once published, new learners get (enrolled learners keep theirs)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change
from tpbis.elis.assets import PreparedAsset
from tpbis.elis.content import has_forbidden_markup
from tpbis.elis.models import Asset, Choice, Course, CourseStatus, Lesson, Module, Question, Quiz, QuizKind
from tpbis.elis.transfer import asset_store, course_build, course_spec, next_version


def _check_draft(course: Course) -> None:
    if course.status != CourseStatus.DRAFT:
        raise ValidationError(gettext("Versi yang sudah terbit tidak diubah; buat versi baru untuk mengubahnya."))


def _check_text(**texts: str) -> None:
    bad = [name for name, text in texts.items() if has_forbidden_markup(text)]
    if bad:
        raise ValidationError({name: gettext("Teks memuat skrip atau HTML yang tidak diizinkan.") for name in bad})


def _audit(user: User, action: str, course: Course, comment: str) -> None:
    audit_change(actor=user, action=action, target=course, comment=comment)


def course_create(*, user: User, slug: str, title: str, summary: str, hours: int, is_core: bool) -> Course:
    _check_text(title=title, summary=summary)
    if Course.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": gettext("Kode kursus ini sudah dipakai.")})
    with transaction.atomic():
        course = Course.objects.create(
            slug=slug, title=title, summary=summary, hours=hours, is_core=is_core, created_by=user
        )
        Quiz.objects.create(course=course, kind=QuizKind.PRE, pass_score=0, attempts=1)
        Quiz.objects.create(course=course, kind=QuizKind.POST, pass_score=70, attempts=3)
        _audit(user, AuditAction.CREATE, course, gettext("Kursus Elis dibuat"))
    return course


def course_update(*, user: User, course: Course, data: dict[str, Any]) -> Course:
    _check_draft(course)
    _check_text(title=data["title"], summary=data["summary"])
    with transaction.atomic():
        for key in ("title", "summary", "hours", "is_core"):
            setattr(course, key, data[key])
        course.save()
        _audit(user, AuditAction.UPDATE, course, gettext("Kursus Elis diubah"))
    return course


def module_save(*, user: User, course: Course, module: Module | None, data: dict[str, Any]) -> Module:
    _check_draft(course)
    _check_text(title=data["title"], summary=data["summary"])
    with transaction.atomic():
        if module is None:
            position = course.modules.count()
            module = Module(course=course, position=position)
        module.title = data["title"]
        module.summary = data["summary"]
        module.kpi_components = list(data["kpi_components"])
        module.save()
        if data.get("has_quiz") and not Quiz.objects.filter(module=module).exists():
            Quiz.objects.create(course=course, module=module, kind=QuizKind.MODULE)
        _audit(user, AuditAction.UPDATE, course, gettext("Modul disimpan: %(title)s") % {"title": module.title})
    return module


def lesson_save(*, user: User, module: Module, lesson: Lesson | None, data: dict[str, Any]) -> Lesson:
    course = module.course
    _check_draft(course)
    _check_text(title=data["title"], body_md=data["body_md"])
    with transaction.atomic():
        if lesson is None:
            lesson = Lesson(module=module, position=module.lessons.count())
        for key in ("title", "body_md", "video_url", "minutes"):
            setattr(lesson, key, data[key])
        lesson.images = [a.name for a in data.get("images", [])]
        lesson.pdfs = [a.name for a in data.get("pdfs", [])]
        lesson.full_clean()
        lesson.save()
        _audit(user, AuditAction.UPDATE, course, gettext("Pelajaran disimpan: %(title)s") % {"title": lesson.title})
    return lesson


def quiz_update(*, user: User, quiz: Quiz, pass_score: int, attempts: int) -> Quiz:
    _check_draft(quiz.course)
    with transaction.atomic():
        quiz.pass_score = pass_score
        quiz.attempts = attempts
        quiz.save(update_fields=["pass_score", "attempts"])
        _audit(user, AuditAction.UPDATE, quiz.course, gettext("Pengaturan tes diubah"))
    return quiz


def question_save(
    *, user: User, quiz: Quiz, question: Question | None, data: dict[str, Any], choices: list[tuple[str, bool]]
) -> Question:
    """A question with its choices (empty choice texts are left out); the choices replace the old ones."""
    _check_draft(quiz.course)
    _check_text(
        text=data["text"], explanation=data["explanation"], **{f"choice_{i}": t for i, (t, _c) in enumerate(choices)}
    )
    filled = [(text.strip(), correct) for text, correct in choices if text.strip()]
    right = sum(1 for _t, correct in filled if correct)
    if len(filled) < 2:
        raise ValidationError(gettext("Tulis paling sedikit dua pilihan jawaban."))
    if right == 0 or (not data["multiple"] and right != 1):
        raise ValidationError(
            gettext("Soal pilihan tunggal butuh tepat satu jawaban benar; pilihan ganda paling sedikit satu.")
        )
    with transaction.atomic():
        if question is None:
            question = Question(quiz=quiz, position=quiz.questions.count())
        question.text = data["text"]
        question.multiple = data["multiple"]
        question.explanation = data["explanation"]
        question.save()
        question.choices.all().delete()
        Choice.objects.bulk_create(
            Choice(question=question, position=i, text=text, correct=correct)
            for i, (text, correct) in enumerate(filled)
        )
        _audit(user, AuditAction.UPDATE, quiz.course, gettext("Soal tes disimpan"))
    return question


def item_delete(*, user: User, item: Module | Lesson | Question) -> None:
    course = _course_of(item)
    _check_draft(course)
    with transaction.atomic():
        item.delete()
        _audit(user, AuditAction.DELETE, course, gettext("Bagian kursus dihapus: %(item)s") % {"item": str(item)})


def _course_of(item: Module | Lesson | Question) -> Course:
    if isinstance(item, Module):
        return item.course
    if isinstance(item, Lesson):
        return item.module.course
    return item.quiz.course


def _siblings(item: Module | Lesson | Question) -> models.QuerySet[Any]:
    if isinstance(item, Module):
        return Module.objects.filter(course_id=item.course_id)
    if isinstance(item, Lesson):
        return Lesson.objects.filter(module_id=item.module_id)
    return Question.objects.filter(quiz_id=item.quiz_id)


def item_move(*, user: User, item: Module | Lesson | Question, up: bool) -> None:
    """Move one place up or down among its siblings (positions renumbered 0..n-1)."""
    course = _course_of(item)
    _check_draft(course)
    with transaction.atomic():
        ordered = list(_siblings(item).select_for_update().order_by("position", "pk"))
        index = next(i for i, other in enumerate(ordered) if other.pk == item.pk)
        target = index - 1 if up else index + 1
        if 0 <= target < len(ordered):
            ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, other in enumerate(ordered):
            if other.position != position:
                type(other).objects.filter(pk=other.pk).update(position=position)
        _audit(user, AuditAction.UPDATE, course, gettext("Urutan diubah"))


def asset_add(*, user: User, course: Course, prepared: PreparedAsset) -> Asset:
    _check_draft(course)
    if Asset.objects.filter(course=course, name=prepared.name).exists():
        raise ValidationError(gettext("Sudah ada berkas bernama %(name)s.") % {"name": prepared.name})
    with transaction.atomic():
        asset = asset_store(course=course, prepared=prepared)
        _audit(user, AuditAction.UPDATE, course, gettext("Berkas ditambahkan: %(name)s") % {"name": asset.name})
    return asset


def course_publish(*, user: User, course: Course) -> Course:
    """The draft becomes the version new learners get; the version it replaces stays for its learners."""
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        _check_draft(locked)
        problems = course_problems(locked)
        if problems:
            raise ValidationError(problems)
        Course.objects.filter(slug=locked.slug, status=CourseStatus.PUBLISHED).update(status=CourseStatus.ARCHIVED)
        locked.status = CourseStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at"])
        _audit(
            user, AuditAction.ACTIVATE, locked, gettext("Kursus Elis diterbitkan, versi %(v)d") % {"v": locked.version}
        )
    return locked


def course_problems(course: Course) -> list[str]:
    """What keeps a draft from being published."""
    problems = []
    modules = list(course.modules.annotate(n=models.Count("lessons")))
    if not modules:
        problems.append(gettext("Kursus belum punya modul."))
    problems += [gettext("Modul %(title)s belum punya pelajaran.") % {"title": m.title} for m in modules if not m.n]
    for kind, label in ((QuizKind.PRE, gettext("Pre-test")), (QuizKind.POST, gettext("Post-test"))):
        if not Question.objects.filter(quiz__course=course, quiz__kind=kind).exists():
            problems.append(gettext("%(test)s belum punya soal.") % {"test": label})
    return problems


def course_new_version(*, user: User, course: Course) -> Course:
    """A draft copy of a version, with the same images and PDFs, numbered after the newest version."""
    data = course_spec(course)
    with transaction.atomic():
        Course.objects.select_for_update().filter(slug=course.slug).exists()
        copy = course_build(spec=data, version=next_version(course.slug), status=CourseStatus.DRAFT, user=user)
        Asset.objects.bulk_create(
            Asset(
                course=copy,
                name=a.name,
                kind=a.kind,
                file=a.file.name,
                content_type=a.content_type,
                width=a.width,
                height=a.height,
            )
            for a in course.assets.all()
        )
        _audit(user, AuditAction.CREATE, copy, gettext("Versi baru dibuat dari versi %(v)d") % {"v": course.version})
    return copy
