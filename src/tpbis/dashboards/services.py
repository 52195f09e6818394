"""Writes of the record summaries: a record write changes only the cells of the months it touched; a rebuild
writes them all from the records.

The library cell (`LibraryMonth`) carries every figure, so a write recomputes just its library's touched
months from the records, and adds the difference to the kecamatan and kabupaten/kota cells of those months
with atomic increments: two libraries of one kecamatan written at once both land, without a region lock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection, transaction
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

__all__ = [
    "RECORD_TYPES",
    "summaries_apply",
    "summaries_rebuild",
    "summaries_refresh",
    "summaries_refresh_for_libraries",
]

logger = logging.getLogger(__name__)

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
WIDTH = len(FIGURE_COLUMNS)
DISTRICT_CODE_LENGTH = 8  # "35.24.01"
# A write naming more library-months than this recomputes its libraries whole (one query either way).
MAX_NAMED_CELLS = 48
# Libraries per round of a bulk write or a rebuild: bounds memory and the length of IN lists.
CHUNK = 500

Vector = list[int]
# Typed empty columns: PostgreSQL matches a UNION's column types branch by branch.
NO_DAY, NO_NUMBER = "CAST(NULL AS DATE)", "CAST(NULL AS INTEGER)"
LibraryCell = tuple[int, dt.date]
AreaCell = tuple[str, dt.date]


def district_of_library(prefix: str = "library__") -> Substr:
    """The summary area of a library: its kecamatan, or the kabupaten/kota or province it is registered at."""
    return Substr(f"{prefix}region_id", 1, DISTRICT_CODE_LENGTH)


def area_of(region_code: str) -> str:
    """`district_of_library` in Python."""
    return region_code[:DISTRICT_CODE_LENGTH]


def regency_area_of(area: str) -> str:
    """The kabupaten/kota row an area adds to (a province's own libraries: the province's code)."""
    return area[:5] if len(area) >= 5 else area


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


def _type_columns(record_type: str) -> list[str]:
    return [record_type, f"{record_type}_verified", *PEOPLE_FIELDS.get(record_type, {})]


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _add(into: dict[Any, Vector], key: Any, vector: Sequence[int], sign: int = 1) -> None:
    have = into.setdefault(key, [0] * WIDTH)
    for i, value in enumerate(vector):
        have[i] += sign * value


def _figures(vector: Sequence[int]) -> dict[str, int]:
    return dict(zip(FIGURE_COLUMNS, vector, strict=True))


# ------------------------------------------------------------------------------------------ rebuild


def _library_cells(library_filter: Q) -> dict[LibraryCell, Vector]:
    """Every figure per library and month, from the records of the libraries the filter selects."""
    cells: dict[LibraryCell, Vector] = {}
    for record_type in RECORD_TYPES:
        base = record_model(record_type).objects.filter(library_filter)
        columns = _type_columns(record_type)
        for row in record_groups(record_type, base, {"library_key": F("library_id")}):
            vector = cells.setdefault((row["library_key"], dt.date(row["y"], row["m"], 1)), [0] * WIDTH)
            for column in columns:
                vector[POSITION[column]] += row[column] or 0
    return cells


def _district_row(area: str, month: dt.date, vector: Sequence[int]) -> DistrictMonth:
    return DistrictMonth(
        area_id=area,
        regency_id=area[:5] if len(area) >= 5 else None,
        province_id=area[:2],
        month=month,
        **_figures(vector),
    )


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


def summaries_rebuild() -> int:
    """Rebuild every summary row from the records (after a bulk load, or to check the incremental path);
    returns the kecamatan rows written.

    Province by province and within it 500 libraries at a time, so memory holds one round of library
    cells and one province's kecamatan cells, not the nation's (5 million records make 280,000
    kecamatan-month rows).
    """
    written = 0
    with transaction.atomic():
        DistrictMonth.objects.all().delete()
        RegencyMonth.objects.all().delete()
        LibraryMonth.objects.all().delete()
        provinces = Library.objects.order_by("province_id").values_list("province_id", flat=True).distinct()
        for province in list(provinces):
            areas = dict(Library.objects.filter(province_id=province).order_by("pk").values_list("pk", "region_id"))
            districts: dict[AreaCell, Vector] = {}
            for chunk in _chunks(list(areas)):
                cells = _library_cells(Q(library_id__in=chunk))
                LibraryMonth.objects.bulk_create(
                    [
                        LibraryMonth(library_id=lib, month=month, **_figures(v))
                        for (lib, month), v in sorted(cells.items())
                    ],
                    batch_size=5000,
                )
                for (lib, month), vector in cells.items():
                    _add(districts, (area_of(areas[lib]), month), vector)
            DistrictMonth.objects.bulk_create(
                [_district_row(area, month, v) for (area, month), v in sorted(districts.items())], batch_size=5000
            )
            written += len(districts)
        RegencyMonth.objects.bulk_create(_regency_rows(Q()), batch_size=5000)
    return written


def summaries_refresh(*, areas: Iterable[str]) -> int:
    """Rebuild the kecamatan rows of the given areas (kecamatan codes, or the kabupaten/kota or province code
    of libraries registered there) and their kabupaten/kota rows from the library cells (after a library
    moved to another region); returns the kecamatan rows written.

    The areas' region rows are locked first, so two refreshes of one kabupaten run one after the other,
    then the areas' libraries, so a record write in the area (which locks its library) waits or is seen.
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
    )
    with transaction.atomic():
        locked = sorted({*codes, *regencies, *provinces})
        list(Region.objects.select_for_update().filter(code__in=locked).order_by("code").values_list("code"))
        ids = list(libraries.select_for_update().order_by("pk").values_list("pk", flat=True))
        DistrictMonth.objects.filter(area_id__in=codes).delete()
        grouped = (
            LibraryMonth.objects.filter(library_id__in=ids)
            .annotate(area=district_of_library())
            .order_by()
            .values("area", "month")
            .annotate(**{f"sum_{column}": Sum(column) for column in FIGURE_COLUMNS})
        )
        rows = [
            _district_row(row["area"], row["month"], [row[f"sum_{column}"] or 0 for column in FIGURE_COLUMNS])
            for row in grouped
        ]
        DistrictMonth.objects.bulk_create(sorted(rows, key=lambda r: (r.area_id, r.month)), batch_size=2000)
        regency_areas = Q(regency_id__in=regencies) | Q(province_id__in=provinces, regency__isnull=True)
        RegencyMonth.objects.filter(area_id__in=[*regencies, *provinces]).delete()
        RegencyMonth.objects.bulk_create(_regency_rows(regency_areas), batch_size=2000)
    return len(rows)


# -------------------------------------------------------------------------------------- incremental


def summaries_apply(*, library_ids: Iterable[int], months: Mapping[int, Iterable[dt.date]] | None = None) -> None:
    """Bring the summaries up to date after a write to these libraries' records, in the caller's transaction.

    `months` names, per library, the first days of the months whose records changed (the `months` of
    `records_changed`); a library missing from it has every month recomputed. Only those library cells
    are recomputed from the records, and their differences added to the kecamatan and kabupaten/kota cells.
    """
    ids = sorted(set(library_ids))
    named = {pk: {dt.date(d.year, d.month, 1) for d in months[pk]} for pk in ids if months and pk in months}
    with transaction.atomic(savepoint=False):  # inside the write's transaction: no savepoint round trips
        for chunk in _chunks(ids):
            _apply(chunk, named)


def summaries_refresh_for_libraries(*, library_ids: Iterable[int]) -> None:
    """Recompute every month of these libraries (a write whose months are unknown)."""
    summaries_apply(library_ids=library_ids, months=None)


def _apply(ids: Sequence[int], named: Mapping[int, set[dt.date]]) -> None:
    # One write to a library's cells at a time: the next one waits here, then reads the records it committed.
    regions = dict(Library.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", "region_id"))
    touched = {pk: named[pk] for pk in ids if pk in named and named[pk] and pk in regions}
    whole = [pk for pk in ids if pk not in named and pk in regions]
    if sum(len(m) for m in touched.values()) > MAX_NAMED_CELLS:
        whole, touched = sorted([*whole, *touched]), {}
    if not touched and not whole:
        return
    now, stored = _cells(touched, whole)
    changed = {key: (now.get(key, [0] * WIDTH), stored.get(key, [0] * WIDTH)) for key in {*now, *stored}}
    changed = {key: pair for key, pair in changed.items() if pair[0] != pair[1]}
    if not changed:
        return
    kept = [
        LibraryMonth(library_id=lib, month=month, **_figures(new))
        for (lib, month), (new, _) in sorted(changed.items())
        if any(new)
    ]
    if kept:
        LibraryMonth.objects.bulk_create(
            kept, update_conflicts=True, unique_fields=["library", "month"], update_fields=list(FIGURE_COLUMNS)
        )
    emptied = [Q(library_id=lib, month=month) for (lib, month), (new, _) in sorted(changed.items()) if not any(new)]
    if emptied:
        LibraryMonth.objects.filter(reduce(or_, emptied)).delete()
    districts: dict[AreaCell, Vector] = {}
    for (lib, month), (new, old) in changed.items():
        _add(districts, (area_of(regions[lib]), month), new)
        _add(districts, (area_of(regions[lib]), month), old, sign=-1)
    regencies: dict[AreaCell, Vector] = {}
    for (area, month), delta in districts.items():
        _add(regencies, (regency_area_of(area), month), delta)
    missing = _shift(DistrictMonth, districts)
    missing_regencies = {area for area, _ in _shift(RegencyMonth, regencies)}
    stale = {area for area, _ in missing} | {
        area for area, _ in districts if regency_area_of(area) in missing_regencies
    }
    if stale:
        # Only summaries already out of step get here (written by hand, or by a load that skipped them).
        logger.warning("summary cells missing for %s; rebuilding those areas", sorted(stale))
        summaries_refresh(areas=stale)


def _column(model: type[Any], name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _cells(touched: Mapping[int, set[dt.date]], whole: Sequence[int]) -> tuple[dict[LibraryCell, Vector], ...]:
    """The named library cells as the records make them now, and as stored: one short query (UNION ALL) over
    the five record tables, each narrowed by its (library, status) index, and the stored library cells.

    Dated records come per day (a library has a few a month) and are put in their month here, so the SQL is
    the same on SQLite and PostgreSQL; the statement stays short enough for the driver to cache its parsing.
    """
    qn = connection.ops.quote_name
    params: list[Any] = []

    adapt = connection.ops.adapt_datefield_value

    def where(model: type[Any], kind: str) -> str:
        """The rows of the named libraries and months; appends its parameters."""
        library = _column(model, "library")
        terms = []
        if whole:
            terms.append(f"{library} IN ({', '.join(['%s'] * len(whole))})")
            params.extend(whole)
        for lib, dates in sorted(touched.items()):
            days = sorted(dates)
            params.append(lib)
            if kind == "dated":
                column = _column(model, "date")
                ranges = " OR ".join([f"({column} >= %s AND {column} < %s)"] * len(days))
                params.extend(value for day in days for value in (adapt(day), adapt(_next_month(day))))
            elif kind == "monthly":
                year, month = _column(model, "year"), _column(model, "month")
                ranges = " OR ".join([f"({year} = %s AND {month} = %s)"] * len(days))
                params.extend(value for day in days for value in (day.year, day.month))
            else:
                ranges = f"{_column(model, 'month')} IN ({', '.join(['%s'] * len(days))})"
                params.extend(adapt(day) for day in days)
            terms.append(f"({library} = %s AND ({ranges}))")
        return " OR ".join(terms)

    parts = []
    for record_type in RECORD_TYPES:
        model = record_model(record_type)
        table = qn(model._meta.db_table)
        people = PEOPLE_FIELDS.get(record_type, {})
        figures = ", ".join(
            "COUNT(*)"
            if column == record_type
            else f"SUM(CASE WHEN {_column(model, 'status')} = %s THEN 1 ELSE 0 END)"
            if column == f"{record_type}_verified"
            else f"SUM({_column(model, people[column])})"
            if column in people
            else "0"
            for column in FIGURE_COLUMNS
        )
        params.append(Status.VERIFIED.value)
        library, status = _column(model, "library"), _column(model, "status")
        if record_type in DATED:
            day = _column(model, "date")
            select, group, dated = f"{day}, {NO_NUMBER}, {NO_NUMBER}", day, f" AND {day} IS NOT NULL"
        else:
            group = f"{_column(model, 'year')}, {_column(model, 'month')}"
            select, dated = f"{NO_DAY}, {group}", ""
        narrowed = where(model, "dated" if record_type in DATED else "monthly")
        params.extend(COUNTED_STATUSES)
        parts.append(
            f"SELECT 0, {library}, {select}, {figures} FROM {table} "  # noqa: S608 (names and %s parameters)
            f"WHERE ({narrowed}) AND {status} IN (%s, %s){dated} GROUP BY {library}, {group}"
        )
    stored = ", ".join(qn(column) for column in FIGURE_COLUMNS)
    month = _column(LibraryMonth, "month")
    narrowed = where(LibraryMonth, "stored")
    parts.append(
        f"SELECT 1, {_column(LibraryMonth, 'library')}, {month}, {NO_NUMBER}, {NO_NUMBER}, {stored} "  # noqa: S608
        f"FROM {qn(LibraryMonth._meta.db_table)} WHERE {narrowed}"
    )
    now: dict[LibraryCell, Vector] = {}
    stored_cells: dict[LibraryCell, Vector] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, lib, on, year, month_number, *vector in cursor.fetchall():
            if on is None:
                first = dt.date(int(year), int(month_number), 1)
            else:  # SQLite hands a date over as text
                first = (on if isinstance(on, dt.date) else dt.date.fromisoformat(str(on))).replace(day=1)
            _add(stored_cells if kind else now, (int(lib), first), [int(v or 0) for v in vector])
    return now, stored_cells


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _shift(model: type[DistrictMonth] | type[RegencyMonth], deltas: Mapping[AreaCell, Vector]) -> set[AreaCell]:
    """Add the deltas to the area cells, in key order (two writers lock cells in one order, never a cycle).

    Cells that only grow are upserted together (INSERT … ON CONFLICT DO UPDATE SET c = c + excluded.c: the
    database adds to the latest committed row, so concurrent writers never lose a delta); a cell that
    shrinks exists already and is updated by its signed delta, and deleted once every figure is zero, as a
    rebuild would not write it. Returns the shrinking cells that were not there.
    """
    missing: set[AreaCell] = set()
    growing: list[tuple[AreaCell, Vector]] = []
    for key, delta in sorted(deltas.items()):
        if not any(delta):
            continue
        if min(delta) >= 0:
            growing.append((key, delta))
            continue
        _upsert(model, growing)
        growing = []
        if not _update(model, key, delta):
            missing.add(key)
    _upsert(model, growing)
    return missing


def _area_columns(model: type[Any], area: str) -> dict[str, str | None]:
    if model is DistrictMonth:
        return {"area_id": area, "regency_id": area[:5] if len(area) >= 5 else None, "province_id": area[:2]}
    return {"area_id": area, "province_id": area[:2]}


def _upsert(model: type[Any], cells: Sequence[tuple[AreaCell, Vector]]) -> None:
    if not cells:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    keys = list(_area_columns(model, cells[0][0][0]))
    columns = [*keys, "month", *FIGURE_COLUMNS]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list[Any] = []
    for (area, month), delta in cells:
        params += [*_area_columns(model, area).values(), connection.ops.adapt_datefield_value(month), *delta]
    sets = ", ".join(f"{qn(c)} = {table}.{qn(c)} + EXCLUDED.{qn(c)}" for c in FIGURE_COLUMNS)
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES {', '.join([row] * len(cells))} "  # noqa: S608 (%s parameters)
        f"ON CONFLICT ({qn('area_id')}, {qn('month')}) DO UPDATE SET {sets}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _update(model: type[Any], key: AreaCell, delta: Vector) -> bool:
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    area, month = key
    sets = ", ".join(f"{qn(c)} = {qn(c)} + %s" for c in FIGURE_COLUMNS)
    where = f"{qn('area_id')} = %s AND {qn('month')} = %s"
    month_value = connection.ops.adapt_datefield_value(month)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} WHERE {where} RETURNING {', '.join(qn(c) for c in FIGURE_COLUMNS)}",  # noqa: S608 (%s parameters)
            [*delta, area, month_value],
        )
        after = cursor.fetchone()
        if after is not None and not any(after):
            cursor.execute(f"DELETE FROM {table} WHERE {where}", [area, month_value])  # noqa: S608 (%s parameters)
    return after is not None
