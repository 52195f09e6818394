"""The preferences form: one channel per kind of notification."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from tpbis.notifications.selectors import PreferenceRow, channel_choices

PREFIX = "channel-"


class PreferencesForm(forms.Form):
    def __init__(self, *args: Any, rows: list[PreferenceRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[PREFIX + row.kind] = forms.ChoiceField(
                label=row.label,
                choices=channel_choices(may_switch_off=row.may_switch_off),
                initial=row.channel,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Pilih salah satu saluran yang tersedia.")},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        known = {PREFIX + row.kind for row in self.rows}
        unknown = sorted(key.removeprefix(PREFIX) for key in self.data if key.startswith(PREFIX) and key not in known)
        if unknown:
            raise forms.ValidationError(
                _("Jenis notifikasi tidak dikenal: %(kinds)s.") % {"kinds": ", ".join(unknown)}, code="unknown_kind"
            )
        return cleaned

    def choices(self) -> dict[str, str]:
        return {name.removeprefix(PREFIX): value for name, value in self.cleaned_data.items()}

    def bound_rows(self) -> list[tuple[PreferenceRow, forms.BoundField]]:
        return [(row, self[PREFIX + row.kind]) for row in self.rows]
