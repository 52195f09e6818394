"""Forms for league tables and for editing schemes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tpbis.audit.services import decimal_text
from tpbis.kpi.models import Component, Scheme
from tpbis.kpi.selectors import RankingFilters
from tpbis.libraries.forms import cohort_choices
from tpbis.libraries.models import LibraryKind, Support
from tpbis.regions.forms import RegionField


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

    class Meta:
        model = Scheme
        fields = ["name", "effective_from", "effective_until", "library_kinds", "green_above", "yellow_above", "notes"]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "effective_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class ComponentForm(forms.ModelForm):
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
