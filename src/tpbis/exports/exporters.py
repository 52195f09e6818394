"""Every list as rows: one exporter class per list, built from the user's scope and the list's own
filter form, so an export holds exactly the rows the page shows.

An exporter only yields rows of Python values (str, int, Decimal, date, None); `renderers` turns them
into CSV or XLSX.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Choices, Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.dashboards.periods import period_from_query
from tpbis.dashboards.selectors import child_region_rows, default_region_code
from tpbis.kpi.forms import RankingFilterForm
from tpbis.kpi.models import Colour, CurrentScore
from tpbis.kpi.selectors import ranking
from tpbis.libraries.forms import LibraryFilterForm
from tpbis.libraries.models import AccountStatus, Library, LibraryKind, Support
from tpbis.libraries.selectors import LibraryFilters, library_get_for_user, library_list_for_user
from tpbis.regions.codes import normalize_code
from tpbis.regions.models import Level, Region
from tpbis.reports.forms import RecordFilterForm
from tpbis.reports.models import Photo, Replication, Status
from tpbis.reports.selectors import record_list_for_user, record_model

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Column:
    label: StrOrPromise
    width: int = 14  # characters, for the XLSX column


class Exporter(ABC):
    """A list as a header and a stream of rows, read in chunks so memory stays flat at any size."""

    kind: str = ""
    title: StrOrPromise = ""

    def __init__(self, *, scope: Scope, params: QueryDict) -> None:
        self.scope = scope
        self.params = params
        self.region: str | None = None  # the region filter, for the file name

    @abstractmethod
    def columns(self) -> list[Column]:
        """Implemented by each exporter."""

    @abstractmethod
    def count(self) -> int:
        """How many rows the export will have (decides between direct download and background job)."""

    @abstractmethod
    def rows(self) -> Iterator[list[Any]]:
        """The data rows, in the columns' order."""

    def filename(self, extension: str) -> str:
        """`mitra-35.24-2026-11-22.xlsx`: what, where, and the day it was made."""
        parts = [self.kind, self.region or _single_area(self.scope), timezone.localdate().isoformat()]
        return "-".join(p for p in parts if p) + "." + extension

    def sheet_name(self) -> str:
        # Excel refuses sheet names over 31 characters or with any of []:*?/\
        return "".join(c for c in str(self.title) if c not in "[]:*?/\\")[:31]

    def _check_region(self, code: str | None) -> None:
        # Same rule as the list pages: a region filter outside the user's areas reveals nothing.
        if code and not self.scope.national and not self.scope.covers_region(code):
            raise Http404


class QuerysetExporter(Exporter):
    """An export of a queryset, read 2,000 rows at a time."""

    @abstractmethod
    def queryset(self) -> QuerySet[Any]:
        """The rows the list page shows, scoped and filtered."""

    @abstractmethod
    def row(self, obj: Any) -> list[Any]:
        """One object as cells."""

    def count(self) -> int:
        return self.queryset().count()

    def rows(self) -> Iterator[list[Any]]:
        for obj in self.queryset().iterator(chunk_size=CHUNK_SIZE):
            yield self.row(obj)


def _single_area(scope: Scope) -> str | None:
    areas = scope.provinces | scope.regencies
    if scope.national or len(areas) != 1:
        return None
    return next(iter(areas))


class RegionNames:
    """Province and kabupaten/kota names by code, read once per export (about 550 short rows)."""

    def __init__(self) -> None:
        self.names = dict(Region.objects.filter(level__lte=Level.REGENCY).values_list("code", "name"))

    @staticmethod
    def columns() -> list[Column]:
        return [
            Column(_("Provinsi"), 18),
            Column(_("Kabupaten/Kota"), 22),
            Column(_("Kecamatan"), 18),
            Column(_("Desa/Kelurahan"), 18),
            Column(_("Kode wilayah"), 14),
        ]

    def cells(self, region: Region) -> list[Any]:
        """Province, kabupaten/kota, kecamatan and village of a region (needs `region.parent` loaded)."""
        code = region.code
        district = region if region.level == Level.DISTRICT else None
        if region.level == Level.VILLAGE:
            district = region.parent
        return [
            self.names.get(code[:2], ""),
            self.names.get(code[:5], "") if region.level >= Level.REGENCY else "",
            district.name if district else "",
            region.name if region.level == Level.VILLAGE else "",
            code,
        ]


def labels(choices: type[Choices]) -> dict[Any, str]:
    """Value → label in the active language, translated once per export rather than once per cell."""
    return {value: str(label) for value, label in choices.choices}


def _yes_no(value: bool) -> str:
    return _("Ya") if value else _("Tidak")


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


class PartnerExporter(QuerysetExporter):
    """The partner list (*mitra*) with account status; contacts included because the people who
    follow up libraries without an account work from this file."""

    kind = "mitra"
    title = gettext_lazy("Perpustakaan mitra")

    def __init__(self, *, scope: Scope, params: QueryDict) -> None:
        super().__init__(scope=scope, params=params)
        if not Scope.at_least(scope.highest_role, Role.MANAGER):
            raise PermissionDenied
        form = LibraryFilterForm(params or None)
        self.filters = form.filters() if params else LibraryFilters()
        self._check_region(self.filters.region)
        self.region = self.filters.region
        self.regions = RegionNames()
        self.kinds, self.supports = labels(LibraryKind), labels(Support)
        self.statuses = labels(AccountStatus)

    def columns(self) -> list[Column]:
        return [
            Column(_("ID"), 8),
            Column(_("Nama perpustakaan"), 36),
            Column(_("Jenis"), 24),
            Column(_("Dukungan"), 16),
            Column(_("Sumber dana"), 16),
            Column(_("Angkatan"), 10),
            Column(_("NPP"), 14),
            *self.regions.columns(),
            Column(_("Status akun"), 16),
            Column(_("Aktif"), 8),
            Column(_("Alamat"), 30),
            Column(_("Nama kontak"), 20),
            Column(_("Telepon/WhatsApp"), 16),
            Column(_("Email kontak"), 24),
            Column(_("Terdaftar"), 12),
        ]

    def queryset(self) -> QuerySet[Library]:
        return library_list_for_user(scope=self.scope, filters=self.filters)

    def row(self, obj: Library) -> list[Any]:
        return [
            obj.pk,
            obj.name,
            self.kinds.get(obj.kind, obj.kind),
            self.supports.get(obj.support, obj.support),
            obj.funding_source,
            obj.cohort_year,
            obj.npp or "",
            *self.regions.cells(obj.region),
            self.statuses.get(obj.account_status, ""),  # type: ignore[attr-defined]
            _yes_no(obj.is_active),
            obj.address,
            obj.contact_name,
            obj.contact_phone,
            obj.contact_email,
            _local_date(obj.created_at),
        ]


class RecordExporter(QuerysetExporter):
    """Records of one type (pelibatan, advokasi, ...) with their library, region, status and every
    entry field, in the columns' order of the entry form."""

    def __init__(self, *, scope: Scope, params: QueryDict, record_type: str) -> None:
        super().__init__(scope=scope, params=params)
        self.kind = record_type
        self.model = record_model(record_type)
        self.title = capfirst(self.model._meta.verbose_name_plural)
        if scope.is_empty:
            raise PermissionDenied
        library_id = None
        raw_library = params.get("perpustakaan", "")
        if raw_library.isdigit():
            library_id = library_get_for_user(scope=scope, pk=int(raw_library)).pk
        self.filters = RecordFilterForm(params or None).filters(library_id=library_id)
        self._check_region(self.filters.region)
        self.region = self.filters.region
        self.is_library_record = self.model is not Replication
        self.fields = [name for name in self.model.ENTRY_FIELDS if name != "region"]
        self.regions = RegionNames()
        self.statuses = labels(Status)

    def columns(self) -> list[Column]:
        columns = [Column(_("ID"), 8)]
        if self.is_library_record:
            columns.append(Column(_("Perpustakaan"), 32))
        columns += self.regions.columns()
        for name in self.fields:
            field = self.model._meta.get_field(name)
            columns.append(Column(capfirst(field.verbose_name), 30 if name in {"title", "story"} else 14))
        columns += [Column(_("Status"), 18), Column(_("Tanggal input"), 12), Column(_("Tanggal verifikasi"), 12)]
        if self.is_library_record:
            columns.append(Column(_("Jumlah lampiran"), 10))
        return columns

    def queryset(self) -> QuerySet[Any]:
        # A draft is unfinished work on the manager's phone, not a report: it is never exported.
        qs = record_list_for_user(model=self.model, scope=self.scope, filters=self.filters).exclude(status=Status.DRAFT)
        if not self.is_library_record:
            return qs.select_related("region__parent")
        photos = (
            Photo.objects.filter(content_type=ContentType.objects.get_for_model(self.model), object_id=OuterRef("pk"))
            .order_by()
            .values("object_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return qs.select_related("library__region__parent").annotate(
            photo_count=Coalesce(Subquery(photos, output_field=IntegerField()), 0)
        )

    def row(self, obj: Any) -> list[Any]:
        region = obj.region if not self.is_library_record else obj.library.region
        cells: list[Any] = [obj.pk]
        if self.is_library_record:
            cells.append(obj.library.name)
        cells += self.regions.cells(region)
        cells += [self._value(obj, name) for name in self.fields]
        cells += [self.statuses.get(obj.status, obj.status), obj.input_date, _local_date(obj.verified_at)]
        if self.is_library_record:
            external = [url for url in obj.external_attachments.split(",") if url]
            cells.append(obj.photo_count + len(external))
        return cells

    @staticmethod
    def _value(obj: Any, name: str) -> Any:
        value = getattr(obj, name)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        display = getattr(obj, f"get_{name}_display", None)
        return str(display()) if display else value


class RankingExporter(QuerysetExporter):
    """The KPI league table: rank, library, region, score and colour."""

    kind = "peringkat"
    title = gettext_lazy("Peringkat IKU")

    def __init__(self, *, scope: Scope, params: QueryDict) -> None:
        super().__init__(scope=scope, params=params)
        if scope.is_empty:
            raise PermissionDenied
        self.filters = RankingFilterForm(params or None).filters()
        self._check_region(self.filters.region)
        self.region = self.filters.region
        self.regions = RegionNames()
        self.kinds, self.colours = labels(LibraryKind), labels(Colour)
        self._queryset: QuerySet[CurrentScore] | None = None

    def columns(self) -> list[Column]:
        return [
            Column(_("Peringkat"), 10),
            Column(_("Perpustakaan"), 36),
            Column(_("Jenis"), 24),
            *self.regions.columns(),
            Column(_("Skor"), 8),
            Column(_("Warna"), 16),
            Column(_("Per tanggal"), 12),
        ]

    def queryset(self) -> QuerySet[CurrentScore]:
        # ranking() rescores stale libraries first; do it once for the count and the rows.
        if self._queryset is None:
            self._queryset = ranking(scope=self.scope, filters=self.filters)
        return self._queryset

    def rows(self) -> Iterator[list[Any]]:
        for rank, obj in enumerate(self.queryset().iterator(chunk_size=CHUNK_SIZE), start=1):
            yield [rank, *self.row(obj)]

    def row(self, obj: CurrentScore) -> list[Any]:
        library = obj.library
        return [
            library.name,
            self.kinds.get(library.kind, library.kind),
            *self.regions.cells(library.region),
            obj.score,
            self.colours.get(obj.colour, obj.colour),
            obj.as_of,
        ]


class ChildRegionExporter(Exporter):
    """The dashboard's table of child regions for a region and period, sorted as on the page."""

    kind = "wilayah"
    title = gettext_lazy("Per wilayah")

    def __init__(self, *, scope: Scope, params: QueryDict) -> None:
        super().__init__(scope=scope, params=params)
        if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
            raise PermissionDenied
        raw = params.get("wilayah", "").strip()
        code = normalize_code(raw) if raw else default_region_code(scope=scope)
        if raw and code is None:
            raise Http404
        self.region = code
        self.period, _errors = period_from_query(params, timezone.localdate())
        self.sort = params.get("urut", "kode")
        self._rows: list[Any] | None = None

    def _child_rows(self) -> list[Any]:
        if self._rows is None:
            self._rows = child_region_rows(
                scope=self.scope,
                region_code=self.region,
                start=self.period.start,
                end=self.period.end,
                sort=self.sort,
            )
        return self._rows

    def columns(self) -> list[Column]:
        columns = [
            Column(_("Kode wilayah"), 14),
            Column(_("Wilayah"), 28),
            Column(_("Mulai"), 12),
            Column(_("Sampai"), 12),
            Column(_("Mitra"), 10),
            Column(_("Tanpa akun"), 10),
            Column(_("% tanpa akun"), 10),
        ]
        for record_type in CHILD_RECORD_TYPES:
            label = KIND_LABELS[record_type]
            columns += [
                Column(_("%(type)s (dikirim)") % {"type": label}, 14),
                Column(_("%(type)s (terverifikasi)") % {"type": label}, 14),
            ]
        columns += [Column(_("Peserta"), 10)]
        columns += [Column(label, 12) for label in labels(Colour).values()]
        columns.append(Column(_("% hijau"), 10))
        # Monthly visitor reports (dashboards/rates.py); a rate is empty when nothing is expected.
        return [
            *columns,
            Column(_("Laporan pengunjung diharapkan"), 14),
            Column(_("Laporan pengunjung masuk"), 14),
            Column(_("Laporan pengunjung tepat waktu"), 14),
            Column(_("% laporan pengunjung masuk"), 14),
            Column(_("% laporan pengunjung tepat waktu"), 14),
        ]

    def count(self) -> int:
        return len(self._child_rows())

    def rows(self) -> Iterator[list[Any]]:
        # A few hundred aggregated rows at most (the kecamatan of a kabupaten, the villages of a
        # kecamatan): computed by the dashboard's GROUP BYs, not read row by row.
        for row in self._child_rows():
            yield self.row(row)

    def row(self, obj: Any) -> list[Any]:
        name = obj.region.name
        if obj.is_parent_level:
            name = _("Tingkat %(name)s") % {"name": name}
        cells: list[Any] = [
            obj.region.code,
            name,
            self.period.start,
            self.period.end,
            obj.partners,
            obj.without_account,
            obj.without_account_pct,
        ]
        for record_type in CHILD_RECORD_TYPES:
            counts = obj.records.get(record_type)
            cells += [counts.submitted if counts else 0, counts.verified if counts else 0]
        cells.append(obj.participants)
        cells += [obj.colours.count(colour) for colour in labels(Colour)]
        reporting = obj.reporting
        return [
            *cells,
            obj.green_pct,
            reporting.expected,
            reporting.received,
            reporting.on_time,
            reporting.rate,
            reporting.on_time_rate,
        ]


CHILD_RECORD_TYPES = ("pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung")


def _iplm_exporter(**kwargs: Any) -> Exporter:
    from tpbis.exports.iplm import IplmExporter  # its own module, built on the classes above

    return IplmExporter(**kwargs)


ExporterFactory = Callable[..., Exporter]
RECORD_TYPES = ("pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung", "replikasi")
EXPORTERS: dict[str, ExporterFactory] = {
    PartnerExporter.kind: PartnerExporter,
    RankingExporter.kind: RankingExporter,
    ChildRegionExporter.kind: ChildRegionExporter,
    "iplm": _iplm_exporter,
    **{record_type: partial(RecordExporter, record_type=record_type) for record_type in RECORD_TYPES},
}


KIND_LABELS: dict[str, StrOrPromise] = {
    "mitra": gettext_lazy("Perpustakaan mitra"),
    "pelibatan": gettext_lazy("Pelibatan masyarakat"),
    "advokasi": gettext_lazy("Advokasi"),
    "publikasi": gettext_lazy("Publikasi"),
    "peningkatan": gettext_lazy("Layanan informasi"),
    "pengunjung": gettext_lazy("Pengunjung"),
    "replikasi": gettext_lazy("Replikasi mandiri"),
    "peringkat": gettext_lazy("Peringkat IKU"),
    "wilayah": gettext_lazy("Per wilayah"),
    "iplm": gettext_lazy("Profil IPLM (KTAK)"),
}


def exporter_build(*, kind: str, scope: Scope, params: QueryDict) -> Exporter:
    """The exporter of a list for this user and these filters; 404 for an unknown list or a region
    outside the user's areas, 403 for a role that may not see the list."""
    factory = EXPORTERS.get(kind)
    if factory is None:
        raise Http404
    return factory(scope=scope, params=params)
