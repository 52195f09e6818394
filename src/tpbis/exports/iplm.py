"""The IPLM census columns of a region's libraries for a year (Perban Perpusnas 7/2025): collection, staff,
members and visits (KTAK), with opening times, internet and location, so partners enter them once (in their
yearly profile) and hand the file to the regional library office."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.exports.exporters import Column, QuerysetExporter, RegionNames, labels
from tpbis.libraries.models import Library, LibraryKind
from tpbis.profiles.forms import filters_from_query
from tpbis.profiles.models import InternetKind
from tpbis.profiles.selectors import profile_rows_for_user


class IplmExporter(QuerysetExporter):
    """One row per active partner expected to state a profile for the year, stated or not (blank cells
    show what is missing); visits summed from the year's monthly visitor records."""

    kind = "iplm"
    title = gettext_lazy("Profil IPLM (KTAK)")

    def __init__(self, *, scope: Scope, params: QueryDict) -> None:
        super().__init__(scope=scope, params=params)
        if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
            raise PermissionDenied
        self.filters = filters_from_query(params=params, scope=scope)
        self.region = self.filters.region
        self.regions = RegionNames()
        self.kinds, self.internet_kinds = labels(LibraryKind), labels(InternetKind)

    def filename(self, extension: str) -> str:
        return super().filename(extension).replace("iplm-", f"iplm-{self.filters.year}-", 1)

    def columns(self) -> list[Column]:
        return [
            Column(_("Tahun"), 8),
            Column(_("ID"), 8),
            Column(_("Nama perpustakaan"), 36),
            Column(_("Jenis"), 24),
            Column(_("NPP"), 14),
            *self.regions.columns(),
            Column(_("Koleksi: jumlah judul"), 12),
            Column(_("Koleksi: jumlah eksemplar"), 12),
            Column(_("Tenaga: dibayar"), 10),
            Column(_("Tenaga: relawan"), 10),
            Column(_("Tenaga: jumlah"), 10),
            Column(_("Tenaga: terlatih"), 10),
            Column(_("Anggota terdaftar"), 12),
            Column(_("Kunjungan setahun (laporan pengunjung)"), 14),
            Column(_("Bulan dengan laporan pengunjung"), 10),
            Column(_("Hari buka per minggu"), 10),
            Column(_("Jam buka per hari"), 10),
            Column(_("Internet"), 8),
            Column(_("Jenis internet"), 18),
            Column(_("Lintang"), 12),
            Column(_("Bujur"), 12),
            Column(_("Profil diisi"), 10),
        ]

    def queryset(self) -> QuerySet[Library]:
        return profile_rows_for_user(scope=self.scope, filters=self.filters)

    def row(self, obj: Library) -> list[Any]:
        cells: list[Any] = [
            self.filters.year,
            obj.pk,
            obj.name,
            self.kinds.get(obj.kind, obj.kind),
            obj.npp or "",
            *self.regions.cells(obj.region),
        ]
        profile = getattr(obj, "p", None)  # the year's profile, set only when there is one
        visits = [obj.visits, obj.visit_months]  # type: ignore[attr-defined]
        if profile is None:
            return [*cells, None, None, None, None, None, None, None, *visits, *([None] * 6), _("Belum")]
        return [
            *cells,
            profile.titles,
            profile.copies,
            profile.staff_paid,
            profile.staff_volunteer,
            profile.staff_total,
            profile.staff_trained,
            profile.members,
            *visits,
            profile.opening_days,
            profile.opening_hours,
            _("Ya") if profile.has_internet else _("Tidak"),
            self.internet_kinds.get(profile.internet_kind, ""),
            profile.latitude,
            profile.longitude,
            _("Ya"),
        ]
