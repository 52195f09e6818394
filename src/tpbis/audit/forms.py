"""The filter form of the national audit list."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from tpbis.audit.models import AuditAction
from tpbis.audit.selectors import AuditFilters

REGION_CODE = RegexValidator(
    r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$", _("Kode wilayah seperti 35, 35.24 atau 35.24.01.2001.")
)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Pelaku (nama atau email)"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Tindakan"), required=False, choices=[("", _("Semua tindakan"))])
    date_from = forms.DateField(label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.CharField(
        label=_("Kode wilayah"),
        required=False,
        max_length=20,
        validators=[REGION_CODE],
        help_text=_("Provinsi, kabupaten/kota atau desa, mis. 35.24."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", _("Semua tindakan")), *AuditAction.choices]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
        return data

    def filters(self) -> AuditFilters:
        """The valid filters; a field with an error is left out (the form shows why)."""
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        return AuditFilters(
            actor=(data.get("actor") or "").strip(),
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            region=(data.get("region") or "").strip(),
        )
