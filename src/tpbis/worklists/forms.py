"""The one input of the work lists: how many days without a record make a library "silent"."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from tpbis.worklists.selectors import SILENT_DAYS


class SilentDaysForm(forms.Form):
    hari = forms.IntegerField(
        label=gettext_lazy("Tanpa laporan selama (hari)"),
        min_value=1,
        max_value=3650,
        required=False,
    )

    def days(self) -> int:
        """The days asked for, or the default when the field is empty or wrong (its error is shown)."""
        if self.is_valid() and self.cleaned_data.get("hari"):
            return int(self.cleaned_data["hari"])
        return SILENT_DAYS
