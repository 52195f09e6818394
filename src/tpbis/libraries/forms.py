"""Forms for registering partners and filtering the partner list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tpbis.libraries.models import (
    FIRST_COHORT_YEAR,
    REGION_LEVEL_FOR_KIND,
    AccountStatus,
    Library,
    LibraryKind,
    Support,
)
from tpbis.libraries.selectors import LibraryFilters
from tpbis.regions.forms import RegionField
from tpbis.regions.models import Level


def cohort_choices() -> list[tuple[int, int]]:
    return [(year, year) for year in range(timezone.localdate().year + 1, FIRST_COHORT_YEAR - 1, -1)]


class LibraryForm(forms.ModelForm):
    region = RegionField(
        label=_("Wilayah"),
        levels=(Level.PROVINCE, Level.REGENCY, Level.VILLAGE),
        help_text=_(
            "Provinsi untuk perpustakaan provinsi, kabupaten/kota untuk perpustakaan daerah, desa/kelurahan untuk perpustakaan desa dan TBM."
        ),
    )
    cohort_year = forms.TypedChoiceField(label=_("Tahun angkatan"), coerce=int, choices=cohort_choices)

    class Meta:
        model = Library
        fields = [
            "name",
            "kind",
            "region",
            "support",
            "funding_source",
            "cohort_year",
            "npp",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "funding_source": forms.TextInput(attrs={"list": "funding-sources"}),
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["cohort_year"].initial = timezone.localdate().year
        if self.instance.pk and self.instance.region_id:
            self.initial["region"] = self.instance.region_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, region = cleaned.get("kind"), cleaned.get("region")
        if kind and region is not None and region.level != REGION_LEVEL_FOR_KIND[kind]:
            self.add_error("region", _("Tingkat wilayah tidak sesuai dengan jenis perpustakaan."))
        return cleaned


ACTIVE_CHOICES = [("active", _("Aktif")), ("inactive", _("Nonaktif")), ("all", _("Semua"))]


class LibraryFilterForm(forms.Form):
    """One filter form for the partner list, its counts and (later) its export."""

    q = forms.CharField(
        label=_("Cari nama atau NPP"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )
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
    account_status = forms.ChoiceField(
        label=_("Status akun"), required=False, choices=[("", _("Semua status akun")), *AccountStatus.choices]
    )
    active = forms.ChoiceField(label=_("Keaktifan"), required=False, choices=ACTIVE_CHOICES, initial="active")

    def filters(self) -> LibraryFilters:
        """The validated filters; invalid values are dropped (the form shows why)."""
        data = (
            self.cleaned_data
            if self.is_valid()
            else {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        )
        region = data.get("region")
        return LibraryFilters(
            region=region.code if region else None,
            kind=data.get("kind") or None,
            support=data.get("support") or None,
            cohort_year=data.get("cohort_year") or None,
            account_status=data.get("account_status") or None,
            active=data.get("active") or "active",
            q=data.get("q") or "",
        )
