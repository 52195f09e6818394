"""The profile form a manager fills once a year, and the filter of the profile list and its export."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tpbis.accounts.scope import Scope
from tpbis.profiles.models import LibraryProfile
from tpbis.profiles.selectors import ProfileFilters, profile_years
from tpbis.profiles.services import PROFILE_FIELDS
from tpbis.regions.codes import normalize_code

COUNT_FIELDS = ("titles", "copies", "staff_paid", "staff_volunteer", "staff_trained", "members", "opening_days")
NOT_NEGATIVE = _("Tidak boleh negatif; isi 0 bila tidak ada.")
SIX_PLACES = Decimal("0.000001")


class ProfileForm(forms.ModelForm[LibraryProfile]):
    # The version of the profile when the form was opened (0: none yet); saving is conditional on it.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    has_internet = forms.TypedChoiceField(
        label=_("Ada internet di perpustakaan?"),
        choices=[("1", _("Ya")), ("0", _("Tidak"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    # A phone's GPS gives 15 decimals; six (about 10 cm) are kept, whatever was typed.
    latitude = forms.DecimalField(label=_("Lintang"), required=False)
    longitude = forms.DecimalField(label=_("Bujur"), required=False)

    class Meta:
        model = LibraryProfile
        fields = PROFILE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in COUNT_FIELDS:
            field = self.fields[name]
            field.error_messages["min_value"] = NOT_NEGATIVE
            field.widget.attrs.update({"inputmode": "numeric", "min": 1 if name == "opening_days" else 0})
        self.fields["opening_days"].widget.attrs["max"] = 7
        self.fields["opening_hours"].error_messages["min_value"] = NOT_NEGATIVE
        self.fields["opening_hours"].widget.attrs.update(
            {"inputmode": "decimal", "min": "0.5", "max": 24, "step": "0.5"}
        )
        self.fields["internet_kind"].required = False
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "any"})

    def _six_places(self, name: str) -> Decimal | None:
        value: Decimal | None = self.cleaned_data.get(name)
        if value is None:
            return None
        if not value.is_finite():
            raise forms.ValidationError(_("Isi angka, mis. -7.1234."))
        return value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)

    def clean_latitude(self) -> Decimal | None:
        return self._six_places("latitude")

    def clean_longitude(self) -> Decimal | None:
        return self._six_places("longitude")

    def validate_unique(self) -> None:
        """Skipped: one profile per library and year is the service's to keep (a conflict, not an error),
        and the check constraints' rules are the model's clean(), worded for people."""


class ProfileFilterForm(forms.Form):
    """The region and year of the profile list, reused by its export."""

    wilayah = forms.CharField(label=_("Wilayah"), required=False, max_length=20)
    tahun = forms.TypedChoiceField(label=_("Tahun"), required=False, coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year_field = self.fields["tahun"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [(year, str(year)) for year in profile_years()]

    def filters(self, *, scope: Scope) -> ProfileFilters:
        """The filters, with the region checked against the scope: a code outside it, or unknown, is a 404."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        year = data.get("tahun") or timezone.localdate().year
        raw = (self.data.get("wilayah") or "").strip() if self.is_bound else ""
        region = None
        if raw:
            region = normalize_code(raw)
            if region is None or not scope.covers_region(region):
                raise Http404
        elif not scope.national:
            areas = sorted(scope.provinces | scope.regencies)
            region = areas[0] if len(areas) == 1 else None
        return ProfileFilters(region=region, year=year)


def filters_from_query(*, params: QueryDict, scope: Scope) -> ProfileFilters:
    return ProfileFilterForm(params or None).filters(scope=scope)
