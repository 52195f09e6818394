from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tpbis.duplicates.models import DuplicateKind, DuplicateStatus, Side


class PairFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(DuplicateStatus.OPEN.value, _("Perlu ditinjau")), ("done", _("Riwayat (sudah ditangani)"))],
    )
    jenis = forms.ChoiceField(
        label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *DuplicateKind.choices]
    )
    wilayah = forms.CharField(label=_("Kode wilayah (provinsi atau kabupaten/kota)"), required=False, max_length=5)


class DismissForm(forms.Form):
    comment = forms.CharField(
        label=_("Alasan (opsional)"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(forms.Form):
    keep = forms.ChoiceField(
        label=_("Yang dipertahankan"),
        choices=Side.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pilih yang dipertahankan."), "invalid_choice": _("Pilih yang dipertahankan.")},
    )
    comment = forms.CharField(
        label=_("Catatan (opsional)"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
