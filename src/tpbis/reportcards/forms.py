"""The period of a report card or gathering report: a preset (`?periode=q1`, the dashboards' presets) or
`?mulai=` and `?sampai=`, this year to date by default."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tpbis.dashboards.periods import presets
from tpbis.libraries.models import FIRST_COHORT_YEAR


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


def year_to_date(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(dt.date(today.year, 1, 1), today)


class PeriodForm(forms.Form):
    periode = forms.ChoiceField(label=_("Periode"), required=False)
    mulai = forms.DateField(label=_("Mulai"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sampai = forms.DateField(label=_("Sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = year_to_date()
        self.presets = {p.key: p for p in presets(timezone.localdate())}
        choices = [(key, p.label) for key, p in self.presets.items()]
        periode = self.fields["periode"]
        assert isinstance(periode, forms.ChoiceField)
        periode.choices = [("", _("Tanggal pilihan sendiri")), *choices]
        # Choosing a preset clears the dates and reloads, so the preset is what the page shows
        # (static/js/app.js; an inline onchange would need 'unsafe-inline' in the Content-Security-Policy).
        periode.widget.attrs["data-period-preset"] = ""
        periode.widget.template_name = "reportcards/_select.html"  # the same HTML, its options not included one by one
        self.initial.setdefault("mulai", default.start)
        self.initial.setdefault("sampai", default.end)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        default = year_to_date()
        preset = self.presets.get(str(data.get("periode") or ""))
        if preset is not None and not data.get("mulai") and not data.get("sampai"):
            default = Period(preset.start, preset.end)
        start = data.get("mulai") or default.start
        end = data.get("sampai") or default.end
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        if start > end:
            raise forms.ValidationError(_("Tanggal mulai harus sebelum tanggal sampai."))
        if start.year < FIRST_COHORT_YEAR:
            self.add_error("mulai", _("Program TPBIS dimulai tahun 2018."))
        data["period"] = Period(start, end)
        return data

    def period(self) -> Period:
        """The chosen period, or this year to date when the input is invalid (the form shows why)."""
        if self.is_valid():
            period = self.cleaned_data["period"]
            assert isinstance(period, Period)
            return period
        return year_to_date()
