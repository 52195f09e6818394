"""Forms of the data-quality pages: the national team's outlier settings, the region filter, a follow-up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tpbis.quality.measures import Measure
from tpbis.quality.models import FollowUp
from tpbis.quality.services import Bounds
from tpbis.regions.forms import RegionField


class OutlierSettingsForm(forms.Form):
    threshold = forms.DecimalField(
        label=_("Ambang skor z"),
        max_digits=4,
        decimal_places=1,
        localize=True,
        help_text=_("Biasanya 3,0. Makin kecil, makin banyak nilai yang ditandai."),
        error_messages={"invalid": _("Tulis angka, mis. 3 atau 3,5.")},
    )

    def __init__(self, *args: Any, bounds: Bounds | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for measure in Measure:
            low, high = (bounds or {}).get(measure.value, (None, None))
            for suffix, label, initial in (("min", _("batas bawah"), low), ("max", _("batas atas"), high)):
                self.fields[f"{measure.value}_{suffix}"] = forms.DecimalField(
                    label=f"{measure.label}: {label}",
                    required=False,
                    min_value=0,
                    max_digits=12,
                    decimal_places=2,
                    localize=True,
                    initial=initial,
                    error_messages={"min_value": _("Batas tidak boleh negatif.")},
                )

    def clean_threshold(self) -> Decimal:
        value: Decimal = self.cleaned_data["threshold"]
        if value <= 0:
            raise forms.ValidationError(_("Ambang harus lebih dari 0"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for measure in Measure:
            low, high = data.get(f"{measure.value}_min"), data.get(f"{measure.value}_max")
            if low is not None and high is not None and low > high:
                self.add_error(f"{measure.value}_min", _("Batas bawah tidak boleh lebih dari batas atas."))
        return data

    def bounds(self) -> Bounds:
        data = self.cleaned_data
        return {m.value: (data.get(f"{m.value}_min"), data.get(f"{m.value}_max")) for m in Measure}

    def measure_rows(self) -> list[tuple[str, Any, Any]]:
        return [(str(m.label), self[f"{m.value}_min"], self[f"{m.value}_max"]) for m in Measure]


class FlagFilterForm(forms.Form):
    wilayah = RegionField(label=_("Wilayah"), required=False)
    status = forms.ChoiceField(label=_("Tindak lanjut"), required=False, choices=[("", _("Semua")), *FollowUp.choices])


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Tindak lanjut"),
        choices=[(s.value, s.label) for s in (FollowUp.CHECKED, FollowUp.CONFIRMED, FollowUp.CORRECTED)],
    )
    note = forms.CharField(
        label=_("Catatan"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
