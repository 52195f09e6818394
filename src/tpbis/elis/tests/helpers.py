"""A small course (two modules, three lessons, two-question pre- and post-tests) for tests."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

from PIL import Image

from tpbis.elis.models import Course, Quiz, QuizKind
from tpbis.elis.transfer import course_import

SLUG = "kursus-uji"


def png_b64(size: tuple[int, int] = (1600, 900)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 90)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def question(text: str, right: list[int], *, n: int = 3, multiple: bool = False) -> dict[str, Any]:
    return {
        "text": text,
        "multiple": multiple,
        "choices": [{"text": f"{text} pilihan {i}", "correct": i in right} for i in range(n)],
        "explanation": f"Penjelasan untuk {text}",
    }


def course_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "tpbis-elis-course/1",
        "slug": SLUG,
        "title": "Kursus uji TPBIS",
        "summary": "Ringkasan kursus uji.",
        "hours": 24,
        "version": 1,
        "core": True,
        "modules": [
            {
                "title": "Perpustakaan inklusif",
                "summary": "Apa yang dikerjakan perpustakaan inklusif.",
                "lessons": [
                    {
                        "title": "Peran perpustakaan",
                        "body_md": "## Peran\n\nPerpustakaan adalah **pusat belajar** masyarakat.\n\n![Bagan](bagan.png)",
                        "video_url": "https://www.youtube.com/watch?v=abc",
                        "minutes": 10,
                        "images": ["bagan.png"],
                        "pdfs": [],
                    },
                    {"title": "Kegiatan bersama warga", "body_md": "Rencanakan kegiatan.", "minutes": 5},
                ],
                "quiz": {"pass_score": 50, "attempts": 2, "questions": [question("Kuis satu", [0])]},
                "kpi_components": ["pelibatan"],
            },
            {
                "title": "Advokasi",
                "summary": "Dana, NonDana, Regulasi.",
                "lessons": [{"title": "Menulis laporan advokasi", "body_md": "Tulis hasilnya.", "minutes": 5}],
                "quiz": None,
                "kpi_components": ["advokasi"],
            },
        ],
        "pretest": {"pass_score": 0, "attempts": 1, "questions": [question("Pre satu", [1]), question("Pre dua", [0])]},
        "posttest": {
            "pass_score": 70,
            "attempts": 2,
            "questions": [question("Post satu", [2]), question("Post dua", [0, 1], n=4, multiple=True)],
        },
        "images": {"bagan.png": png_b64()},
    }
    data.update(overrides)
    return data


def course_make(**overrides: Any) -> Course:
    return course_import(raw=json.dumps(course_data(**overrides)).encode(), user=None, publish=True)


def right_answers(quiz: Quiz) -> dict[int, list[int]]:
    return {q.pk: [c.pk for c in q.choices.all() if c.correct] for q in quiz.questions.prefetch_related("choices")}


def wrong_answers(quiz: Quiz) -> dict[int, list[int]]:
    return {q.pk: [next(c.pk for c in q.choices.all() if not c.correct)] for q in quiz.questions.all()}


def quiz_of(course: Course, kind: str) -> Quiz:
    return Quiz.objects.get(course=course, kind=kind)


PRE, POST = QuizKind.PRE, QuizKind.POST
