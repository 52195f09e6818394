"""The national team writes a course in the UI, previews it, publishes it, and publishes a new version
without moving enrolled learners off theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import World
from tpbis.audit.models import AuditEvent
from tpbis.elis.models import Course, CourseStatus, Enrollment, Lesson, LessonProgress, Module, Question, Quiz, QuizKind
from tpbis.elis.services import enrollment_start, lesson_complete
from tpbis.elis.tests.helpers import SLUG, course_make

pytestmark = pytest.mark.django_db


def _question_form(text: str, right: int) -> dict[str, str]:
    data = {"text": text, "explanation": "Karena begitu."}
    for i in range(3):
        data[f"choice_{i}"] = f"{text} {i}"
    data[f"correct_{right}"] = "on"
    return data


def test_the_national_team_writes_previews_and_publishes_a_course(world: World) -> None:
    client = world.client_for(world.national)
    response = client.post(
        reverse("elis:author_course_new"),
        {"slug": "publikasi-dasar", "title": "Publikasi dasar", "summary": "", "hours": 3},
    )
    course = Course.objects.get(slug="publikasi-dasar")
    assert response["Location"] == reverse("elis:author_course", args=[course.pk])
    client.post(
        reverse("elis:author_module_new", args=[course.pk]),
        {"title": "Menulis berita", "summary": "", "kpi_components": ["publikasi"]},
    )
    module = Module.objects.get(course=course)
    assert module.kpi_components == ["publikasi"]
    for title in ("Judul yang menarik", "Foto kegiatan"):
        client.post(
            reverse("elis:author_lesson_new", args=[module.pk]),
            {"title": title, "body_md": f"## {title}\n\nIsi.", "video_url": "", "minutes": 5},
        )
    first, second = Lesson.objects.filter(module=module).order_by("position")
    client.post(reverse("elis:author_move", args=["pelajaran", second.pk]), {"arah": "naik"})
    assert list(Lesson.objects.filter(module=module).order_by("position").values_list("title", flat=True)) == [
        "Foto kegiatan",
        "Judul yang menarik",
    ]
    # Publishing before the tests have questions is refused, with the reason.
    response = client.post(reverse("elis:author_publish", args=[course.pk]), follow=True)
    assert "Pre-test belum punya soal" in response.content.decode()
    for kind in (QuizKind.PRE, QuizKind.POST):
        quiz = Quiz.objects.get(course=course, kind=kind)
        client.post(reverse("elis:author_question_new", args=[quiz.pk]), _question_form(f"Soal {kind}", 1))
    assert Question.objects.filter(quiz__course=course).count() == 2
    preview = client.get(reverse("elis:author_preview", args=[first.pk]))
    assert (
        "Pratinjau sebagai peserta" in preview.content.decode()
        and "<h2>Judul yang menarik</h2>" in preview.content.decode()
    )
    client.post(reverse("elis:author_publish", args=[course.pk]))
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED
    assert AuditEvent.objects.filter(object_id=course.pk, action="activate").exists()
    # Managers now see it.
    assert "Publikasi dasar" in world.client_for(world.manager).get(reverse("elis:home")).content.decode()


def test_a_question_needs_one_right_answer_and_a_script_is_refused(world: World) -> None:
    client = world.client_for(world.national)
    course = Course.objects.create(slug="uji", title="Uji")
    quiz = Quiz.objects.create(course=course, kind=QuizKind.POST)
    data = _question_form("Soal", 0)
    data.pop("correct_0")
    response = client.post(reverse("elis:author_question_new", args=[quiz.pk]), data)
    assert "tepat satu jawaban benar" in response.content.decode()
    data = _question_form("<script>alert(1)</script>", 0)
    response = client.post(reverse("elis:author_question_new", args=[quiz.pk]), data)
    assert "tidak diizinkan" in response.content.decode()
    assert not Question.objects.exists()


def test_a_new_version_keeps_enrolled_learners_on_theirs(world: World) -> None:
    v1 = course_make()
    enrollment = enrollment_start(user=world.manager, course=v1, library_id=world.lamongan_village.pk)
    first = Lesson.objects.filter(module__course=v1).order_by("module__position", "position").first()
    assert first is not None
    lesson_complete(enrollment=enrollment, lesson=first)
    client = world.client_for(world.national)
    response = client.post(reverse("elis:author_new_version", args=[v1.pk]))
    v2 = Course.objects.get(slug=SLUG, version=2)
    assert response["Location"] == reverse("elis:author_course", args=[v2.pk])
    assert v2.assets.count() == v1.assets.count() == 1
    new_lesson = Lesson.objects.filter(module__course=v2).order_by("module__position", "position").first()
    assert new_lesson is not None
    client.post(
        reverse("elis:author_lesson", args=[new_lesson.pk]),
        {"title": "Peran perpustakaan (baru)", "body_md": "Baru.", "video_url": "", "minutes": 7},
    )
    client.post(reverse("elis:author_publish", args=[v2.pk]))
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (CourseStatus.ARCHIVED, CourseStatus.PUBLISHED)
    # The enrolled manager stays on version 1 with their progress; a newcomer starts on version 2.
    html = world.client_for(world.manager).get(reverse("elis:course", args=[SLUG])).content.decode()
    assert "versi 1" in html and "1 dari 3 pelajaran selesai" in html
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 1
    world.client_for(world.facilitator_3524).post(reverse("elis:course", args=[SLUG]))
    assert Enrollment.objects.get(user=world.facilitator_3524).course == v2
    # A published version is frozen.
    response = client.post(
        reverse("elis:author_lesson", args=[first.pk]),
        {"title": "Diubah", "body_md": "", "video_url": "", "minutes": 5},
    )
    assert "Versi yang sudah terbit tidak diubah" in response.content.decode()


def test_authoring_is_for_the_national_team(world: World) -> None:
    course = course_make()
    for user in (world.manager, world.facilitator_3524, world.province_35):
        client = world.client_for(user)
        assert client.get(reverse("elis:author_list")).status_code == 403
        assert client.post(reverse("elis:author_new_version", args=[course.pk])).status_code == 403
    assert Course.objects.count() == 1


def test_an_uploaded_image_is_resized_and_a_non_image_refused(world: World) -> None:
    import base64

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tpbis.elis.models import Asset
    from tpbis.elis.tests.helpers import png_b64

    client = world.client_for(world.national)
    course = Course.objects.create(slug="uji", title="Uji")
    picture = SimpleUploadedFile("foto.png", base64.b64decode(png_b64((2000, 1000))), content_type="image/png")
    client.post(reverse("elis:author_asset", args=[course.pk]), {"file": picture})
    asset = Asset.objects.get(course=course)
    assert (asset.name, asset.width, asset.height) == ("foto.png", 960, 480)
    svg = SimpleUploadedFile("x.svg", b"<svg onload='alert(1)'></svg>", content_type="image/svg+xml")
    response = client.post(reverse("elis:author_asset", args=[course.pk]), {"file": svg}, follow=True)
    assert "bukan gambar" in response.content.decode()
    assert Asset.objects.filter(course=course).count() == 1
