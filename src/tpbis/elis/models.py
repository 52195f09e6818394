"""Elis (*E-Learning Inklusi Sosial*): courses, their lessons and tests, and each learner's progress.

A course is versioned: every version is its own row with its own modules, lessons and tests, so a learner
enrolled on version 1 keeps their progress when version 2 is published; new learners start on the newest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class CourseStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draf")
    PUBLISHED = "published", gettext_lazy("Terbit")
    ARCHIVED = "archived", gettext_lazy("Versi lama")


class Course(models.Model):
    """One version of a course (*kursus*)."""

    slug = models.SlugField(gettext_lazy("kode kursus"), max_length=80)
    version = models.PositiveSmallIntegerField(gettext_lazy("versi"), default=1)
    title = models.CharField(gettext_lazy("judul"), max_length=200)
    summary = models.TextField(gettext_lazy("ringkasan"), blank=True)
    hours = models.PositiveSmallIntegerField(gettext_lazy("jumlah jam pelajaran"), default=1)
    is_core = models.BooleanField(
        gettext_lazy("kursus inti"),
        default=False,
        help_text=gettext_lazy("Rapor dan laporan gathering menghitung pengelola yang menamatkan kursus inti."),
    )
    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("kursus")
        verbose_name_plural = gettext_lazy("kursus")
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="elis_course_slug_version_unique"),
            # At most one published version per course: new learners never have to choose.
            models.UniqueConstraint(fields=["slug"], condition=Q(status="published"), name="elis_course_one_published"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Module(models.Model):
    """A part of a course (*modul*), in order."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(gettext_lazy("urutan"), default=0)
    title = models.CharField(gettext_lazy("judul"), max_length=200)
    summary = models.TextField(gettext_lazy("ringkasan"), blank=True)
    # KPI component record types this module teaches ("advokasi"): a score explanation links to it.
    kpi_components = models.JSONField(gettext_lazy("komponen IKU yang diajarkan"), default=list, blank=True)

    class Meta:
        verbose_name = gettext_lazy("modul")
        verbose_name_plural = gettext_lazy("modul")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    """One lesson (*pelajaran*): Markdown text, images, a video link and downloadable PDFs."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(gettext_lazy("urutan"), default=0)
    title = models.CharField(gettext_lazy("judul"), max_length=200)
    body_md = models.TextField(gettext_lazy("isi (Markdown)"), blank=True)
    video_url = models.URLField(gettext_lazy("tautan video"), blank=True)
    minutes = models.PositiveSmallIntegerField(gettext_lazy("perkiraan menit"), default=10)
    images = models.JSONField(default=list, blank=True)  # asset names shown below the text
    pdfs = models.JSONField(default=list, blank=True)  # asset names offered for download

    class Meta:
        verbose_name = gettext_lazy("pelajaran")
        verbose_name_plural = gettext_lazy("pelajaran")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class AssetKind(models.TextChoices):
    IMAGE = "image", gettext_lazy("Gambar")
    PDF = "pdf", gettext_lazy("PDF")


class Asset(models.Model):
    """An image (already resized) or a PDF of a course version, referred to by its name in lessons."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assets")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=5, choices=AssetKind.choices)
    file = models.FileField(upload_to="elis/")
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="elis_asset_name_unique")]

    def __str__(self) -> str:
        return self.name


class QuizKind(models.TextChoices):
    PRE = "pre", gettext_lazy("Pre-test")
    POST = "post", gettext_lazy("Post-test")
    MODULE = "module", gettext_lazy("Kuis modul")


class Quiz(models.Model):
    """A test: the course's pre-test or post-test, or a module's optional quiz."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    module = models.OneToOneField(Module, on_delete=models.CASCADE, null=True, blank=True, related_name="quiz")
    kind = models.CharField(gettext_lazy("jenis"), max_length=6, choices=QuizKind.choices)
    pass_score = models.PositiveSmallIntegerField(gettext_lazy("nilai lulus"), default=70)
    attempts = models.PositiveSmallIntegerField(gettext_lazy("kesempatan"), default=3)

    class Meta:
        verbose_name = gettext_lazy("tes")
        verbose_name_plural = gettext_lazy("tes")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "kind"], condition=~Q(kind="module"), name="elis_quiz_one_pre_post"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.course}"


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(gettext_lazy("urutan"), default=0)
    text = models.TextField(gettext_lazy("pertanyaan"))
    multiple = models.BooleanField(gettext_lazy("jawaban boleh lebih dari satu"), default=False)
    explanation = models.TextField(gettext_lazy("penjelasan"), blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(gettext_lazy("pilihan"), max_length=500)
    correct = models.BooleanField(gettext_lazy("benar"), default=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Enrollment(models.Model):
    """A learner on one course version; `library` is the library they managed when they enrolled."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="elis_enrollments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments")
    library = models.ForeignKey(
        "libraries.Library", on_delete=models.SET_NULL, null=True, blank=True, related_name="elis_enrollments"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    last_lesson = models.ForeignKey(Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    lessons_done = models.PositiveSmallIntegerField(default=0)
    # Kept here by the test services so region figures are one GROUP BY: first pre-test, best post-test.
    pre_score = models.PositiveSmallIntegerField(null=True, blank=True)
    post_score = models.PositiveSmallIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="elis_enrollment_unique")]
        indexes = [models.Index(fields=["course", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.course}"


class LessonProgress(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "lesson"], name="elis_progress_unique")]

    def __str__(self) -> str:
        return f"{self.enrollment_id}:{self.lesson_id}"


class Attempt(models.Model):
    """One sitting of a test; the question and choice order is drawn at the start and kept."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts_taken")
    number = models.PositiveSmallIntegerField()
    order = models.JSONField(default=list)  # [[question_id, [choice_id, ...]], ...]
    answers = models.JSONField(default=dict, blank=True)  # {question_id: [choice_id, ...]}
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "quiz", "number"], name="elis_attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id} #{self.number}"


class Certificate(models.Model):
    """Issued once per enrollment; the names are kept as printed, the code is what the public page checks."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE, related_name="certificate")
    code = models.CharField(max_length=16, unique=True)
    learner_name = models.CharField(max_length=150)
    course_title = models.CharField(max_length=200)
    hours = models.PositiveSmallIntegerField()
    issued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.code
