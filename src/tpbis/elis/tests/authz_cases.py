"""Authorization matrix entries for Elis, and the objects its slots name ({elis_slug}, {elis_attempt}, ...).

Courses are national, not regional: learner pages are open to everyone signed in (NONE). A test attempt is
its learner's own (OWNER: anyone else's is a 404, even for the national team). The region view is scoped
like every region page (REGION). Authoring is the national team's (403 for everyone else).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tpbis.core.tests.authz_matrix import (
    EVERYONE,
    FACILITATOR_UP,
    NATIONAL,
    NONE,
    OWNER,
    REGION,
    SIGNED_IN,
    Case,
    everyone_gets,
)
from tpbis.elis.models import Asset, Certificate, Course, Lesson, Module, Question, Quiz, QuizKind
from tpbis.elis.services import attempt_start, enrollment_start
from tpbis.elis.tests.helpers import SLUG, course_make

PERSONAS_SIGNED_IN = ("manager", "facilitator_3524", "province_35", "national")
NOBODY_HAS_A_CERTIFICATE = {(persona, "in"): 404 for persona in PERSONAS_SIGNED_IN}


def matrix_slots(world: Any) -> dict[str, dict[str, str]]:
    published = course_make()
    draft = course_make(version=2, title="Draf kursus uji")
    draft.status = "draft"
    draft.save(update_fields=["status"])
    pre = Quiz.objects.get(course=published, kind=QuizKind.PRE)
    draft_module = Module.objects.filter(course=draft).first()
    draft_quiz = Quiz.objects.get(course=draft, kind=QuizKind.POST)
    shared = {
        "elis_slug": SLUG,
        "elis_lesson": str(Lesson.objects.filter(module__course=published).values_list("pk", flat=True).first()),
        "elis_quiz": str(pre.pk),
        "elis_asset": str(Asset.objects.filter(course=published).values_list("pk", flat=True).first()),
        "elis_course": str(draft.pk),
        "elis_module": str(draft_module.pk if draft_module else ""),
        "elis_draft_lesson": str(Lesson.objects.filter(module__course=draft).values_list("pk", flat=True).first()),
        "elis_draft_quiz": str(draft_quiz.pk),
        "elis_question": str(Question.objects.filter(quiz=draft_quiz).values_list("pk", flat=True).first()),
    }
    slots: dict[str, dict[str, str]] = {"in": dict(shared), "near": dict(shared), "out": dict(shared)}
    libraries = {"manager": world.lamongan_village.pk}
    for persona in (*PERSONAS_SIGNED_IN, "facilitator_1905"):
        user = getattr(world, persona)
        enrollment = enrollment_start(user=user, course=published, library_id=libraries.get(persona))
        attempt = attempt_start(enrollment=enrollment, quiz=pre)
        key = "others" if persona == "facilitator_1905" else persona
        slots[key] = {"elis_attempt": str(attempt.pk)}
        if persona == "facilitator_1905":
            certificate = Certificate.objects.create(
                enrollment=enrollment,
                code="UJIMATRIKS",
                learner_name=user.get_full_name(),
                course_title=published.title,
                hours=published.hours,
                issued_at=timezone.now(),
            )
            for scope in ("in", "near", "out"):
                slots[scope]["elis_cert"] = certificate.code
    assert Course.objects.filter(slug=SLUG).count() == 2
    return slots


def _author(route: str, path: str, method: str = "GET", data: dict[str, Any] | None = None, label: str = "") -> Case:
    return Case(route, path, NATIONAL, NONE, method=method, data=data, label=label)


CASES: list[Case] = [
    Case("elis:home", "/elis/", SIGNED_IN, NONE),
    Case("elis:course", "/elis/kursus/{elis_slug}/", SIGNED_IN, NONE),
    Case("elis:course", "/elis/kursus/{elis_slug}/", SIGNED_IN, NONE, method="POST", data={}, label="mulai"),
    Case("elis:lesson", "/elis/kursus/{elis_slug}/pelajaran/{elis_lesson}/", SIGNED_IN, NONE),
    Case(
        "elis:lesson",
        "/elis/kursus/{elis_slug}/pelajaran/{elis_lesson}/",
        SIGNED_IN,
        NONE,
        method="POST",
        data={},
        label="selesai",
    ),
    Case("elis:quiz", "/elis/kursus/{elis_slug}/tes/{elis_quiz}/", SIGNED_IN, NONE),
    Case(
        "elis:quiz", "/elis/kursus/{elis_slug}/tes/{elis_quiz}/", SIGNED_IN, NONE, method="POST", data={}, label="mulai"
    ),
    # Nobody in the matrix has finished the course: the download is a 404 for all (test_learning covers it).
    Case(
        "elis:certificate",
        "/elis/kursus/{elis_slug}/sertifikat.pdf",
        SIGNED_IN,
        NONE,
        overrides=NOBODY_HAS_A_CERTIFICATE,
    ),
    Case("elis:attempt", "/elis/percobaan/{elis_attempt}/", SIGNED_IN, OWNER),
    Case("elis:attempt", "/elis/percobaan/{elis_attempt}/", SIGNED_IN, OWNER, method="POST", data={}, label="kumpul"),
    Case("elis:asset", "/elis/berkas/{elis_asset}/", SIGNED_IN, NONE),
    Case("elis:verify", "/elis/sertifikat/{elis_cert}/", EVERYONE, NONE),
    Case("elis:verify", "/elis/sertifikat/PALSU23456/", EVERYONE, NONE, label="palsu", overrides=everyone_gets(404)),
    Case("elis:learners", "/elis/peserta/?wilayah={region}", FACILITATOR_UP, REGION),
    Case("elis:learners_export", "/elis/peserta/ekspor.csv?wilayah={region}", FACILITATOR_UP, REGION),
    _author("elis:author_list", "/elis/kelola/"),
    _author("elis:author_course_new", "/elis/kelola/baru/"),
    _author("elis:author_import", "/elis/kelola/impor/"),
    _author("elis:author_course", "/elis/kelola/{elis_course}/"),
    _author("elis:author_export", "/elis/kelola/{elis_course}/ekspor.json"),
    _author("elis:author_publish", "/elis/kelola/{elis_course}/terbitkan/", "POST", {}),
    _author("elis:author_new_version", "/elis/kelola/{elis_course}/versi-baru/", "POST", {}),
    _author("elis:author_asset", "/elis/kelola/{elis_course}/berkas/", "POST", {}),
    _author("elis:author_module_new", "/elis/kelola/{elis_course}/modul/baru/"),
    _author("elis:author_module", "/elis/kelola/modul/{elis_module}/"),
    _author("elis:author_lesson_new", "/elis/kelola/modul/{elis_module}/pelajaran/baru/"),
    _author("elis:author_lesson", "/elis/kelola/pelajaran/{elis_draft_lesson}/"),
    _author("elis:author_preview", "/elis/kelola/pelajaran/{elis_draft_lesson}/pratinjau/"),
    _author("elis:author_quiz", "/elis/kelola/tes/{elis_draft_quiz}/"),
    _author("elis:author_question_new", "/elis/kelola/tes/{elis_draft_quiz}/soal/baru/"),
    _author("elis:author_question", "/elis/kelola/soal/{elis_question}/"),
    _author("elis:author_move", "/elis/kelola/soal/{elis_question}/geser/", "POST", {"arah": "naik"}),
    _author("elis:author_delete", "/elis/kelola/soal/{elis_question}/hapus/", "POST", {}),
]
