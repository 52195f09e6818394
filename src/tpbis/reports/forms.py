"""Short entry forms, one per record type, sized for a phone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tpbis.regions.forms import RegionField
from tpbis.regions.models import Level
from tpbis.reports.models import (
    Advocacy,
    AdvocacyOutcome,
    CommunityEngagement,
    InformationService,
    Photo,
    Publicity,
    Replication,
    Status,
    Visitors,
    VocabularyKind,
    VocabularyTerm,
)
from tpbis.reports.photos import photos_for
from tpbis.reports.selectors import RecordFilters

MONTHS = [
    (1, _("Januari")),
    (2, _("Februari")),
    (3, _("Maret")),
    (4, _("April")),
    (5, _("Mei")),
    (6, _("Juni")),
    (7, _("Juli")),
    (8, _("Agustus")),
    (9, _("September")),
    (10, _("Oktober")),
    (11, _("November")),
    (12, _("Desember")),
]


def vocabulary(kind: str, current: str | list[str] | None = None) -> list[tuple[str, str]]:
    """Active terms of a vocabulary, plus the record's current value if it has since been retired."""
    values = list(VocabularyTerm.objects.filter(kind=kind, is_active=True).values_list("value", flat=True))
    extra = current if isinstance(current, list) else [current] if current else []
    values += [value for value in extra if value not in values]
    return [(value, value) for value in values]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input; each is checked and re-encoded by the photo service."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        # The label says how many photos are needed; the service checks the count.
        self.optional_in_label = True
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif", "capture": "environment"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(item, initial) for item in files]


class RemovePhotosField(forms.TypedMultipleChoiceField):
    """The record's stored photos, each with a box to tick to remove it while correcting (ids as values)."""

    def __init__(self, *, photos: list[Photo], **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Foto yang sudah tersimpan"))
        kwargs.setdefault("help_text", _("Centang foto yang salah. Foto penggantinya bisa ditambahkan di bawah."))
        super().__init__(
            coerce=int,
            required=False,
            # Numbered as on the record's page, where the facilitator saw "Foto 2".
            choices=[(photo.pk, _("Foto %(n)s") % {"n": number}) for number, photo in enumerate(photos, start=1)],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": _("Foto yang dipilih bukan foto laporan ini.")},
            **kwargs,
        )


class RecordForm(forms.ModelForm):
    """Base: shared date default and the likely-duplicate confirmation.

    With `draft=True` (*Simpan sebagai draf*) nothing is required: what is filled in must still be well
    formed, and the labels keep saying what sending will need.
    """

    confirm_duplicate = forms.BooleanField(
        label=_("Ya, ini kegiatan yang berbeda. Tetap simpan."), required=False, widget=forms.CheckboxInput
    )

    def __init__(self, *args: Any, draft: bool = False, **kwargs: Any) -> None:
        self.draft = draft
        super().__init__(*args, **kwargs)
        if "date" in self.fields:
            self.fields["date"].required = True
            self.fields["date"].widget = DateInput(attrs={"max": timezone.localdate().isoformat()})
            if not self.instance.pk:
                self.fields["date"].initial = timezone.localdate()
        self.fields["confirm_duplicate"].widget.attrs["class"] = "check"
        # Verified evidence stays: its photos are not offered for removal.
        if "photos" in self.fields and self.instance.pk and self.instance.status != Status.VERIFIED:
            photos = list(photos_for(self.instance))
            if photos:
                self.fields["remove_photos"] = RemovePhotosField(photos=photos)

    def full_clean(self) -> None:
        if self.draft:
            for field in self.fields.values():
                if field.required:
                    field.required = False
                    field.optional_in_label = True  # type: ignore[attr-defined]
        super().full_clean()

    def entry_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in {"photos", "remove_photos", "confirm_duplicate"}}


# Rendered together under one legend: either the total or both the men and the women are required.
PARTICIPANT_GROUP = ("participants", "participants_male", "participants_female")


class EngagementForm(RecordForm):
    photos = PhotosField(
        label=_("Foto kegiatan (1–3)"), help_text=_("JPEG, PNG, WebP atau HEIC, paling besar 10 MB per foto.")
    )

    class Meta:
        model = CommunityEngagement
        fields = list(CommunityEngagement.ENTRY_FIELDS)
        widgets = {
            "story": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
            "participants_male": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "participants_female": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "participants_disability": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }
        help_texts = {
            "participants": _("Boleh dikosongkan jika laki-laki dan perempuan diisi: dijumlahkan otomatis."),
            "story": _("Opsional: cerita singkat perubahan yang dialami peserta."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inst = self.instance
        self.fields["activity_field"] = forms.ChoiceField(
            label=_("Bidang kegiatan"),
            choices=[("", _("Pilih bidang kegiatan")), *vocabulary(VocabularyKind.ACTIVITY_FIELD, inst.activity_field)],
        )
        self.fields["activity_kind"] = forms.ChoiceField(
            label=_("Jenis kegiatan"),
            choices=vocabulary(VocabularyKind.ACTIVITY_KIND, inst.activity_kind),
            widget=forms.RadioSelect,
        )
        self.fields["audience"] = forms.ChoiceField(
            label=_("Sasaran"),
            choices=[("", _("Pilih sasaran")), *vocabulary(VocabularyKind.ENGAGEMENT_AUDIENCE, inst.audience)],
        )
        self.fields["participants"].required = False
        # The three counts are one group whose legend says what is required (one of two ways), so none
        # of them is labelled "(opsional)".
        for name in PARTICIPANT_GROUP:
            self.fields[name].optional_in_label = True  # type: ignore[attr-defined]
        # A new activity needs 1–3 photos (the view checks the count): not "(opsional)" on the form.
        self.fields["photos"].required = not inst.pk
        self.order_fields([*self.Meta.fields, "remove_photos", "photos", "confirm_duplicate"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        male, female = cleaned.get("participants_male"), cleaned.get("participants_female")
        # A correction that changes only the split must not trip over the old total left in its box.
        total_untouched = self.instance.pk and "participants" not in self.changed_data
        if male is not None and female is not None and (cleaned.get("participants") is None or total_untouched):
            cleaned["participants"] = male + female
        if cleaned.get("participants") is None and "participants" not in self.errors and not self.draft:
            self.add_error("participants", _("Isi jumlah peserta, atau jumlah laki-laki dan perempuan."))
        return cleaned


class AdvocacyForm(RecordForm):
    photos = PhotosField(
        label=_("Foto (opsional, paling banyak 3)"),
        help_text=_("JPEG, PNG, WebP atau HEIC, paling besar 10 MB per foto."),
    )

    class Meta:
        model = Advocacy
        fields = list(Advocacy.ENTRY_FIELDS)
        widgets = {
            "outcome": forms.RadioSelect,
            "amount": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 1000}),
            "resource_persons": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "goods": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inst = self.instance
        self.fields["targets"] = forms.MultipleChoiceField(
            label=_("Sasaran advokasi"),
            choices=vocabulary(VocabularyKind.ADVOCACY_TARGET, list(inst.targets or [])),
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["regulation_kind"] = forms.ChoiceField(
            label=_("Jenis regulasi"),
            required=False,
            choices=[("", "—"), *vocabulary(VocabularyKind.REGULATION_KIND, inst.regulation_kind)],
        )
        self.fields["regulation_date"].widget = DateInput()
        # Radios with none ticked until the person chooses: the model's blank "---------" is no outcome.
        self.fields["outcome"].choices = AdvocacyOutcome.choices  # type: ignore[attr-defined]
        for name in ("amount", "resource_persons", "goods"):
            self.fields[name].required = False
        self.order_fields([*self.Meta.fields, "remove_photos", "photos", "confirm_duplicate"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("amount", "resource_persons", "goods"):
            if cleaned.get(name) is None:
                cleaned[name] = 0
        return cleaned


class PublicityForm(RecordForm):
    link = forms.URLField(label=_("Tautan"), assume_scheme="https", max_length=1000)

    class Meta:
        model = Publicity
        fields = list(Publicity.ENTRY_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["media_kind"] = forms.ChoiceField(
            label=_("Jenis publikasi"),
            choices=vocabulary(VocabularyKind.MEDIA_KIND, self.instance.media_kind),
            widget=forms.RadioSelect,
        )
        self.fields["media_name"].widget.attrs["placeholder"] = _("mis. Instagram, Radar Bromo, RRI")
        self.order_fields([*self.Meta.fields, "confirm_duplicate"])


def _month_year_fields(form: forms.ModelForm) -> None:
    today = timezone.localdate()
    form.fields["month"] = forms.TypedChoiceField(label=_("Bulan"), coerce=int, choices=MONTHS, initial=today.month)
    form.fields["year"] = forms.TypedChoiceField(
        label=_("Tahun"), coerce=int, choices=[(y, y) for y in range(today.year, 2017, -1)], initial=today.year
    )


class InformationServiceForm(RecordForm):
    class Meta:
        model = InformationService
        fields = list(InformationService.ENTRY_FIELDS)
        widgets = {
            name: forms.NumberInput(attrs={"inputmode": "numeric", "min": 0})
            for name in ("books", "digital_books", "computers")
        }
        help_texts = {"bandwidth": _("Kecepatan internet dalam Mbps; 0 jika tidak ada.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _month_year_fields(self)
        self.fields["bandwidth"].widget.attrs.update({"inputmode": "decimal", "min": 0, "step": "0.1"})
        del self.fields["confirm_duplicate"]
        self.order_fields(self.Meta.fields)


class VisitorsForm(RecordForm):
    class Meta:
        model = Visitors
        fields = ["month", "year", "male", "female"]
        widgets = {name: forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}) for name in ("male", "female")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _month_year_fields(self)
        del self.fields["confirm_duplicate"]
        self.order_fields(self.Meta.fields)

    def entry_data(self) -> dict[str, Any]:
        data = super().entry_data()
        data["total"] = (data.get("male") or 0) + (data.get("female") or 0)
        return data


class ReplicationForm(RecordForm):
    region = RegionField(label=_("Provinsi atau kabupaten/kota"), levels=(Level.PROVINCE, Level.REGENCY))

    class Meta:
        model = Replication
        fields = list(Replication.ENTRY_FIELDS)
        widgets = {"funds": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "step": 1000})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"] = forms.TypedChoiceField(
            label=_("Tahun anggaran"),
            coerce=int,
            choices=[(y, y) for y in range(today.year, 2017, -1)],
            initial=today.year,
        )
        self.fields["funding_source"] = forms.ChoiceField(
            label=_("Sumber dana"),
            choices=[
                ("", _("Pilih sumber dana")),
                *vocabulary(VocabularyKind.FUNDING_SOURCE, self.instance.funding_source),
            ],
        )
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id
        del self.fields["confirm_duplicate"]
        self.order_fields(self.Meta.fields)


FORMS: dict[type[Any], type[RecordForm]] = {
    CommunityEngagement: EngagementForm,
    Advocacy: AdvocacyForm,
    Publicity: PublicityForm,
    InformationService: InformationServiceForm,
    Visitors: VisitorsForm,
    Replication: ReplicationForm,
}


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Apa yang perlu diperbaiki?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecordFilterForm(forms.Form):
    start = forms.DateField(label=_("Dari tanggal"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Sampai tanggal"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Semua status")), *Status.choices])
    activity_field = forms.ChoiceField(label=_("Bidang kegiatan"), required=False)
    region = RegionField(label=_("Wilayah"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["activity_field"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Semua bidang")), *vocabulary(VocabularyKind.ACTIVITY_FIELD)]

    def filters(self, *, library_id: int | None = None) -> RecordFilters:
        """The filters the list (and its export) apply: an invalid form filters nothing."""
        data = self.cleaned_data if self.is_valid() else {}
        region = data.get("region")
        return RecordFilters(
            start=data.get("start"),
            end=data.get("end"),
            status=data.get("status") or None,
            activity_field=data.get("activity_field") or None,
            region=region.code if region else None,
            library_id=library_id,
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("Tanggal akhir sebelum tanggal awal."))
        return cleaned
