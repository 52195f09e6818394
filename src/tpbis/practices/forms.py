"""Forms of the good-practice library: writing one, reviewing one, and the search with its tag filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tpbis.kpi.models import RecordType
from tpbis.libraries.models import Library
from tpbis.practices.models import Cost, PracticeStatus
from tpbis.practices.selectors import PracticeFilters, linkable_records
from tpbis.practices.services import MAX_PHOTOS, MAX_WORDS, practice_check_length
from tpbis.reports.forms import PhotosField, vocabulary
from tpbis.reports.models import AdvocacyOutcome, VocabularyKind
from tpbis.reports.photos import PreparedPhoto, photos_prepare

# A guard against a pasted book: far above the word limits, whose message is the one people see.
MAX_TEXT_CHARS = 60_000


def _text(label: Any, rows: int) -> forms.CharField:
    return forms.CharField(label=label, max_length=MAX_TEXT_CHARS, widget=forms.Textarea(attrs={"rows": rows}))


class PracticeForm(forms.Form):
    title = forms.CharField(label=_("Judul"), max_length=200)
    problem = _text(_("Masalah yang dijawab"), 4)
    steps = _text(_("Apa yang dilakukan (langkah-langkah)"), 8)
    results = _text(_("Hasil, dengan angka"), 5)
    people_reached = forms.IntegerField(label=_("Jumlah penerima manfaat"), min_value=0, required=False)
    activity_field = forms.ChoiceField(label=_("Bidang kegiatan"), required=False)
    audience = forms.ChoiceField(label=_("Sasaran"), required=False)
    cost = forms.ChoiceField(label=_("Biaya"), choices=Cost.choices, initial=Cost.NONE)
    advocacy_result = forms.ChoiceField(
        label=_("Hasil advokasi"), required=False, choices=[("", _("Tidak ada")), *AdvocacyOutcome.choices]
    )
    focus = forms.MultipleChoiceField(
        label=_("Bagian IKU yang terbantu"),
        required=False,
        choices=RecordType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    records = forms.MultipleChoiceField(
        label=_("Laporan asal"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kegiatan, advokasi atau publikasi perpustakaan ini yang menjadi dasar praktik ini."),
        error_messages={"invalid_choice": _("Laporan yang dipilih bukan laporan perpustakaan ini.")},
    )
    photos = PhotosField(
        label=_("Foto"),
        help_text=_("Jika ada isian yang salah, pilih fotonya lagi: foto tidak ikut tersimpan sebelum dikirim."),
    )

    def __init__(
        self, *args: Any, library: Library, initial_values: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        current = initial_values or {}
        kwargs["initial"] = current
        super().__init__(*args, **kwargs)
        self._choices("activity_field", vocabulary(VocabularyKind.ACTIVITY_FIELD, current.get("activity_field")))
        self._choices("audience", vocabulary(VocabularyKind.ENGAGEMENT_AUDIENCE, current.get("audience")))
        records = self.fields["records"]
        assert isinstance(records, forms.MultipleChoiceField)
        records.choices = linkable_records(library=library)
        self.prepared: list[PreparedPhoto] = []
        helps = {
            "problem": gettext("Paling banyak %(n)s kata."),
            "steps": gettext("Tulis langkahnya satu per baris. Paling banyak %(n)s kata."),
            "results": gettext(
                "Misalnya jumlah peserta, anggota baru, dukungan yang didapat. Paling banyak %(n)s kata."
            ),
        }
        for name, text in helps.items():
            self.fields[name].help_text = text % {"n": number_format(MAX_WORDS[name], force_grouping=True)}
        self.fields["photos"].label = gettext("Foto (paling banyak %(n)s)") % {"n": MAX_PHOTOS}

    def _choices(self, name: str, values: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Pilih (opsional)")), *values]

    def clean_photos(self) -> list[Any]:
        files = self.cleaned_data.get("photos") or []
        self.prepared = photos_prepare(files=files) if files else []
        return files

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            practice_check_length(fields=cleaned)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        return cleaned

    def entry_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "problem": data["problem"],
            "steps": data["steps"],
            "results": data["results"],
            "people_reached": data.get("people_reached"),
            "activity_field": data.get("activity_field") or "",
            "audience": data.get("audience") or "",
            "cost": data["cost"],
            "advocacy_result": data.get("advocacy_result") or "",
            "focus": list(data.get("focus") or []),
        }

    def record_refs(self) -> list[tuple[str, int]]:
        refs = []
        for value in self.cleaned_data.get("records") or []:
            record_type, _sep, pk = value.partition(":")
            refs.append((record_type, int(pk)))
        return refs


class LibraryChoiceForm(forms.Form):
    """For a facilitator with many libraries: which library the new practice belongs to."""

    perpustakaan = forms.ModelChoiceField(label=_("Perpustakaan"), queryset=Library.objects.none())

    def __init__(self, *args: Any, libraries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["perpustakaan"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = libraries


class ReviewForm(forms.Form):
    ACTIONS = (
        ("publish", _("Terbitkan")),
        ("return", _("Kembalikan")),
        ("public", _("Tampilkan di halaman publik")),
        ("private", _("Hapus dari halaman publik")),
    )

    action = forms.ChoiceField(choices=ACTIONS)
    comment = forms.CharField(
        label=_("Catatan untuk penulis"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_public = forms.BooleanField(label=_("Tampilkan juga di halaman publik /capaian/"), required=False)


class PracticeFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari"), required=False, max_length=200)
    activity_field = forms.ChoiceField(label=_("Bidang kegiatan"), required=False)
    audience = forms.ChoiceField(label=_("Sasaran"), required=False)
    cost = forms.ChoiceField(label=_("Biaya"), required=False, choices=[("", _("Semua biaya")), *Cost.choices])
    advocacy_result = forms.ChoiceField(
        label=_("Hasil advokasi"), required=False, choices=[("", _("Semua hasil")), *AdvocacyOutcome.choices]
    )
    component = forms.ChoiceField(
        label=_("Bagian IKU"), required=False, choices=[("", _("Semua bagian")), *RecordType.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Semua status")), *PracticeStatus.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, kind, empty in (
            ("activity_field", VocabularyKind.ACTIVITY_FIELD, _("Semua bidang")),
            ("audience", VocabularyKind.ENGAGEMENT_AUDIENCE, _("Semua sasaran")),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", empty), *vocabulary(kind)]

    def filters(self) -> PracticeFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return PracticeFilters(
            q=data.get("q") or "",
            activity_field=data.get("activity_field") or "",
            audience=data.get("audience") or "",
            cost=data.get("cost") or "",
            advocacy_result=data.get("advocacy_result") or "",
            component=data.get("component") or "",
            status=data.get("status") or "",
        )
