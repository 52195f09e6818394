"""Forms of a gathering: the plan, the invitees, attendance, practices, follow-ups and materials."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tpbis.accounts.scope import Scope
from tpbis.dashboards.periods import dates_check, presets
from tpbis.gatherings.materials import MAX_MATERIAL_BYTES, PreparedFile, material_prepare
from tpbis.gatherings.models import Gathering
from tpbis.gatherings.selectors import facilitators_for_invited, invited_libraries, organisable_regions
from tpbis.gatherings.services import GatheringData
from tpbis.libraries.models import Library
from tpbis.practices.models import Practice, PracticeStatus

SPEAKER_SEPARATOR = re.compile(r"\s+[-–—]\s+|\s*;\s*")
MAX_SPEAKERS = 20
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def speakers_parse(text: str) -> list[tuple[str, str]]:
    """ "Nama - Peran" per line; the line number of the first one without a role is the error."""
    speakers = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = SPEAKER_SEPARATOR.split(line.strip(), maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ValidationError(
                _('Baris %(n)s: tulis nama dan peran dipisah tanda minus, mis. "Ibu Rina - Pelatih Ahli".')
                % {"n": number}
            )
        name, role = parts[0].strip(), parts[1].strip()
        if len(name) > 150 or len(role) > 100:
            raise ValidationError(_("Baris %(n)s terlalu panjang.") % {"n": number})
        speakers.append((name, role))
    if len(speakers) > MAX_SPEAKERS:
        raise ValidationError(_("Paling banyak %(n)s pembicara.") % {"n": MAX_SPEAKERS})
    return speakers


def speakers_text(speakers: list[dict[str, str]]) -> str:
    return "\n".join(f"{s['name']} - {s['role']}" for s in speakers)


class GatheringForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Judul"), max_length=200)
    date = forms.DateField(label=gettext_lazy("Tanggal"), widget=DATE)
    start_time = forms.TimeField(label=gettext_lazy("Jam mulai"), widget=TIME)
    end_time = forms.TimeField(label=gettext_lazy("Jam selesai"), widget=TIME)
    online_link = forms.URLField(
        label=gettext_lazy("Tautan pertemuan daring"), required=False, max_length=500, assume_scheme="https"
    )
    place = forms.CharField(label=gettext_lazy("Tempat (jika tatap muka)"), required=False, max_length=300)
    region = forms.ChoiceField(label=gettext_lazy("Wilayah"))
    periode = forms.ChoiceField(label=gettext_lazy("Periode laporan yang dipaparkan"), required=False)
    period_start = forms.DateField(label=gettext_lazy("Periode mulai"), required=False, widget=DATE)
    period_end = forms.DateField(label=gettext_lazy("Periode sampai"), required=False, widget=DATE)
    speakers = forms.CharField(
        label=gettext_lazy("Pembicara"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy('Satu per baris: nama - peran, mis. "Ibu Rina - Pelatih Ahli".'),
    )
    agenda = forms.CharField(
        label=gettext_lazy("Agenda"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    invite = forms.ChoiceField(
        label=gettext_lazy("Perpustakaan yang diundang"),
        choices=[
            ("all", gettext_lazy("Semua mitra di wilayah ini")),
            ("select", gettext_lazy("Pilih sendiri (sesudah disimpan)")),
        ],
        initial="all",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, scope: Scope, gathering: Gathering | None = None, **kwargs: Any) -> None:
        if gathering is not None:  # also for a bound form: disabled fields take their value from here
            kwargs["initial"] = {
                "title": gathering.title,
                "date": gathering.date,
                "start_time": gathering.start_time,
                "end_time": gathering.end_time,
                "online_link": gathering.online_link,
                "place": gathering.place,
                "region": gathering.region_id,
                "period_start": gathering.period_start,
                "period_end": gathering.period_end,
                "speakers": speakers_text(gathering.speakers),
                "agenda": gathering.agenda,
                "invite": "all" if gathering.invite_all else "select",
            }
        super().__init__(*args, **kwargs)
        self.gathering = gathering
        self.presets = {p.key: p for p in presets(timezone.localdate())}
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = [(r.code, r.name) for r in organisable_regions(scope=scope)]
        periode = self.fields["periode"]
        assert isinstance(periode, forms.ChoiceField)
        periode.choices = [("", _("Tanggal pilihan sendiri")), *((k, p.label) for k, p in self.presets.items())]
        if gathering is not None and gathering.is_started:
            # The figures were frozen for this region and period: they are part of the record now.
            for name in ("region", "periode", "period_start", "period_end"):
                self.fields[name].disabled = True

    def clean_speakers(self) -> list[tuple[str, str]]:
        return speakers_parse(self.cleaned_data.get("speakers") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("Jam selesai harus sesudah jam mulai."))
        if not data.get("online_link") and not data.get("place"):
            self.add_error("online_link", _("Isi tautan pertemuan daring atau tempatnya."))
        self._clean_period(data)
        return data

    def _clean_period(self, data: dict[str, Any]) -> None:
        if self.gathering is not None and self.gathering.is_started:
            data["period_start"], data["period_end"] = self.gathering.period_start, self.gathering.period_end
            return
        preset = self.presets.get(str(data.get("periode") or ""))
        if preset is not None and not data.get("period_start") and not data.get("period_end"):
            data["period_start"], data["period_end"] = preset.start, preset.end
            return
        if "period_start" in self.errors or "period_end" in self.errors:
            return
        if not data.get("period_start") and not data.get("period_end"):
            self.add_error("periode", _("Pilih periode laporan, atau isi tanggal mulai dan sampai."))
            return
        errors = dates_check(data.get("period_start"), data.get("period_end"), timezone.localdate())
        for key, message in errors.items():
            self.add_error("period_start" if key == "start" else "period_end", message)

    def gathering_data(self) -> GatheringData:
        d = self.cleaned_data
        return GatheringData(
            title=d["title"].strip(),
            date=d["date"],
            start_time=d["start_time"],
            end_time=d["end_time"],
            region_code=d["region"],
            period_start=d["period_start"],
            period_end=d["period_end"],
            online_link=d["online_link"],
            place=d["place"].strip(),
            speakers=tuple(d["speakers"]),
            agenda=d["agenda"].strip(),
            invite_all=d["invite"] == "all",
        )


class InviteesForm(forms.Form):
    libraries = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Perpustakaan yang diundang"),
        queryset=Library.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["libraries"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = partners


class AttendanceForm(forms.Form):
    """One checkbox per manager of an invited library: "user_id:library_id"."""

    present = forms.MultipleChoiceField(
        label=gettext_lazy("Hadir"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, managers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(f"{m.user_id}:{m.library_id}", f"{m.user.full_name} · {m.library.name}") for m in managers]

    def pairs(self) -> set[tuple[int, int]]:
        pairs = set()
        for value in self.cleaned_data["present"]:
            user_id, library_id = value.split(":")
            pairs.add((int(user_id), int(library_id)))
        return pairs


class _InvitedLibraryForm(forms.Form):
    library = forms.ModelChoiceField(label=gettext_lazy("Perpustakaan"), queryset=Library.objects.none())

    def __init__(self, *args: Any, gathering: Gathering, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["library"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = invited_libraries(gathering).order_by("name", "pk")


class _PracticeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.library.name}: {obj.title}"


class PracticeForm(_InvitedLibraryForm):
    practice = _PracticeChoice(
        label=gettext_lazy("Dari pustaka praktik baik"),
        queryset=Practice.objects.none(),
        required=False,
        help_text=gettext_lazy("Pilih jika praktiknya sudah terbit; judul boleh dikosongkan."),
    )
    title = forms.CharField(label=gettext_lazy("Judul praktik"), max_length=200, required=False)
    summary = forms.CharField(
        label=gettext_lazy("Ringkasan"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, gathering: Gathering, **kwargs: Any) -> None:
        super().__init__(*args, gathering=gathering, **kwargs)
        practice = self.fields["practice"]
        assert isinstance(practice, forms.ModelChoiceField)
        practice.queryset = (
            Practice.objects.filter(
                status=PracticeStatus.PUBLISHED, library_id__in=gathering.invitees.values("library_id")
            )
            .select_related("library")
            .order_by("library__name", "title")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        practice, library = data.get("practice"), data.get("library")
        if practice is not None and library is not None and practice.library_id != library.pk:
            self.add_error("practice", _("Praktik ini milik perpustakaan lain."))
        if not data.get("title"):
            if practice is None:
                self.add_error("title", _("Isi judul praktik, atau pilih dari pustaka praktik baik."))
            else:
                data["title"] = practice.title
        return data


class FollowUpForm(_InvitedLibraryForm):
    problem = forms.CharField(label=gettext_lazy("Masalah"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    action = forms.CharField(
        label=gettext_lazy("Tindak lanjut yang disepakati"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.TypedChoiceField(label=gettext_lazy("Penanggung jawab (fasilitator)"), coerce=int)
    due_date = forms.DateField(label=gettext_lazy("Tenggat"), widget=DATE)

    def __init__(self, *args: Any, gathering: Gathering, **kwargs: Any) -> None:
        super().__init__(*args, gathering=gathering, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.TypedChoiceField)
        # Every facilitator of an invited library's kabupaten/kota (one query); the service checks the pair.
        choices: dict[int, str] = {}
        for membership in facilitators_for_invited(gathering):
            region = membership.region.short_name if membership.region else ""
            choices.setdefault(membership.user_id, f"{membership.user.full_name} · {region}")
        owner.choices = [("", "—"), *sorted(choices.items(), key=lambda c: c[1])]

    def clean_due_date(self) -> dt.date:
        due = self.cleaned_data["due_date"]
        assert isinstance(due, dt.date)
        if due < timezone.localdate() - dt.timedelta(days=365):
            raise ValidationError(_("Tenggat terlalu jauh di masa lalu."))
        return due


class MaterialForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Judul materi"), max_length=200)
    url = forms.URLField(label=gettext_lazy("Tautan"), required=False, max_length=500, assume_scheme="https")
    file = forms.FileField(
        label=gettext_lazy("Berkas (PDF, PPTX, ODP; paling besar 20 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.pptx,.odp"}),
    )

    def clean_file(self) -> PreparedFile | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size > MAX_MATERIAL_BYTES:
            raise ValidationError(_("Berkas lebih dari 20 MB."))
        return material_prepare(name=upload.name, data=upload.read())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("url") and not data.get("file") and "file" not in self.errors:
            self.add_error("url", _("Isi tautan atau pilih berkas."))
        return data
