"""Writes of the record summaries: rebuilt per area on every record write, or all at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Substr

from tpbis.dashboards.models import FIGURE_COLUMNS, RECORD_TYPES, DistrictMonth, LibraryMonth, RegencyMonth
from tpbis.libraries.models import Library
from tpbis.regions.models import Region
from tpbis.reports.models import (
    COUNTED_STATUSES,
    Advocacy,
    CommunityEngagement,
    InformationService,
    Publicity,
    Status,
    Visitors,
)

__all__ = ["RECORD_TYPES", "summaries_rebuild", "summaries_refresh", "summaries_refresh_for_libraries"]

DATED: dict[str, type[Any]] = {"pelibatan": CommunityEngagement, "advokasi": Advocacy, "publikasi": Publicity}
MONTHLY: dict[str, type[Any]] = {"peningkatan": InformationService, "pengunjung": Visitors}

# Counted records (submitted or verified) written as "none of the others": SQLite then reads a
# kabupaten's records through the (library, status) index instead of scanning the status index,
# which nearly every record matches (4 ms instead of 370 ms for 95 libraries of a million records).
COUNTED = ~Q(status__in=[s for s in Status.values if s not in COUNTED_STATUSES])
VERIFIED = Q(status=Status.VERIFIED)

# The people each record type counts: summary column → record field.
PEOPLE_FIELDS: dict[str, dict[str, str]] = {
    "pelibatan": {
        "participants": "participants",
        "participants_male": "participants_male",
        "participants_female": "participants_female",
        "participants_disability": "participants_disability",
    },
    "pengunjung": {"visitors": "total", "visitors_male": "male", "visitors_female": "female"},
}
# Where each summed column sits in a figures vector.
POSITION = {column: i for i, column in enumerate(FIGURE_COLUMNS)}
DISTRICT_CODE_LENGTH = 8  # "35.24.01"


def district_of_library(prefix: str = "library__") -> Substr:
    """The summary area of a library: its kecamatan, or the kabupaten/kota or province it is registered at."""
    return Substr(f"{prefix}region_id", 1, DISTRICT_CODE_LENGTH)


def record_groups(record_type: str, base: Any, keys: dict[str, Any]) -> Any:
    """Counted records of one type grouped by `keys` plus year and month, with every figure of the type.

    Each row holds `y`, `m`, the keys, and the type's columns: `<type>` (counted), `<type>_verified` and
    the people the type counts.
    """
    if record_type in DATED:
        # A record whose date is unknown carries 1 January and is counted in January, as stored.
        period: dict[str, Any] = {"y": ExtractYear("date"), "m": ExtractMonth("date")}
        base = base.filter(date__isnull=False)
    else:
        period = {"y": F("year"), "m": F("month")}
    sums = {column: Sum(name) for column, name in PEOPLE_FIELDS.get(record_type, {}).items()}
    return (
        base.filter(COUNTED)
        .annotate(**keys, **period)
        .order_by()
        .values(*keys, "y", "m")
        .annotate(**{record_type: Count("pk"), f"{record_type}_verified": Count("pk", filter=VERIFIED)}, **sums)
    )


def record_model(record_type: str) -> type[Any]:
    return DATED.get(record_type) or MONTHLY[record_type]


def _district_rows(library_filter: Q) -> list[DistrictMonth]:
    """Summary rows per kecamatan and month, from the records of the libraries the filter selects."""
    cells: dict[tuple[str, dt.date], list[int]] = {}
    for record_type in RECORD_TYPES:
        base = record_model(record_type).objects.filter(library_filter)
        grouped = record_groups(record_type, base, {"area": district_of_library()})
        columns = [record_type, f"{record_type}_verified", *PEOPLE_FIELDS.get(record_type, {})]
        for row in grouped:
            vector = cells.setdefault((row["area"], dt.date(row["y"], row["m"], 1)), [0] * len(FIGURE_COLUMNS))
            for column in columns:
                vector[POSITION[column]] += row[column] or 0
    return [
        DistrictMonth(
            area_id=area,
            regency_id=area[:5] if len(area) >= 5 else None,
            province_id=area[:2],
            month=month,
            **dict(zip(FIGURE_COLUMNS, vector, strict=True)),
        )
        for (area, month), vector in sorted(cells.items())
    ]


def _library_rows(library_filter: Q) -> list[LibraryMonth]:
    """Counted dated records per library and month, from the records of the libraries the filter selects."""
    cells: dict[tuple[int, dt.date], dict[str, int]] = {}
    for record_type in DATED:
        base = record_model(record_type).objects.filter(library_filter)
        for row in record_groups(record_type, base, {"library_key": F("library_id")}):
            cell = cells.setdefault((row["library_key"], dt.date(row["y"], row["m"], 1)), {})
            cell[record_type] = row[record_type]
    return [
        LibraryMonth(library_id=library, month=month, **counts) for (library, month), counts in sorted(cells.items())
    ]


def _regency_rows(district_filter: Q) -> list[RegencyMonth]:
    """Kabupaten/kota rows as the sums of their kecamatan rows (a province's own libraries: its code)."""
    grouped = (
        DistrictMonth.objects.filter(district_filter)
        .annotate(regency_area=Coalesce(F("regency_id"), F("province_id")))
        .order_by()
        .values("regency_area", "month")
        .annotate(**{column: Sum(column) for column in FIGURE_COLUMNS})
    )
    return [
        RegencyMonth(
            area_id=row["regency_area"],
            province_id=row["regency_area"][:2],
            month=row["month"],
            **{column: row[column] for column in FIGURE_COLUMNS},
        )
        for row in grouped
    ]


def summaries_refresh(*, areas: Iterable[str]) -> int:
    """Rebuild the summary rows of the given areas (kecamatan codes, or the kabupaten/kota or province code
    of libraries registered there) and of their kabupaten/kota; returns the kecamatan rows written.

    The areas' region rows are locked first, so two writes in one kecamatan rebuild one after the other
    and the second sees the first's records (PostgreSQL; SQLite serialises writers anyway).
    """
    codes = sorted({code[:DISTRICT_CODE_LENGTH] for code in areas})
    if not codes:
        return 0
    regencies = sorted({code[:5] for code in codes if len(code) >= 5})
    provinces = sorted({code for code in codes if len(code) == 2})
    # The areas' libraries, found through the kabupaten/kota and province indexes.
    libraries = (
        Library.objects.filter(Q(regency_id__in=regencies) | Q(province_id__in=provinces, regency__isnull=True))
        .annotate(area=district_of_library(prefix=""))
        .filter(area__in=codes)
        .values("pk")
    )
    with transaction.atomic():
        # The kabupaten/kota (or province) rows too: two kecamatan of one kabupaten rebuild its rows in turn,
        # or both would delete and re-insert them at once and the second insert would break the unique key.
        locked = sorted({*codes, *regencies, *provinces})
        list(Region.objects.select_for_update().filter(code__in=locked).order_by("code").values_list("code"))
        DistrictMonth.objects.filter(area_id__in=codes).delete()
        rows = _district_rows(Q(library__in=libraries))
        DistrictMonth.objects.bulk_create(rows, batch_size=2000)
        regency_areas = Q(regency_id__in=regencies) | Q(province_id__in=provinces, regency__isnull=True)
        RegencyMonth.objects.filter(area_id__in=[*regencies, *provinces]).delete()
        RegencyMonth.objects.bulk_create(_regency_rows(regency_areas), batch_size=2000)
    return len(rows)


def summaries_refresh_for_libraries(*, library_ids: Iterable[int]) -> int:
    """Rebuild the summaries of these libraries and of the areas they belong to."""
    ids = sorted(set(library_ids))
    with transaction.atomic():
        # One library's rows are rebuilt by one transaction at a time (a submission beside a verification).
        list(Library.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        LibraryMonth.objects.filter(library_id__in=ids).delete()
        LibraryMonth.objects.bulk_create(_library_rows(Q(library_id__in=ids)), batch_size=2000)
    areas = (
        Library.objects.filter(pk__in=ids)
        .annotate(area=district_of_library(prefix=""))
        .values_list("area", flat=True)
        .distinct()
    )
    return summaries_refresh(areas=list(areas))


def summaries_rebuild() -> int:
    """Rebuild every summary row from the records (after a bulk load, or to check the incremental path).

    Province by province, so memory holds one province's rows, not the nation's (5 million records
    make 280,000 kecamatan-month rows).
    """
    written = 0
    with transaction.atomic():
        DistrictMonth.objects.all().delete()
        RegencyMonth.objects.all().delete()
        LibraryMonth.objects.all().delete()
        provinces = Library.objects.order_by("province_id").values_list("province_id", flat=True).distinct()
        for province in list(provinces):
            rows = _district_rows(Q(library__province_id=province))
            DistrictMonth.objects.bulk_create(rows, batch_size=5000)
            LibraryMonth.objects.bulk_create(_library_rows(Q(library__province_id=province)), batch_size=5000)
            written += len(rows)
        RegencyMonth.objects.bulk_create(_regency_rows(Q()), batch_size=5000)
    return written
