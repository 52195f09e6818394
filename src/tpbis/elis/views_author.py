"""Authoring pages for the national team: courses, modules, lessons, questions, versions, import/export."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from tpbis.accounts.models import User
from tpbis.elis import authoring
from tpbis.elis.assets import image_prepare, pdf_prepare
from tpbis.elis.forms import (
    AssetForm,
    CourseEditForm,
    CourseForm,
    ImportForm,
    LessonForm,
    ModuleForm,
    QuestionForm,
    QuizForm,
)
from tpbis.elis.models import Course, CourseStatus, Lesson, Module, Question, Quiz
from tpbis.elis.selectors import course_outline
from tpbis.elis.transfer import CourseFileError, course_export, course_import
from tpbis.elis.views import _lesson_context

MOVABLE: dict[str, type[Module] | type[Lesson] | type[Question]] = {
    "modul": Module,
    "pelajaran": Lesson,
    "soal": Question,
}


def _author(request: HttpRequest) -> User:
    if not request.scope.national:  # type: ignore[attr-defined]
        raise PermissionDenied
    assert isinstance(request.user, User)
    return request.user


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    _author(request)
    courses = Course.objects.order_by("slug", "-version")
    return render(request, "elis/author/list.html", {"courses": courses, "import_form": ImportForm()})


@login_required
def course_new(request: HttpRequest) -> HttpResponse:
    user = _author(request)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = authoring.course_create(user=user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("elis:author_course", pk=created.pk)
    return render(request, "elis/author/form.html", {"form": form, "title": gettext("Kursus baru")})


@login_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _author(request)
    item = get_object_or_404(Course, pk=pk)
    form = CourseEditForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.course_update(user=user, course=item, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, gettext("Kursus disimpan."))
            return redirect("elis:author_course", pk=pk)
    return render(
        request,
        "elis/author/course.html",
        {
            "course": item,
            "form": form,
            "outline": course_outline(course=item, enrollment=None),
            "asset_form": AssetForm(),
            "assets": item.assets.order_by("name"),
            "problems": authoring.course_problems(item) if item.status == CourseStatus.DRAFT else [],
            "draft": item.status == CourseStatus.DRAFT,
        },
    )


@login_required
def module_edit(request: HttpRequest, pk: int | None = None, course_pk: int | None = None) -> HttpResponse:
    user = _author(request)
    module = get_object_or_404(Module.objects.select_related("course"), pk=pk) if pk else None
    course = module.course if module else get_object_or_404(Course, pk=course_pk)
    initial = {"kpi_components": module.kpi_components, "has_quiz": hasattr(module, "quiz")} if module else {}
    form = ModuleForm(request.POST or None, instance=module, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.module_save(user=user, course=course, module=module, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("elis:author_course", pk=course.pk)
    return render(request, "elis/author/form.html", {"form": form, "title": gettext("Modul"), "course": course})


@login_required
def lesson_edit(request: HttpRequest, pk: int | None = None, module_pk: int | None = None) -> HttpResponse:
    user = _author(request)
    item = get_object_or_404(Lesson.objects.select_related("module__course"), pk=pk) if pk else None
    module = item.module if item else get_object_or_404(Module.objects.select_related("course"), pk=module_pk)
    form = LessonForm(request.POST or None, instance=item, course=module.course)
    if request.method == "POST" and form.is_valid():
        try:
            saved = authoring.lesson_save(user=user, module=module, lesson=item, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, gettext("Pelajaran disimpan."))
            return redirect("elis:author_lesson", pk=saved.pk)
    return render(
        request,
        "elis/author/form.html",
        {"form": form, "title": gettext("Pelajaran"), "course": module.course, "lesson": item},
    )


@login_required
@require_safe
def lesson_preview(request: HttpRequest, pk: int) -> HttpResponse:
    _author(request)
    item = get_object_or_404(Lesson.objects.select_related("module__course"), pk=pk)
    outline = course_outline(course=item.module.course, enrollment=None)
    context = _lesson_context(item, outline.lessons)
    context.update({"enrollment": None, "done": False, "preview": True})
    return render(request, "elis/lesson.html", context)


@login_required
def quiz_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _author(request)
    item = get_object_or_404(Quiz.objects.select_related("course", "module"), pk=pk)
    form = QuizForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.quiz_update(user=user, quiz=item, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, gettext("Pengaturan tes disimpan."))
            return redirect("elis:author_quiz", pk=pk)
    questions = item.questions.prefetch_related("choices")
    return render(
        request,
        "elis/author/quiz.html",
        {"quiz": item, "form": form, "questions": questions, "draft": item.course.status == CourseStatus.DRAFT},
    )


@login_required
def question_edit(request: HttpRequest, pk: int | None = None, quiz_pk: int | None = None) -> HttpResponse:
    user = _author(request)
    item = get_object_or_404(Question.objects.select_related("quiz__course"), pk=pk) if pk else None
    test = item.quiz if item else get_object_or_404(Quiz.objects.select_related("course"), pk=quiz_pk)
    initial: dict[str, Any] = {}
    if item:
        initial = {"text": item.text, "multiple": item.multiple, "explanation": item.explanation}
        for i, choice in enumerate(item.choices.all()):
            initial[f"choice_{i}"] = choice.text
            initial[f"correct_{i}"] = choice.correct
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.question_save(user=user, quiz=test, question=item, data=form.cleaned_data, choices=form.choices())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("elis:author_quiz", pk=test.pk)
    return render(request, "elis/author/question.html", {"form": form, "quiz": test, "question": item})


def _course_pk_of(item: Module | Lesson | Question) -> int:
    if isinstance(item, Module):
        return item.course_id
    if isinstance(item, Lesson):
        return item.module.course_id
    return item.quiz.course_id


def _movable(kind: str, pk: int) -> Module | Lesson | Question:
    model = MOVABLE.get(kind)
    if model is None:
        raise Http404
    item = model.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def _back(item: Module | Lesson | Question) -> HttpResponse:
    if isinstance(item, Question):
        return redirect("elis:author_quiz", pk=item.quiz_id)
    return redirect("elis:author_course", pk=_course_pk_of(item))


@login_required
@require_POST
def item_move(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = _author(request)
    item = _movable(kind, pk)
    try:
        authoring.item_move(user=user, item=item, up=request.POST.get("arah") == "naik")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(item)


@login_required
@require_POST
def item_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = _author(request)
    item = _movable(kind, pk)
    back = _back(item)
    try:
        authoring.item_delete(user=user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return back


@login_required
@require_POST
def asset_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = _author(request)
    item = get_object_or_404(Course, pk=pk)
    form = AssetForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, gettext("Pilih berkas gambar atau PDF."))
        return redirect("elis:author_course", pk=pk)
    upload = form.cleaned_data["file"]
    data = upload.read(20 * 1024 * 1024 + 1)
    name = upload.name.rsplit("/", 1)[-1][:100]
    try:
        prepared = (
            pdf_prepare(name=name, data=data) if data.startswith(b"%PDF-") else image_prepare(name=name, data=data)
        )
        authoring.asset_add(user=user, course=item, prepared=prepared)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("Berkas %(name)s ditambahkan.") % {"name": name})
    return redirect("elis:author_course", pk=pk)


@login_required
@require_POST
def course_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _author(request)
    item = get_object_or_404(Course, pk=pk)
    try:
        authoring.course_publish(user=user, course=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("Versi %(v)d diterbitkan.") % {"v": item.version})
    return redirect("elis:author_course", pk=pk)


@login_required
@require_POST
def course_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    user = _author(request)
    item = get_object_or_404(Course, pk=pk)
    copy = authoring.course_new_version(user=user, course=item)
    messages.success(request, gettext("Draf versi %(v)d dibuat.") % {"v": copy.version})
    return redirect("elis:author_course", pk=copy.pk)


@login_required
@require_safe
def course_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    _author(request)
    item = get_object_or_404(Course, pk=pk)
    body = json.dumps(course_export(item), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{item.slug}-v{item.version}.json"'
    return response


@login_required
def course_import_json(request: HttpRequest) -> HttpResponse:
    user = _author(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = course_import(
                raw=form.cleaned_data["file"].read(), user=user, publish=form.cleaned_data["publish"]
            )
        except CourseFileError as error:
            errors = list(error.messages)
        else:
            messages.success(
                request,
                gettext("Kursus %(title)s diimpor sebagai versi %(v)d.")
                % {"title": created.title, "v": created.version},
            )
            return redirect("elis:author_course", pk=created.pk)
    return render(request, "elis/author/import.html", {"form": form, "errors": errors[:50]})
