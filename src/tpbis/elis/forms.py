"""Forms of the Elis pages: region filter for facilitators, and the authoring forms of the national team."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from tpbis.elis.models import Asset, AssetKind, Course, Lesson, Module, Quiz

KPI_CHOICES = [
    ("pelibatan", gettext_lazy("Pelibatan masyarakat")),
    ("advokasi", gettext_lazy("Advokasi")),
    ("publikasi", gettext_lazy("Publikasi")),
    ("peningkatan", gettext_lazy("Peningkatan layanan informasi")),
    ("pengunjung", gettext_lazy("Pengunjung")),
]
CHOICE_ROWS = 6


class LearnerFilterForm(forms.Form):
    wilayah = forms.CharField(label=gettext_lazy("Kode wilayah"), required=False, max_length=20)
    kursus = forms.ChoiceField(label=gettext_lazy("Kursus"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slugs = Course.objects.order_by("slug").values_list("slug", "title").distinct()
        seen: dict[str, str] = {}
        for slug, title in slugs:
            seen.setdefault(slug, title)
        field = self.fields["kursus"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext_lazy("Semua kursus")), *seen.items()]


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["slug", "title", "summary", "hours", "is_core"]


class CourseEditForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "summary", "hours", "is_core"]


class ModuleForm(forms.ModelForm):
    kpi_components = forms.MultipleChoiceField(
        label=gettext_lazy("Komponen IKU yang diajarkan"),
        choices=KPI_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    has_quiz = forms.BooleanField(label=gettext_lazy("Modul ini punya kuis"), required=False)

    class Meta:
        model = Module
        fields = ["title", "summary"]


class LessonForm(forms.ModelForm):
    images = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Gambar di bawah teks"),
        queryset=Asset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pdfs = forms.ModelMultipleChoiceField(
        label=gettext_lazy("PDF untuk diunduh"),
        queryset=Asset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    video_url = forms.URLField(
        label=gettext_lazy("Tautan video"),
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=gettext_lazy("Tautan https (mis. YouTube); ditampilkan sebagai tautan, tidak diputar otomatis."),
    )

    class Meta:
        model = Lesson
        fields = ["title", "body_md", "video_url", "minutes"]
        help_texts = {
            "body_md": gettext_lazy("Markdown: **tebal**, - daftar, ## judul. Gambar kursus: ![keterangan](nama.png)."),
        }

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assets = Asset.objects.filter(course=course).order_by("name")
        images = self.fields["images"]
        pdfs = self.fields["pdfs"]
        assert isinstance(images, forms.ModelMultipleChoiceField) and isinstance(pdfs, forms.ModelMultipleChoiceField)
        images.queryset = assets.filter(kind=AssetKind.IMAGE)
        pdfs.queryset = assets.filter(kind=AssetKind.PDF)
        if self.instance.pk:
            self.initial["images"] = list(images.queryset.filter(name__in=self.instance.images))
            self.initial["pdfs"] = list(pdfs.queryset.filter(name__in=self.instance.pdfs))

    def clean_video_url(self) -> str:
        url = self.cleaned_data["video_url"]
        if url and not url.startswith("https://"):
            raise forms.ValidationError(gettext_lazy("Tautan video harus diawali https://."))
        return str(url)


class QuizForm(forms.ModelForm):
    class Meta:
        model = Quiz
        fields = ["pass_score", "attempts"]

    def clean_pass_score(self) -> int:
        value = int(self.cleaned_data["pass_score"])
        if value > 100:
            raise forms.ValidationError(gettext_lazy("Nilai lulus paling tinggi 100."))
        return value

    def clean_attempts(self) -> int:
        value = int(self.cleaned_data["attempts"])
        if value < 1:
            raise forms.ValidationError(gettext_lazy("Paling sedikit satu kesempatan."))
        return value


class QuestionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Pertanyaan"), widget=forms.Textarea(attrs={"rows": 3}))
    multiple = forms.BooleanField(label=gettext_lazy("Jawaban benar boleh lebih dari satu"), required=False)
    explanation = forms.CharField(
        label=gettext_lazy("Penjelasan (ditampilkan setelah tes dikumpulkan)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(CHOICE_ROWS):
            self.fields[f"choice_{i}"] = forms.CharField(
                label=gettext_lazy("Pilihan %(n)d") % {"n": i + 1}, required=False, max_length=500
            )
            self.fields[f"correct_{i}"] = forms.BooleanField(label=gettext_lazy("benar"), required=False)

    def choices(self) -> list[tuple[str, bool]]:
        return [(self.cleaned_data[f"choice_{i}"], self.cleaned_data[f"correct_{i}"]) for i in range(CHOICE_ROWS)]

    def choice_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"choice_{i}"], self[f"correct_{i}"]) for i in range(CHOICE_ROWS)]


class AssetForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Gambar (JPEG/PNG) atau PDF"))


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File kursus (.json)"))
    publish = forms.BooleanField(label=gettext_lazy("Langsung terbitkan"), required=False)
