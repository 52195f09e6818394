"""A course as a JSON file ("tpbis-elis-course/1"), with its images, so provinces can share courses.

Import checks the whole file first and creates nothing when any part is wrong: each problem is reported
with where it is ("Modul 2, pelajaran 3: ..."). Text carrying scripts or raw HTML handlers is refused here
and, as everywhere, sanitised again when shown.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change
from tpbis.elis.assets import PreparedAsset, image_prepare, pdf_prepare
from tpbis.elis.content import has_forbidden_markup
from tpbis.elis.models import Asset, Choice, Course, CourseStatus, Lesson, Module, Question, Quiz, QuizKind

FORMAT = "tpbis-elis-course/1"
MAX_FILE_BYTES = 40 * 1024 * 1024
KPI_CODES = {"pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung"}
ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")


class CourseFileError(ValidationError):
    """The file cannot be imported; `messages` lists every problem found."""


@dataclass
class _Reader:
    errors: list[str] = field(default_factory=list)

    def text(self, obj: dict[str, Any], key: str, where: str, *, required: bool = True, limit: int = 0) -> str:
        value = obj.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.errors.append(gettext("%(where)s: %(key)s harus berupa teks.") % {"where": where, "key": key})
            return ""
        value = value.strip()
        if required and not value:
            self.errors.append(gettext("%(where)s: %(key)s wajib diisi.") % {"where": where, "key": key})
        if limit and len(value) > limit:
            self.errors.append(
                gettext("%(where)s: %(key)s lebih dari %(limit)d karakter.")
                % {"where": where, "key": key, "limit": limit}
            )
        if has_forbidden_markup(value):
            self.errors.append(
                gettext("%(where)s: %(key)s memuat skrip atau HTML yang tidak diizinkan.")
                % {"where": where, "key": key}
            )
        return value

    def number(self, obj: dict[str, Any], key: str, where: str, default: int, low: int, high: int) -> int:
        value = obj.get(key, default)
        if value is None:
            value = default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.errors.append(
                gettext("%(where)s: %(key)s harus bilangan bulat %(low)d–%(high)d.")
                % {"where": where, "key": key, "low": low, "high": high}
            )
            return default
        return value

    def names(self, obj: dict[str, Any], key: str, where: str, known: set[str]) -> list[str]:
        value = obj.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.errors.append(gettext("%(where)s: %(key)s harus daftar nama berkas.") % {"where": where, "key": key})
            return []
        for name in value:
            if name not in known:
                self.errors.append(
                    gettext("%(where)s: berkas %(name)s tidak ada di dalam file kursus.")
                    % {"where": where, "name": name}
                )
        return value


def course_file_read(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_FILE_BYTES:
        raise CourseFileError([gettext("File kursus lebih dari 40 MB.")])
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CourseFileError([gettext("File ini bukan JSON yang sah: %(error)s") % {"error": error}]) from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CourseFileError([gettext("File ini bukan file kursus Elis (format %(format)s).") % {"format": FORMAT}])
    return data


def _decoded_assets(reader: _Reader, data: dict[str, Any]) -> dict[str, PreparedAsset]:
    prepared: dict[str, PreparedAsset] = {}
    for key, prepare in (("images", image_prepare), ("files", pdf_prepare)):
        entries = data.get(key) or {}
        if not isinstance(entries, dict):
            reader.errors.append(gettext("%(key)s harus berupa objek nama → base64.") % {"key": key})
            continue
        for name, encoded in entries.items():
            if not ASSET_NAME.match(name) or not isinstance(encoded, str):
                reader.errors.append(gettext("Nama berkas %(name)s tidak sah.") % {"name": name})
                continue
            try:
                prepared[name] = prepare(name=name, data=base64.b64decode(encoded, validate=True))
            except (binascii.Error, ValueError):
                reader.errors.append(gettext("Berkas %(name)s bukan base64 yang sah.") % {"name": name})
            except ValidationError as error:
                reader.errors.extend(error.messages)
    return prepared


def _quiz_spec(reader: _Reader, quiz: Any, where: str, default_pass: int, default_attempts: int) -> dict[str, Any]:
    if not isinstance(quiz, dict):
        reader.errors.append(gettext("%(where)s: tes harus berupa objek.") % {"where": where})
        return {}
    questions = quiz.get("questions")
    if not isinstance(questions, list) or not questions:
        reader.errors.append(gettext("%(where)s: tes tanpa soal.") % {"where": where})
        questions = []
    spec: dict[str, Any] = {
        "pass_score": reader.number(quiz, "pass_score", where, default_pass, 0, 100),
        "attempts": reader.number(quiz, "attempts", where, default_attempts, 1, 20),
        "questions": [],
    }
    for qi, question in enumerate(questions, start=1):
        qwhere = gettext("%(where)s, soal %(n)d") % {"where": where, "n": qi}
        if not isinstance(question, dict):
            reader.errors.append(gettext("%(where)s: soal harus berupa objek.") % {"where": qwhere})
            continue
        choices = question.get("choices")
        if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, dict) for c in choices):
            reader.errors.append(gettext("%(where)s: paling sedikit dua pilihan.") % {"where": qwhere})
            choices = []
        multiple = bool(question.get("multiple", False))
        parsed = [
            {"text": reader.text(c, "text", qwhere, limit=500), "correct": bool(c.get("correct", False))}
            for c in choices
        ]
        right = sum(1 for c in parsed if c["correct"])
        if choices and (right == 0 or (not multiple and right != 1)):
            reader.errors.append(
                gettext(
                    "%(where)s: soal pilihan tunggal butuh tepat satu jawaban benar, pilihan ganda paling sedikit satu."
                )
                % {"where": qwhere}
            )
        spec["questions"].append(
            {
                "text": reader.text(question, "text", qwhere),
                "multiple": multiple,
                "explanation": reader.text(question, "explanation", qwhere, required=False),
                "choices": parsed,
            }
        )
    return spec


def course_file_check(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, PreparedAsset]]:
    """The course as clean plain data, and its prepared images and PDFs; CourseFileError lists what is wrong."""
    reader = _Reader()
    where = gettext("Kursus")
    prepared = _decoded_assets(reader, data)
    images = {n for n, a in prepared.items() if a.kind == "image"}
    pdfs = {n for n, a in prepared.items() if a.kind == "pdf"}
    slug = slugify(str(data.get("slug") or data.get("title") or ""))[:80]
    if not slug:
        reader.errors.append(gettext("Kursus: slug wajib diisi."))
    spec: dict[str, Any] = {
        "slug": slug,
        "title": reader.text(data, "title", where, limit=200),
        "summary": reader.text(data, "summary", where, required=False),
        "hours": reader.number(data, "hours", where, 1, 1, 500),
        "version": reader.number(data, "version", where, 1, 1, 30000),
        "core": bool(data.get("core", False)),
        "modules": [],
    }
    modules = data.get("modules")
    if not isinstance(modules, list) or not modules:
        reader.errors.append(gettext("Kursus: tidak ada modul."))
        modules = []
    for mi, module in enumerate(modules, start=1):
        mwhere = gettext("Modul %(n)d") % {"n": mi}
        if not isinstance(module, dict):
            reader.errors.append(gettext("%(where)s harus berupa objek.") % {"where": mwhere})
            continue
        codes = module.get("kpi_components") or []
        if not isinstance(codes, list) or any(c not in KPI_CODES for c in codes):
            reader.errors.append(
                gettext("%(where)s: kode komponen IKU tidak dikenal (pilih dari %(codes)s).")
                % {"where": mwhere, "codes": ", ".join(sorted(KPI_CODES))}
            )
            codes = []
        lessons_spec = []
        lessons = module.get("lessons")
        if not isinstance(lessons, list) or not lessons:
            reader.errors.append(gettext("%(where)s: tidak ada pelajaran.") % {"where": mwhere})
            lessons = []
        for li, lesson in enumerate(lessons, start=1):
            lwhere = gettext("%(where)s, pelajaran %(n)d") % {"where": mwhere, "n": li}
            if not isinstance(lesson, dict):
                reader.errors.append(gettext("%(where)s harus berupa objek.") % {"where": lwhere})
                continue
            video = reader.text(lesson, "video_url", lwhere, required=False, limit=200)
            if video and not video.startswith("https://"):
                reader.errors.append(gettext("%(where)s: tautan video harus diawali https://.") % {"where": lwhere})
            lessons_spec.append(
                {
                    "title": reader.text(lesson, "title", lwhere, limit=200),
                    "body_md": reader.text(lesson, "body_md", lwhere, required=False),
                    "video_url": video,
                    "minutes": reader.number(lesson, "minutes", lwhere, 10, 1, 600),
                    "images": reader.names(lesson, "images", lwhere, images),
                    "pdfs": reader.names(lesson, "pdfs", lwhere, pdfs),
                }
            )
        quiz = module.get("quiz")
        spec["modules"].append(
            {
                "title": reader.text(module, "title", mwhere, limit=200),
                "summary": reader.text(module, "summary", mwhere, required=False),
                "kpi_components": codes,
                "lessons": lessons_spec,
                "quiz": _quiz_spec(reader, quiz, mwhere, 70, 3) if quiz else None,
            }
        )
    for key, label, default_pass, default_attempts in (
        ("pretest", gettext("Pre-test"), 0, 1),
        ("posttest", gettext("Post-test"), 70, 3),
    ):
        if not data.get(key):
            reader.errors.append(gettext("%(where)s wajib ada.") % {"where": label})
            continue
        spec[key] = _quiz_spec(reader, data[key], label, default_pass, default_attempts)
    if reader.errors:
        raise CourseFileError(reader.errors)
    return spec, prepared


def _create_quiz(course: Course, kind: str, spec: dict[str, Any], module: Module | None = None) -> None:
    quiz = Quiz.objects.create(
        course=course, module=module, kind=kind, pass_score=spec["pass_score"], attempts=spec["attempts"]
    )
    for qi, q in enumerate(spec["questions"]):
        question = Question.objects.create(
            quiz=quiz, position=qi, text=q["text"], multiple=q["multiple"], explanation=q["explanation"]
        )
        Choice.objects.bulk_create(
            Choice(question=question, position=ci, text=c["text"], correct=c["correct"])
            for ci, c in enumerate(q["choices"])
        )


def course_build(*, spec: dict[str, Any], version: int, status: str, user: User | None) -> Course:
    """Rows for a checked course spec (call inside a transaction)."""
    course = Course.objects.create(
        slug=spec["slug"],
        version=version,
        title=spec["title"],
        summary=spec["summary"],
        hours=spec["hours"],
        is_core=spec["core"],
        status=status,
        created_by=user,
        published_at=timezone.now() if status == CourseStatus.PUBLISHED else None,
    )
    for mi, m in enumerate(spec["modules"]):
        module = Module.objects.create(
            course=course, position=mi, title=m["title"], summary=m["summary"], kpi_components=m["kpi_components"]
        )
        for li, lesson in enumerate(m["lessons"]):
            Lesson.objects.create(module=module, position=li, **lesson)
        if m.get("quiz"):
            _create_quiz(course, QuizKind.MODULE, m["quiz"], module)
    for key, kind in (("pretest", QuizKind.PRE), ("posttest", QuizKind.POST)):
        if spec.get(key):
            _create_quiz(course, kind, spec[key])
    return course


def course_import(*, raw: bytes, user: User | None, publish: bool) -> Course:
    """Import a course file as a new version (a draft unless `publish`); nothing is created when it is bad."""
    spec, prepared = course_file_check(course_file_read(raw))
    with transaction.atomic():
        # Serialise imports of the same course so two never take the same version number.
        taken = set(Course.objects.select_for_update().filter(slug=spec["slug"]).values_list("version", flat=True))
        version = spec["version"] if spec["version"] not in taken else max(taken) + 1
        if publish:
            Course.objects.filter(slug=spec["slug"], status=CourseStatus.PUBLISHED).update(status=CourseStatus.ARCHIVED)
        course = course_build(
            spec=spec, version=version, status=CourseStatus.PUBLISHED if publish else CourseStatus.DRAFT, user=user
        )
        for asset in prepared.values():
            asset_store(course=course, prepared=asset)
        audit_change(
            actor=user,
            action=AuditAction.IMPORT,
            target=course,
            comment=gettext("Kursus Elis diimpor: %(title)s, versi %(version)d")
            % {"title": course.title, "version": course.version},
        )
    return course


def asset_store(*, course: Course, prepared: PreparedAsset) -> Asset:
    asset = Asset(
        course=course,
        name=prepared.name,
        kind=prepared.kind,
        content_type=prepared.content_type,
        width=prepared.width,
        height=prepared.height,
    )
    stem = prepared.name.rsplit(".", 1)[0]
    suffix = "jpg" if prepared.kind == "image" else "pdf"
    asset.file.save(f"{course.slug}/{stem}.{suffix}", ContentFile(prepared.content), save=False)
    asset.save()
    return asset


def _quiz_spec_of(quiz: Quiz | None) -> dict[str, Any] | None:
    if quiz is None:
        return None
    return {
        "pass_score": quiz.pass_score,
        "attempts": quiz.attempts,
        "questions": [
            {
                "text": q.text,
                "multiple": q.multiple,
                "choices": [{"text": c.text, "correct": c.correct} for c in q.choices.all()],
                "explanation": q.explanation,
            }
            for q in quiz.questions.all()
        ],
    }


def course_spec(course: Course) -> dict[str, Any]:
    """The course as plain data without its files: what course_build takes, and the body of an export."""
    quizzes = {(q.kind, q.module_id): q for q in course.quizzes.prefetch_related("questions__choices")}
    return {
        "slug": course.slug,
        "title": course.title,
        "summary": course.summary,
        "hours": course.hours,
        "version": course.version,
        "core": course.is_core,
        "modules": [
            {
                "title": m.title,
                "summary": m.summary,
                "lessons": [
                    {
                        "title": lesson.title,
                        "body_md": lesson.body_md,
                        "video_url": lesson.video_url,
                        "minutes": lesson.minutes,
                        "images": lesson.images,
                        "pdfs": lesson.pdfs,
                    }
                    for lesson in m.lessons.all()
                ],
                "quiz": _quiz_spec_of(quizzes.get((QuizKind.MODULE, m.pk))),
                "kpi_components": m.kpi_components,
            }
            for m in course.modules.prefetch_related("lessons")
        ],
        "pretest": _quiz_spec_of(quizzes.get((QuizKind.PRE, None))),
        "posttest": _quiz_spec_of(quizzes.get((QuizKind.POST, None))),
    }


def course_export(course: Course) -> dict[str, Any]:
    images: dict[str, str] = {}
    files: dict[str, str] = {}
    for asset in course.assets.all():
        with asset.file.open("rb") as handle:
            (images if asset.kind == "image" else files)[asset.name] = base64.b64encode(handle.read()).decode()
    return {"format": FORMAT, **course_spec(course), "images": images, "files": files}


def next_version(slug: str) -> int:
    return (Course.objects.filter(slug=slug).aggregate(v=Max("version"))["v"] or 0) + 1


def course_load(*, raw: bytes) -> tuple[Course, bool]:
    """Load a shipped course, published (`elis_load_course`, `setup_demo`); the same version twice loads once."""
    spec, _prepared = course_file_check(course_file_read(raw))
    existing = Course.objects.filter(slug=spec["slug"], version=spec["version"]).first()
    if existing is not None:
        return existing, False
    return course_import(raw=raw, user=None, publish=True), True
