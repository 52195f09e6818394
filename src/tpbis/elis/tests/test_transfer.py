"""Course files: a course round-trips through JSON with its images; a bad file changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from conftest import World
from tpbis.elis.models import Asset, Course, CourseStatus
from tpbis.elis.tests.helpers import course_data, course_make
from tpbis.elis.transfer import CourseFileError, course_export, course_import

pytestmark = pytest.mark.django_db


def _without_files(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("images", "files", "version")}


def test_a_course_round_trips_through_json_with_its_images() -> None:
    original = course_make()
    exported = course_export(original)
    assert set(exported["images"]) == {"bagan.png"}
    copy = course_import(raw=json.dumps(exported).encode(), user=None, publish=False)
    assert copy.version == 2 and copy.status == CourseStatus.DRAFT
    again = course_export(copy)
    assert _without_files(again) == _without_files(exported)
    assert again["images"].keys() == exported["images"].keys()
    expected = _without_files(course_data())
    assert (
        _without_files(exported)["modules"][0]["lessons"][0]["body_md"]
        == expected["modules"][0]["lessons"][0]["body_md"]
    )
    assert exported["posttest"]["questions"][1]["choices"][1]["correct"] is True


def test_an_imported_image_is_resized_for_a_phone() -> None:
    course = course_make()
    image = Asset.objects.get(course=course, name="bagan.png")
    assert (image.width, image.height) == (960, 540)
    assert image.content_type == "image/jpeg"
    assert image.file.size < 60_000


@pytest.mark.parametrize(
    "where,bad",
    [
        ("body", "Halo <script>alert(1)</script>"),
        ("body", '<img src=x onerror="alert(1)">'),
        ("body", "[klik](javascript:alert(1))"),
        ("question", "<iframe src='https://evil.example'></iframe>"),
    ],
)
def test_a_file_with_a_script_is_refused_and_changes_nothing(where: str, bad: str) -> None:
    data = course_data()
    if where == "body":
        data["modules"][0]["lessons"][0]["body_md"] = bad
    else:
        data["posttest"]["questions"][0]["text"] = bad
    with pytest.raises(CourseFileError) as caught:
        course_import(raw=json.dumps(data).encode(), user=None, publish=True)
    assert any("skrip" in message for message in caught.value.messages)
    assert not Course.objects.exists() and not Asset.objects.exists()


def test_each_problem_is_reported_with_where_it_is() -> None:
    data = course_data()
    data["modules"][1]["lessons"][0]["title"] = ""
    data["modules"][0]["kpi_components"] = ["tidak-ada"]
    data["pretest"]["questions"][0]["choices"] = [{"text": "satu", "correct": False}, {"text": "dua"}]
    data["images"]["bagan.png"] = "PHN2Zz48L3N2Zz4="  # an SVG, not a picture we can resize
    with pytest.raises(CourseFileError) as caught:
        course_import(raw=json.dumps(data).encode(), user=None, publish=True)
    messages = caught.value.messages
    assert any(m.startswith("Modul 2, pelajaran 1: title") for m in messages)
    assert any(m.startswith("Modul 1: kode komponen IKU") for m in messages)
    assert any(m.startswith("Pre-test, soal 1") for m in messages)
    assert any("bagan.png" in m for m in messages)
    assert not Course.objects.exists()


def test_not_json_is_a_clear_message() -> None:
    with pytest.raises(CourseFileError, match="bukan JSON"):
        course_import(raw=b"\x89PNG not json", user=None, publish=True)
    with pytest.raises(CourseFileError, match="bukan file kursus"):
        course_import(raw=b'{"format": "lain"}', user=None, publish=True)


def test_the_import_page_reports_errors_and_imports_a_good_file(world: World) -> None:
    client = world.client_for(world.national)
    bad = course_data()
    bad["modules"][0]["lessons"][0]["body_md"] = "<script>x()</script>"
    upload = SimpleUploadedFile("kursus.json", json.dumps(bad).encode(), content_type="application/json")
    response = client.post(reverse("elis:author_import"), {"file": upload})
    assert response.status_code == 200 and "tidak diimpor" in response.content.decode()
    assert not Course.objects.exists()
    upload = SimpleUploadedFile("kursus.json", json.dumps(course_data()).encode(), content_type="application/json")
    response = client.post(reverse("elis:author_import"), {"file": upload, "publish": "on"})
    course = Course.objects.get()
    assert response["Location"] == reverse("elis:author_course", args=[course.pk])
    assert course.status == CourseStatus.PUBLISHED
    exported = client.get(reverse("elis:author_export", args=[course.pk]))
    assert json.loads(exported.content)["slug"] == course.slug
    assert world.client_for(world.province_35).get(reverse("elis:author_export", args=[course.pk])).status_code == 403


def test_the_load_command_publishes_once(tmp_path: Any) -> None:
    path = tmp_path / "kursus.json"
    path.write_text(json.dumps(course_data()))
    call_command("elis_load_course", str(path))
    call_command("elis_load_course", str(path))
    course = Course.objects.get()
    assert course.status == CourseStatus.PUBLISHED and course.is_core


def test_setup_demo_loads_the_shipped_course_when_its_file_is_there() -> None:
    from tpbis.demo.management.commands.setup_demo import Command

    shipped = Path(settings.BASE_DIR) / "data" / "elis" / "dasar-dasar-tpbis.json"
    if not shipped.is_file():
        pytest.skip("the shipped course file is not there")
    Command()._load_elis_course()
    Command()._load_elis_course()
    course = Course.objects.get()
    assert course.slug == "dasar-dasar-tpbis" and course.status == CourseStatus.PUBLISHED
    assert course.modules.count() >= 6
