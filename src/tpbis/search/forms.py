from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy

MIN_LENGTH = 2
MAX_LENGTH = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SPACES = re.compile(r"\s+")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Cari"),
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        error_messages={
            "required": gettext_lazy("Ketik kata yang dicari."),
            "min_length": gettext_lazy("Ketik paling sedikit %(limit_value)d huruf."),
            "max_length": gettext_lazy(
                "Kata pencarian terlalu panjang: paling banyak %(limit_value)d huruf (sekarang %(show_value)d)."
            ),
            "null_characters_not_allowed": gettext_lazy("Kata pencarian berisi karakter yang tidak sah."),
        },
    )

    def clean_q(self) -> str:
        # Control characters (a NUL breaks PostgreSQL) become spaces; runs of spaces become one.
        text = _SPACES.sub(" ", _CONTROL.sub(" ", self.cleaned_data["q"])).strip()
        if len(text) < MIN_LENGTH:
            raise forms.ValidationError(
                gettext_lazy("Ketik paling sedikit %(limit_value)d huruf."), params={"limit_value": MIN_LENGTH}
            )
        return text
