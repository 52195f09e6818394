"""The real SIM's public API, served from our data: same envelope, fields, types, quirks and order.

What the real system does, as read from its responses (`shared/samples/`):

- only verified records, filtered by their *input* date (an information-service row for November
  entered in June is served in June's window), visitors by their input date too (the importer gives
  an imported visitors row the last day of its month);
- pelibatan, advokasi and publikasi newest input first; peningkatan and replikasi oldest input
  first; pengunjung by month; ties in the order the records were stored (the real system's ids);
- iku lists the active libraries by their region code (the kabupaten library first), ties by id;
- a kabupaten library has " - " as kecamatan and desa; `attachment` is a comma-joined string of
  URLs or null; `is_verified` is the text "Sudah Diverifikasi".
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse

from tpbis.core.links import absolute_url
from tpbis.libraries.models import Library
from tpbis.regions.codes import normalize_code
from tpbis.regions.models import Level, Region
from tpbis.reports.models import (
    Advocacy,
    CommunityEngagement,
    InformationService,
    Origin,
    Photo,
    Publicity,
    Replication,
    Status,
    Visitors,
)
from tpbis.reports.sim_import import MONTH_NAMES, VERIFIED_TEXT

ENDPOINTS = ("iku", "pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung", "replikasi")
NO_PLACE = " - "  # what the real system writes as kecamatan and desa of a kabupaten library
NO_VILLAGE = "-"  # and as desa_kelurahan of one in iku
# The real system writes visitor months with English abbreviations ("May 2026").
PERIOD_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Scores of libraries for a period: library id → score (None = not assessed, shown "-").
ScoreProvider = Callable[[Sequence[Library], "Period"], dict[int, Decimal | None]]


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def key(self) -> str:
        return f"{self.start.isoformat()}:{self.end.isoformat()}"


class BadDate(ValueError):
    def __init__(self, name: str, value: str) -> None:
        super().__init__(f"{name}={value}")
        self.name = name
        self.value = value


def sim_period(*, start: str | None, end: str | None, today: dt.date) -> Period:
    """The window from `tanggal_awal`/`tanggal_akhir` (d/m/Y); default 1 January of this year to today."""
    return Period(
        start=_day("tanggal_awal", start) or dt.date(today.year, 1, 1),
        end=_day("tanggal_akhir", end) or today,
    )


def _day(name: str, value: str | None) -> dt.date | None:
    if value is None or value.strip() == "":
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise BadDate(name, value) from None


@functools.lru_cache(maxsize=1024)
def sim_region(code: str) -> Region | None:
    """A province (`35`) or kabupaten/kota (`3513`) by its undotted code.

    Kept in memory: the region table changes only when a new Kemendagri list is loaded.
    """
    if len(code) not in (2, 4):
        return None
    dotted = normalize_code(code)
    if dotted is None:
        return None
    return Region.objects.filter(code=dotted, level__in=(Level.PROVINCE, Level.REGENCY)).first()


def _library_scope(region: Region, prefix: str = "") -> Q:
    field = "province_id" if region.level == Level.PROVINCE else "regency_id"
    return Q(**{f"{prefix}{field}": region.code})


@dataclass(frozen=True)
class Place:
    name: str
    province: str
    regency: str
    district: str
    village: str
    is_village: bool


def _places(region: Region) -> dict[int, Place]:
    """Every library of the region (active or not) with the names the real system prints."""
    libraries = Library.objects.filter(_library_scope(region)).select_related(
        "region", "region__parent", "province", "regency"
    )
    places: dict[int, Place] = {}
    for library in libraries:
        at_village = library.region.level == Level.VILLAGE
        # An imported library keeps the real system's own spellings here; our pages use Kemendagri's.
        written = library.sim_names if at_village else {}
        places[library.pk] = Place(
            name=library.sim_names.get("perpus_nama") or library.name,
            province=library.province.name,
            regency=library.regency.short_name if library.regency else NO_PLACE,
            district=written.get("kecamatan_name")
            or (library.region.parent.name if at_village and library.region.parent else NO_PLACE),
            village=written.get("desa_name") or (library.region.name if at_village else NO_PLACE),
            is_village=at_village,
        )
    return places


def _location(place: Place) -> dict[str, str]:
    return {
        "perpus_nama": place.name,
        "provinsi_name": place.province,
        "kabupaten_name": place.regency,
        "kecamatan_name": place.district,
        "desa_name": place.village,
    }


def _number(value: Decimal | int | float) -> int | float:
    """JSON number as the real system writes it: an integer when it is one (`200`, not `200.0`)."""
    if isinstance(value, int):
        return value
    integral = value == int(value)
    return int(value) if integral else float(value)


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _records(model: type[Any], region: Region, period: Period, order: Sequence[str], fields: Sequence[str]) -> Any:
    qs = model.objects.filter(
        _library_scope(region, "library__"),
        status=Status.VERIFIED,
        input_date__gte=period.start,
        input_date__lte=period.end,
    )
    return qs.order_by(*order).values("pk", "library_id", "input_date", *fields)


def _photo_urls(model: type[Any], records: Any) -> dict[int, str]:
    """Comma-joined absolute URLs of the photos of our own records (imported ones keep theirs)."""
    ids = records.filter(origin=Origin.ENTRY).order_by().values("pk")
    photos = (
        Photo.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
        .order_by("object_id", "position", "pk")
        .values_list("object_id", "pk")
    )
    urls: dict[int, list[str]] = defaultdict(list)
    for object_id, pk in photos:
        urls[object_id].append(absolute_url(reverse("reports:photo", kwargs={"pk": pk, "size": "full"})))
    return {object_id: ",".join(found) for object_id, found in urls.items()}


def _attachment(row: dict[str, Any], photos: dict[int, str]) -> str | None:
    if row["origin"] == Origin.SIM_IMPORT:
        return row["external_attachments"] or None
    return photos.get(row["pk"])


def _engagement_rows(region: Region, period: Period) -> list[dict[str, Any]]:
    places = _places(region)
    records = _records(
        CommunityEngagement,
        region,
        period,
        ("-input_date", "pk"),
        (
            "date",
            "title",
            "activity_field",
            "activity_kind",
            "audience",
            "participants",
            "origin",
            "external_attachments",
        ),
    )
    photos = _photo_urls(CommunityEngagement, records)
    rows = []
    for r in records:
        place = places[r["library_id"]]
        rows.append(
            {
                # An unknown date is served as the window's first day, as the real system does.
                "tanggal": _date(r["date"]) or period.start.isoformat(),
                "nama_kegiatan": r["title"],
                **_location(place),
                "bidang_kegiatan": r["activity_field"],
                "jenis": r["activity_kind"],
                "sasaran": r["audience"],
                "jumlah_peserta": r["participants"],
                "attachment": _attachment(r, photos),
                "tanggal_input": _date(r["input_date"]),
                "is_verified": VERIFIED_TEXT,
            }
        )
    return rows


def _advocacy_rows(region: Region, period: Period) -> list[dict[str, Any]]:
    places = _places(region)
    records = _records(
        Advocacy,
        region,
        period,
        ("-input_date", "pk"),
        (
            "date",
            "title",
            "targets",
            "outcome",
            "regulation_kind",
            "amount",
            "resource_persons",
            "goods",
            "regulation_date",
            "origin",
            "external_attachments",
        ),
    )
    photos = _photo_urls(Advocacy, records)
    rows = []
    for r in records:
        rows.append(
            {
                **_location(places[r["library_id"]]),
                "tanggal": _date(r["date"]) or period.start.isoformat(),
                "judul": r["title"],
                "sasaran": list(r["targets"] or []),
                "hasil": r["outcome"],
                "hasil_regulasi": r["regulation_kind"] or "-",
                "attachment": _attachment(r, photos),
                "nominal": r["amount"],
                "jumlah_narasumber": r["resource_persons"],
                "jumlah_barang": r["goods"],
                "tanggal_terbit": _date(r["regulation_date"]),
                "tanggal_input": _date(r["input_date"]),
                "is_verified": VERIFIED_TEXT,
            }
        )
    return rows


def _publicity_rows(region: Region, period: Period) -> list[dict[str, Any]]:
    places = _places(region)
    records = _records(
        Publicity, region, period, ("-input_date", "pk"), ("date", "title", "media_kind", "media_name", "link")
    )
    return [
        {
            **_location(places[r["library_id"]]),
            "tanggal": _date(r["date"]) or period.start.isoformat(),
            "judul": r["title"],
            "jenis_publikasi": r["media_kind"],
            "nama_media": r["media_name"],
            "link": r["link"],
            "tanggal_input": _date(r["input_date"]),
            "is_verified": VERIFIED_TEXT,
        }
        for r in records
    ]


def _information_rows(region: Region, period: Period) -> list[dict[str, Any]]:
    places = _places(region)
    records = _records(
        InformationService,
        region,
        period,
        ("input_date", "pk"),
        ("month", "year", "books", "digital_books", "computers", "bandwidth"),
    )
    return [
        {
            **_location(places[r["library_id"]]),
            "bulan": MONTH_NAMES[r["month"]],
            "tahun": str(r["year"]),
            "jumlah_buku": r["books"],
            "jumlah_buku_digital": r["digital_books"],
            "jumlah_komputer": r["computers"],
            "bandwidth": _number(r["bandwidth"]),
            "tanggal_input": _date(r["input_date"]),
            "is_verified": VERIFIED_TEXT,
        }
        for r in records
    ]


def _visitor_rows(region: Region, period: Period) -> list[dict[str, Any]]:
    places = _places(region)
    records = _records(Visitors, region, period, ("year", "month", "pk"), ("month", "year", "male", "female", "total"))
    rows = []
    for r in records:
        place = places[r["library_id"]]
        location = _location(place)
        rows.append(
            {
                "periode": f"{PERIOD_MONTHS[r['month']]} {r['year']}",
                **location,
                "pengunjung_laki": r["male"],
                "pengunjung_perempuan": r["female"],
                "total_pengunjung": r["total"],
            }
        )
    return rows


def _replication_rows(region: Region, period: Period) -> list[dict[str, Any]]:
    within = Q(region_id=region.code)
    if region.level == Level.PROVINCE:
        within |= Q(region__code__startswith=region.code + ".")
    records = (
        Replication.objects.filter(
            within, status=Status.VERIFIED, input_date__gte=period.start, input_date__lte=period.end
        )
        .select_related("region")
        .order_by("input_date", "pk")
    )
    provinces = dict(Region.objects.filter(level=Level.PROVINCE).values_list("code", "name"))
    return [
        {
            "provinsi_nama": provinces.get(r.region.province_code, ""),
            "kabupaten_name": r.region.short_name if r.region.level == Level.REGENCY else NO_PLACE,
            "dana": r.funds,
            "sumber_dana": r.funding_source,
            "jumlah_desa": r.villages,
            "tanggal_input": _date(r.input_date),
            "is_verified": VERIFIED_TEXT,
        }
        for r in records
    ]


def iku_libraries(region: Region) -> list[Library]:
    """The active libraries of the region in the real system's order: region code, then id."""
    return list(
        Library.objects.filter(_library_scope(region), is_active=True)
        .select_related("region", "province", "regency")
        .order_by("region_id", "pk")
    )


def iku_rows(region: Region, period: Period, scores: ScoreProvider) -> list[dict[str, Any]]:
    """The `iku` rows; `scores` gives each library's score for the period (None: not assessed)."""
    libraries = iku_libraries(region)
    found = scores(libraries, period)
    rows = []
    for library in libraries:
        score = found.get(library.pk)
        at_village = library.region.level == Level.VILLAGE
        written = library.sim_names if at_village else {}
        rows.append(
            {
                "nama_perpustakaan": library.sim_names.get("nama_perpustakaan") or library.name,
                "provinsi": library.province.name,
                "kabupaten_kota": library.regency.short_name if library.regency else NO_VILLAGE,
                "desa_kelurahan": written.get("desa_kelurahan") or (library.region.name if at_village else NO_VILLAGE),
                "skor": "-" if score is None else _number(score),
            }
        )
    return rows


_ROWS: dict[str, Callable[[Region, Period], list[dict[str, Any]]]] = {
    "pelibatan": _engagement_rows,
    "advokasi": _advocacy_rows,
    "publikasi": _publicity_rows,
    "peningkatan": _information_rows,
    "pengunjung": _visitor_rows,
    "replikasi": _replication_rows,
}


def kpi_scores(libraries: Sequence[Library], period: Period) -> dict[int, Decimal | None]:
    """Our KPI engine's scores on the window's last day (the KPI counts from 1 January of that year)."""
    from tpbis.kpi.services import kpi_compute

    ids = [library.pk for library in libraries]
    results = kpi_compute(libraries=Library.objects.filter(pk__in=ids), dates=[period.end])
    return {pk: result.score for (pk, _day), result in results.items()}


def iku_score_provider() -> ScoreProvider | None:
    """The scores the `iku` endpoint serves: the KPI engine's, when it is installed."""
    try:
        from tpbis.kpi.services import kpi_compute  # noqa: F401
    except ImportError:
        return None
    return kpi_scores


def sim_rows(*, endpoint: str, region: Region, period: Period, scores: ScoreProvider | None = None) -> list[dict]:
    """The `data` list the real system returns for an endpoint, region and window."""
    if endpoint == "iku":
        provider = scores or iku_score_provider()
        if provider is None:
            raise LookupError(endpoint)
        return iku_rows(region, period, provider)
    return _ROWS[endpoint](region, period)


def served_endpoints() -> tuple[str, ...]:
    return ENDPOINTS if iku_score_provider() is not None else ENDPOINTS[1:]
