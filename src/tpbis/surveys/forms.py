"""The participant's answer form: consent first, then the standard questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from tpbis.surveys.models import COMMENT_MAX, GAINS, AgeGroup, ComeAgain, Disability, Sex
from tpbis.surveys.services import AnswerDraft

GAIN_CHOICES = [(name.removeprefix("gained_"), label) for name, label in GAINS]
REQUIRED = gettext_lazy("Pilih salah satu.")


def _radio(label: Any, choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": REQUIRED, "invalid_choice": gettext_lazy("Pilihan tidak dikenal.")},
    )


class AnswerForm(forms.Form):
    consent = forms.BooleanField(
        label=gettext_lazy("Saya sudah membaca penjelasan di atas dan bersedia mengisi survei ini."),
        error_messages={"required": gettext_lazy("Centang persetujuan ini untuk mengisi survei.")},
    )
    gains = forms.MultipleChoiceField(
        label=gettext_lazy("Apa yang Anda dapat dari kegiatan ini? (boleh lebih dari satu)"),
        choices=GAIN_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy('Pilih setidaknya satu, atau "Tidak ada".'),
            "invalid_choice": gettext_lazy("Pilihan tidak dikenal."),
            "invalid_list": gettext_lazy("Pilihan tidak dikenal."),
        },
    )
    come_again = _radio(gettext_lazy("Apakah Anda ingin datang lagi ke kegiatan perpustakaan?"), ComeAgain.choices)
    sex = _radio(gettext_lazy("Jenis kelamin"), Sex.choices)
    age_group = _radio(gettext_lazy("Umur"), AgeGroup.choices)
    disability = _radio(gettext_lazy("Apakah Anda penyandang disabilitas?"), Disability.choices)
    comment = forms.CharField(
        label=gettext_lazy("Komentar singkat (tidak wajib)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # People never see this field (hidden by CSS and from screen readers); scripts fill it in.
    website = forms.CharField(required=False, label=gettext_lazy("Jangan diisi"))
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_gains(self) -> list[str]:
        gains: list[str] = self.cleaned_data["gains"]
        if "none" in gains and len(gains) > 1:
            raise forms.ValidationError(gettext_lazy('"Tidak ada" tidak bisa dipilih bersama manfaat lain.'))
        return gains

    def draft(self) -> AnswerDraft:
        data = self.cleaned_data
        return AnswerDraft(
            gains=frozenset("gained_" + value for value in data["gains"]),
            come_again=data["come_again"],
            sex=data["sex"],
            age_group=data["age_group"],
            disability=data["disability"],
            comment=data["comment"],
        )
