"""Forms for league tables and for editing schemes."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext_lazy as _

from tpbis.audit.services import decimal_text
from tpbis.kpi.models import Component, Scheme
from tpbis.kpi.selectors import RankingFilters
from tpbis.libraries.forms import cohort_choices
from tpbis.libraries.models import LibraryKind, Support
from tpbis.regions.forms import RegionField


class DecimalInput(forms.TextInput):
    """A number typed and shown as the reader's language writes it ("17,5", not "17.50")."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            number = Decimal(str(value)).normalize()
            if number == number.to_integral_value():
                number = number.quantize(Decimal(1))
            return number_format(number, use_l10n=True)
        return super().format_value(value)


class LocalDecimalField(forms.DecimalField):
    """Reads "17,5" and "1.000" in Indonesian (and "17.5", the other habit), "1,000.5" in English."""

    widget = DecimalInput

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = local_number_text(value)
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # No min/max/step: those belong to <input type="number">, which refuses "17,5" in some browsers.
        return {}


def local_number_text(text: str) -> str:
    """A typed number as Python reads it: "1.000,5" → "1000.5" in Indonesian, "1,000.5" → "1000.5" in English."""
    decimal_mark = get_format("DECIMAL_SEPARATOR")
    group_mark = "," if decimal_mark == "." else "."
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if decimal_mark in text:
        return text.replace(group_mark, "").replace(decimal_mark, ".")
    if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group_mark)}\d{{3}})+", text):
        return text.replace(group_mark, "")
    return text


class RankingFilterForm(forms.Form):
    region = RegionField(label=_("Wilayah"), required=False)
    kind = forms.ChoiceField(label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *LibraryKind.choices])
    support = forms.ChoiceField(
        label=_("Dukungan"), required=False, choices=[("", _("Semua dukungan")), *Support.choices]
    )
    cohort_year = forms.TypedChoiceField(
        label=_("Angkatan"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=lambda: [("", _("Semua angkatan")), *cohort_choices()],
    )

    def filters(self) -> RankingFilters:
        """The filters the league table (and its export) apply: an invalid form filters nothing."""
        data = self.cleaned_data if self.is_valid() else {}
        region = data.get("region")
        return RankingFilters(
            region=region.code if region else None,
            kind=data.get("kind") or None,
            support=data.get("support") or None,
            cohort_year=data.get("cohort_year"),
        )


class SchemeForm(forms.ModelForm):
    library_kinds = forms.MultipleChoiceField(
        label=_("Berlaku untuk jenis perpustakaan"),
        required=False,
        choices=LibraryKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosongkan untuk semua jenis."),
    )
    green_above = LocalDecimalField(label=_("Hijau jika skor di atas"), max_digits=5, decimal_places=2)
    yellow_above = LocalDecimalField(label=_("Kuning jika skor di atas"), max_digits=5, decimal_places=2)

    class Meta:
        model = Scheme
        fields = ["name", "effective_from", "effective_until", "library_kinds", "green_above", "yellow_above", "notes"]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "effective_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class ComponentForm(forms.ModelForm):
    target = LocalDecimalField(label=_("Target"), max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    weight = LocalDecimalField(label=_("Bobot (poin)"), max_digits=6, decimal_places=2)
    cap = LocalDecimalField(
        label=_("Batas capaian"),
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("Capaian di atas batas ini tidak dihitung. Kosong berarti sama dengan target."),
    )
    rounding_step = LocalDecimalField(
        label=_("Pembulatan ke bawah kelipatan"), max_digits=6, decimal_places=4, initial=Decimal(0)
    )

    class Meta:
        model = Component
        fields = [
            "label",
            "record_type",
            "measure",
            "field",
            "target",
            "target_growth",
            "weight",
            "cap",
            "rounding_step",
        ]


class BaseComponentFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        total = Decimal(0)
        for form in self.forms:
            data: dict[str, Any] = form.cleaned_data
            if data and not data.get("DELETE"):
                total += data.get("weight") or 0
        if total != 100:
            raise forms.ValidationError(
                _("Jumlah bobot semua komponen harus 100, sekarang %(total)s.") % {"total": decimal_text(total)}
            )


ComponentFormSet = forms.inlineformset_factory(
    Scheme, Component, form=ComponentForm, formset=BaseComponentFormSet, extra=1, can_delete=True
)
