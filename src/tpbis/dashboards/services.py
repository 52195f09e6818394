"""Writes of the record summaries: a record write changes only the cells of the months it touched; a rebuild
writes them all from the records.

The library cell (`LibraryMonth`) carries every figure, so a write recomputes just its library's touched
months from the records, and adds the difference to the kecamatan and kabupaten/kota cells of those months
with atomic increments: two libraries of one kecamatan written at once both land, without a region lock.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Substr

from tpbis.dashboards.deadline import deadline_day, report_deadline
from tpbis.dashboards.models import (
    DAY_COLUMNS,
    FIGURE_COLUMNS,
    RECORD_TYPES,
    DistrictMonth,
    LibraryMonth,
    RegencyDay,
    RegencyMonth,
    ReportDeadline,
)
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
    "summaries_days_rebuild",
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
UNCOUNTED_STATUSES = [s for s in Status.values if s not in COUNTED_STATUSES]
COUNTED = ~Q(status__in=UNCOUNTED_STATUSES)
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
# Where the columns of a day (`RegencyDay`, `LibraryMonth.days`) sit in a figures vector.
DAY_POSITIONS = [POSITION[column] for column in DAY_COLUMNS]
DISTRICT_CODE_LENGTH = 8  # "35.24.01"
# A write naming more library-months than this recomputes its libraries whole (one query either way).
MAX_NAMED_CELLS = 48
# Libraries per round of a bulk write or a rebuild: bounds memory and the length of IN lists.
CHUNK = 500

Vector = list[int]
# Typed empty columns: PostgreSQL matches a UNION's column types branch by branch.
NO_DAY, NO_NUMBER, NO_TEXT = "CAST(NULL AS DATE)", "CAST(NULL AS INTEGER)", "CAST(NULL AS TEXT)"
LibraryCell = tuple[int, dt.date]
AreaCell = tuple[str, dt.date]
Days = dict[int, Vector]  # a library month's days: day of the month → its DAY_COLUMNS


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


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _add(into: dict[Any, Vector], key: Any, vector: Sequence[int], sign: int = 1) -> None:
    have = into.setdefault(key, [0] * len(vector))
    for i, value in enumerate(vector):
        have[i] += sign * value


def _figures(vector: Sequence[int]) -> dict[str, int]:
    return dict(zip(FIGURE_COLUMNS, vector, strict=True))


def _count_report(vector: Vector, month: dt.date, first_input: dt.date | str, day: int) -> None:
    """Mark a library cell's month as reported (it has counted visitor records, the earliest entered on
    `first_input`), and on time when that is by the month's deadline; `_drop_unexpected` then clears the
    months the library was not expected to report."""
    entered = first_input if isinstance(first_input, dt.date) else dt.date.fromisoformat(str(first_input)[:10])
    vector[POSITION["reports"]] = 1
    vector[POSITION["reports_on_time"]] = int(entered <= report_deadline(month, day))


def _drop_unexpected(cells: Mapping[LibraryCell, Vector], partners: Mapping[int, tuple[bool, int]]) -> None:
    """Clear the reports of months a library was not expected to report: inactive, or before its cohort year
    (`partners`: library id → (is_active, cohort_year))."""
    for (lib, month), vector in cells.items():
        active, cohort = partners[lib]
        if not active or cohort > month.year:
            vector[POSITION["reports"]] = vector[POSITION["reports_on_time"]] = 0


# ------------------------------------------------------------------------------------------ rebuild


def _month_sql(record_type: str, model: type[Any]) -> str:
    """The first day of a record's month, as the summaries keep it (SQLite: ISO text)."""
    if record_type in DATED:
        date = _column(model, "date")
        if connection.vendor == "postgresql":
            return f"CAST(DATE_TRUNC('month', {date}) AS DATE)"
        return f"DATE({date}, 'start of month')"
    year, month = _column(model, "year"), _column(model, "month")
    if connection.vendor == "postgresql":
        return f"MAKE_DATE({year}, {month}, 1)"
    return f"PRINTF('%%04d-%%02d-01', {year}, {month})"


def _deadline_sql(month: str) -> tuple[str, list[Any]]:
    """`report_deadline` of a month (its first day) in SQL: day D of the next month, or that month's last day."""
    day = deadline_day()
    if connection.vendor == "postgresql":
        return (
            f"LEAST(CAST({month} + INTERVAL '2 month' AS DATE) - 1, CAST({month} + INTERVAL '1 month' AS DATE) + %s)",
            [day - 1],
        )
    return f"MIN(DATE({month}, '+2 months', '-1 day'), DATE({month}, '+1 month', %s))", [f"+{day - 1} days"]


def _figures_sql(
    record_type: str, model: type[Any], columns: Sequence[str], *, table: str | None = None
) -> tuple[list[str], list[Any]]:
    """One record table's figures as a SELECT list in `columns` order (`c0`, `c1`, …): its records counted
    and verified, its people summed, 0 for the other types' columns; with their parameters. `table`
    qualifies the columns (a statement that joins the libraries)."""
    people = PEOPLE_FIELDS.get(record_type, {})
    qualify = f"{table}." if table else ""
    figures: list[str] = []
    params: list[Any] = []
    for i, column in enumerate(columns):
        if column == record_type:
            figure = "COUNT(*)"
        elif column == f"{record_type}_verified":
            figure = f"SUM(CASE WHEN {qualify}{_column(model, 'status')} = %s THEN 1 ELSE 0 END)"
            params.append(Status.VERIFIED.value)
        elif column in people:
            figure = f"COALESCE(SUM({qualify}{_column(model, people[column])}), 0)"  # a figure left empty
        else:
            figure = "0"
        figures.append(f"{figure} AS c{i}")
    return figures, params


def _library_months_insert() -> None:
    """Write every library month cell (`days` empty) from the records in one INSERT … SELECT: each record
    table grouped by library and month, the groups of one cell summed across the tables; a month's visitor
    report counts as received (and on time) as `_count_report` and `_drop_unexpected` count it."""
    qn = connection.ops.quote_name
    library_table = qn(Library._meta.db_table)
    parts: list[str] = []
    params: list[Any] = []
    for record_type in RECORD_TYPES:
        model = record_model(record_type)
        table = qn(model._meta.db_table)
        library, status = _column(model, "library"), _column(model, "status")
        figures, grouped_params = _figures_sql(record_type, model, FIGURE_COLUMNS)
        month = _month_sql(record_type, model)
        # Counted as "none of the others" (like COUNTED): SQLite then reads the table through, not every
        # row through the status index, which nearly every record matches.
        where = f"{status} NOT IN ({', '.join(['%s'] * len(UNCOUNTED_STATUSES))})"
        grouped_params.extend(UNCOUNTED_STATUSES)
        if record_type in DATED:
            where += f" AND {_column(model, 'date')} IS NOT NULL"
        grouped = (
            f"SELECT {library} AS lib, {month} AS month, {', '.join(figures)}"  # noqa: S608 (names and %s parameters)
            f"{', MIN(' + _column(model, 'input_date') + ') AS entered' if model is Visitors else ''} "
            f"FROM {table} WHERE {where} GROUP BY {library}, {month}"
        )
        if model is not Visitors:
            parts.append(grouped)
            params.extend(grouped_params)
            continue
        # The month's report: received when the library was expected to report (active, cohort year begun),
        # on time when its earliest record was entered by the month's deadline.
        expected = f"l.{_column(Library, 'is_active')} AND l.{_column(Library, 'cohort_year')} <= " + (
            "EXTRACT(YEAR FROM g.month)"
            if connection.vendor == "postgresql"
            else "CAST(SUBSTR(g.month, 1, 4) AS INTEGER)"
        )
        deadline, deadline_params = _deadline_sql("g.month")
        reported = {
            "reports": f"CASE WHEN {expected} THEN 1 ELSE 0 END",
            "reports_on_time": f"CASE WHEN {expected} AND g.entered <= {deadline} THEN 1 ELSE 0 END",
        }
        params.extend([*deadline_params, *grouped_params])
        columns = ", ".join(
            f"{reported[column]} AS c{i}" if column in reported else f"g.c{i}"
            for i, column in enumerate(FIGURE_COLUMNS)
        )
        parts.append(
            f"SELECT g.lib, g.month, {columns} FROM ({grouped}) AS g "  # noqa: S608 (names and %s parameters)
            f"JOIN {library_table} AS l ON l.{qn(Library._meta.pk.column)} = g.lib"
        )
    sums = ", ".join(f"CAST(SUM(u.c{i}) AS BIGINT)" for i in range(WIDTH))
    columns = ", ".join(
        qn(c) for c in (LibraryMonth._meta.get_field("library").column, "month", *FIGURE_COLUMNS, "days")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(LibraryMonth._meta.db_table)} ({columns}) "  # noqa: S608 (names and %s parameters)
            f"SELECT u.lib, u.month, {sums}, '{{}}' FROM ({' UNION ALL '.join(parts)}) AS u "
            "GROUP BY u.lib, u.month ORDER BY u.lib, u.month",
            params,
        )


def _district_months_insert() -> int:
    """Write every kecamatan row as the sum of its libraries' cells (`area_of` the library's region; a
    kabupaten/kota's or province's own libraries: its code); returns the rows written."""
    qn = connection.ops.quote_name
    cells = qn(LibraryMonth._meta.db_table)
    region = f"l.{_column(Library, 'region')}"
    area = f"SUBSTR({region}, 1, {DISTRICT_CODE_LENGTH})"
    sums = ", ".join(f"CAST(SUM(c.{qn(column)}) AS BIGINT)" for column in FIGURE_COLUMNS)
    columns = ", ".join(qn(c) for c in ("area_id", "regency_id", "province_id", "month", *FIGURE_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(DistrictMonth._meta.db_table)} ({columns}) "  # noqa: S608 (names and %s parameters)
            f"SELECT {area}, CASE WHEN LENGTH({region}) >= 5 THEN SUBSTR({region}, 1, 5) END, "
            f"SUBSTR({region}, 1, 2), c.{qn('month')}, {sums} "
            f"FROM {cells} AS c JOIN {qn(Library._meta.db_table)} AS l "
            f"ON l.{qn(Library._meta.pk.column)} = c.{_column(LibraryMonth, 'library')} "
            f"GROUP BY {area}, CASE WHEN LENGTH({region}) >= 5 THEN SUBSTR({region}, 1, 5) END, "
            f"SUBSTR({region}, 1, 2), c.{qn('month')} ORDER BY 1, 4"
        )
        return cursor.rowcount


def _regency_months_insert() -> None:
    """Write every kabupaten/kota row as the sum of its kecamatan rows (a province's own libraries: its code)."""
    qn = connection.ops.quote_name
    area = f"COALESCE({qn('regency_id')}, {qn('province_id')})"
    sums = ", ".join(f"CAST(SUM({qn(column)}) AS BIGINT)" for column in FIGURE_COLUMNS)
    columns = ", ".join(qn(c) for c in ("area_id", "province_id", "month", *FIGURE_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(RegencyMonth._meta.db_table)} ({columns}) "  # noqa: S608 (names)
            f"SELECT {area}, SUBSTR({area}, 1, 2), {qn('month')}, {sums} "
            f"FROM {qn(DistrictMonth._meta.db_table)} GROUP BY {area}, {qn('month')} ORDER BY 1, 3"
        )


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


def _library_days_sql(library_ids: Sequence[int] | None, *, by_area: bool = False) -> tuple[str, list[Any]]:
    """Counted dated records per library and day (`lib`, `day` and the DAY_COLUMNS as `c0`, `c1`, …), of
    the given libraries or all: one GROUP BY per dated table, the rows of one day summed across them.
    `by_area`: per kabupaten/kota row of `RegencyDay` and day instead (`lib` is then the area's code)."""
    qn = connection.ops.quote_name
    joined = (
        f" JOIN {qn(Library._meta.db_table)} AS l ON l.{qn(Library._meta.pk.column)} = {{library}}" if by_area else ""
    )
    # regency_area_of(area_of(the library's region)); a province's own libraries: the province's code
    area = f"SUBSTR(l.{_column(Library, 'region')}, 1, 5)"
    parts: list[str] = []
    params: list[Any] = []
    for record_type, model in DATED.items():
        table = qn(model._meta.db_table)
        library, status, date = (f"{table}.{_column(model, name)}" for name in ("library", "status", "date"))
        figures, figure_params = _figures_sql(record_type, model, DAY_COLUMNS, table=table)
        params.extend(figure_params)
        where = f"{status} IN ({', '.join(['%s'] * len(COUNTED_STATUSES))}) AND {date} IS NOT NULL"
        params.extend(COUNTED_STATUSES)
        if library_ids is not None:
            where += f" AND {library} IN ({', '.join(['%s'] * len(library_ids))})"
            params.extend(library_ids)
        key = area if by_area else library
        parts.append(
            f"SELECT {key} AS lib, {date} AS day, {', '.join(figures)} "  # noqa: S608 (names and %s parameters)
            f"FROM {table}{joined.format(library=library)} WHERE {where} GROUP BY {key}, {date}"
        )
    sums = ", ".join(f"CAST(SUM(c{i}) AS BIGINT) AS c{i}" for i in range(len(DAY_COLUMNS)))
    return f"SELECT lib, day, {sums} FROM ({' UNION ALL '.join(parts)}) AS typed GROUP BY lib, day", params  # noqa: S608


def _regency_days_insert(library_ids: Sequence[int] | None = None) -> None:
    """Write the `RegencyDay` rows of the given libraries' kabupaten/kota (all when None) from the records;
    the rows must not be there (deleted first)."""
    if library_ids is not None and not library_ids:
        return
    qn = connection.ops.quote_name
    days, params = _library_days_sql(library_ids, by_area=True)
    columns = ", ".join(qn(c) for c in ("area_id", "province_id", "day", *DAY_COLUMNS))
    figures = ", ".join(f"d.c{i}" for i in range(len(DAY_COLUMNS)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(RegencyDay._meta.db_table)} ({columns}) "  # noqa: S608 (names and %s parameters)
            f"SELECT d.lib, SUBSTR(d.lib, 1, 2), d.day, {figures} FROM ({days}) AS d",
            params,
        )


def _library_days_update(library_ids: Sequence[int] | None = None, *, source: str | None = None) -> None:
    """Write the `days` of the given libraries' month cells (all when None) from the records, in one
    UPDATE … FROM (the JSON object built by the database); the cells must exist with empty days.
    `source`: a table already holding `_library_days_sql`'s rows (of every library), read instead."""
    qn = connection.ops.quote_name
    days, params = (f"SELECT * FROM {source}", []) if source else _library_days_sql(library_ids)  # noqa: S608
    vector = ", ".join(f"d.c{i}" for i in range(len(DAY_COLUMNS)))
    if connection.vendor == "postgresql":
        day = "CAST(EXTRACT(DAY FROM d.day) AS INTEGER)"
        month = f"(d.day - ({day} - 1))"
        agg = f"JSONB_OBJECT_AGG(CAST({day} AS TEXT), JSONB_BUILD_ARRAY({vector}))"
    else:
        month = "DATE(d.day, 'start of month')"
        agg = f"JSON_GROUP_OBJECT(CAST(CAST(STRFTIME('%%d', d.day) AS INTEGER) AS TEXT), JSON_ARRAY({vector}))"
    table = qn(LibraryMonth._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {qn('days')} = j.days FROM ("  # noqa: S608 (names and %s parameters)
            f"SELECT d.lib AS lib, {month} AS month, {agg} AS days FROM ({days}) AS d GROUP BY d.lib, {month}"
            f") AS j WHERE {table}.{_column(LibraryMonth, 'library')} = j.lib AND {table}.{qn('month')} = j.month",
            params,
        )


def summaries_days_rebuild() -> None:
    """Write every `RegencyDay` row and every library cell's `days` from the records, set-based (the library
    month cells must be there: `summaries_rebuild` writes them first)."""
    qn = connection.ops.quote_name
    days, params = _library_days_sql(None)
    scratch = qn("summaries_library_days")
    region = f"l.{_column(Library, 'region')}"
    area = f"SUBSTR({region}, 1, 5)"  # regency_area_of(area_of(the library's region))
    sums = ", ".join(f"CAST(SUM(d.c{i}) AS BIGINT)" for i in range(len(DAY_COLUMNS)))
    columns = ", ".join(qn(c) for c in ("area_id", "province_id", "day", *DAY_COLUMNS))
    with transaction.atomic(), connection.cursor() as cursor:
        RegencyDay.objects.all().delete()
        # Every library's days read from the dated tables once, for both the kabupaten/kota days and the
        # library cells' days.
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS {days}", params)
        cursor.execute(
            f"INSERT INTO {qn(RegencyDay._meta.db_table)} ({columns}) "  # noqa: S608 (names)
            f"SELECT {area}, SUBSTR({region}, 1, 2), d.day, {sums} FROM {scratch} AS d "
            f"JOIN {qn(Library._meta.db_table)} AS l ON l.{qn(Library._meta.pk.column)} = d.lib "
            f"GROUP BY {area}, SUBSTR({region}, 1, 2), d.day"
        )
        _library_days_update(source=scratch)
        cursor.execute(f"DROP TABLE {scratch}")


def summaries_rebuild() -> int:
    """Rebuild every summary row from the records (after a bulk load, or to check the incremental path);
    returns the kecamatan rows written.

    Set-based: one INSERT … SELECT writes the library cells from the five record tables (each read once),
    one the kecamatan rows from the library cells and one the kabupaten/kota rows from the kecamatan rows;
    nothing passes through Python, so memory stays flat for the whole country.
    """
    with transaction.atomic():
        DistrictMonth.objects.all().delete()
        RegencyMonth.objects.all().delete()
        LibraryMonth.objects.all().delete()
        _library_months_insert()
        written = _district_months_insert()
        _regency_months_insert()
        summaries_days_rebuild()
        # The on-time reports were counted with today's deadline day: the rates may read them again.
        ReportDeadline.objects.update_or_create(pk=1, defaults={"day": deadline_day()})
    return written


def summaries_refresh(*, areas: Iterable[str]) -> int:
    """Rebuild the kecamatan rows of the given areas (kecamatan codes, or the kabupaten/kota or province code
    of libraries registered there) and their kabupaten/kota rows from the library cells (after a library
    moved to another region); returns the kecamatan rows written.

    The areas' region rows are locked first, so two refreshes of one kabupaten run one after the other,
    then the areas' libraries, so a record write in the area (which locks its library) waits or is seen.
    A write elsewhere in the kabupaten waits too when it adds a kabupaten row: the row's key to its region
    takes a share lock that the region's update lock excludes, so it cannot insert a row this rebuild is
    about to insert (tested with threads in test_incremental_summaries).
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
        # The kabupaten/kota days from the records of every library there (a library's own cells and days
        # move with it unchanged).
        RegencyDay.objects.filter(area_id__in=[*regencies, *provinces]).delete()
        everyone = Library.objects.filter(regency_areas).annotate(area=Substr("region_id", 1, 5))
        everyone = everyone.filter(area__in=[*regencies, *provinces]).order_by("pk")
        _regency_days_insert(list(everyone.values_list("pk", flat=True)))
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
    libraries = Library.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    partners = {
        pk: (region, active, cohort)
        for pk, region, active, cohort in libraries.values_list("pk", "region_id", "is_active", "cohort_year")
    }
    regions = {pk: region for pk, (region, _, _) in partners.items()}
    touched = {pk: named[pk] for pk in ids if pk in named and named[pk] and pk in regions}
    whole = [pk for pk in ids if pk not in named and pk in regions]
    if sum(len(m) for m in touched.values()) > MAX_NAMED_CELLS:
        whole, touched = sorted([*whole, *touched]), {}
    if not touched and not whole:
        return
    now, stored, now_days, stored_days = _cells(touched, whole)
    _drop_unexpected(now, {pk: (active, cohort) for pk, (_, active, cohort) in partners.items()})
    changed = {key: (now.get(key, [0] * WIDTH), stored.get(key, [0] * WIDTH)) for key in {*now, *stored}}
    changed = {
        key: pair
        for key, pair in changed.items()
        if pair[0] != pair[1] or now_days.get(key, {}) != stored_days.get(key, {})  # a record moved in its month
    }
    if not changed:
        return
    kept = [
        LibraryMonth(
            library_id=lib,
            month=month,
            days={str(day): vector for day, vector in sorted(now_days.get((lib, month), {}).items())},
            **_figures(new),
        )
        for (lib, month), (new, _) in sorted(changed.items())
        if any(new)
    ]
    if kept:
        LibraryMonth.objects.bulk_create(
            kept,
            update_conflicts=True,
            unique_fields=["library", "month"],
            update_fields=[*FIGURE_COLUMNS, "days"],
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
    days: dict[AreaCell, Vector] = {}
    for lib, month in changed:
        new_days, old_days = now_days.get((lib, month), {}), stored_days.get((lib, month), {})
        for day in {*new_days, *old_days}:
            key = (regency_area_of(area_of(regions[lib])), month.replace(day=day))
            _add(days, key, new_days.get(day, [0] * len(DAY_COLUMNS)))
            _add(days, key, old_days.get(day, [0] * len(DAY_COLUMNS)), sign=-1)
    missing = _shift(DistrictMonth, districts)
    missing_regencies = {area for area, _ in _shift(RegencyMonth, regencies)}
    missing_regencies |= {area for area, _ in _shift(RegencyDay, days)}
    stale = {area for area, _ in missing} | {
        area for area, _ in districts if regency_area_of(area) in missing_regencies
    }
    if stale:
        # Only summaries already out of step get here (written by hand, or by a load that skipped them).
        logger.warning("summary cells missing for %s; rebuilding those areas", sorted(stale))
        summaries_refresh(areas=stale)


def _column(model: type[Any], name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _cells(
    touched: Mapping[int, set[dt.date]], whole: Sequence[int]
) -> tuple[dict[LibraryCell, Vector], dict[LibraryCell, Vector], dict[LibraryCell, Days], dict[LibraryCell, Days]]:
    """The named library cells as the records make them now, and as stored: one short query (UNION ALL) over
    the five record tables, each narrowed by its (library, status) index, and the stored library cells; then
    the cells' days (dated records per day of the month, DAY_COLUMNS) now and as stored.

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
            f"SELECT 0, {library}, {select}, {_first_input(model) if model is Visitors else NO_TEXT}, {figures} "  # noqa: S608
            f"FROM {table} "
            f"WHERE ({narrowed}) AND {status} IN (%s, %s){dated} GROUP BY {library}, {group}"
        )
    stored = ", ".join(qn(column) for column in FIGURE_COLUMNS)
    month = _column(LibraryMonth, "month")
    narrowed = where(LibraryMonth, "stored")
    parts.append(
        f"SELECT 1, {_column(LibraryMonth, 'library')}, {month}, {NO_NUMBER}, {NO_NUMBER}, "  # noqa: S608
        f"CAST({qn('days')} AS TEXT), {stored} "
        f"FROM {qn(LibraryMonth._meta.db_table)} WHERE {narrowed}"
    )
    now: dict[LibraryCell, Vector] = {}
    stored_cells: dict[LibraryCell, Vector] = {}
    deadline = deadline_day()
    now_days: dict[LibraryCell, Days] = {}
    stored_days: dict[LibraryCell, Days] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, lib, on, year, month_number, days, *vector in cursor.fetchall():
            if on is None:
                first, date = dt.date(int(year), int(month_number), 1), None
            else:  # SQLite hands a date over as text
                date = on if isinstance(on, dt.date) else dt.date.fromisoformat(str(on))
                first = date.replace(day=1)
            numbers = [int(v or 0) for v in vector]
            _add(stored_cells if kind else now, (int(lib), first), numbers)
            if kind:
                stored_days[(int(lib), first)] = {
                    int(d): [int(v) for v in day] for d, day in json.loads(days or "{}").items()
                }
            elif days is not None:  # a visitor report's month: the text column holds its earliest input date
                _count_report(now[(int(lib), first)], first, days, deadline)
            elif date is not None:  # a dated record type's day, as the cell's `days` keeps it
                _add(now_days.setdefault((int(lib), first), {}), date.day, [numbers[i] for i in DAY_POSITIONS])
    return now, stored_cells, now_days, stored_days


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _first_input(model: type[Any]) -> str:
    """The earliest input date of a group of records as ISO text (the UNION's text column)."""
    column = f"MIN({_column(model, 'input_date')})"
    return f"TO_CHAR({column}, 'YYYY-MM-DD')" if connection.vendor == "postgresql" else f"CAST({column} AS TEXT)"


def _summed(model: type[Any]) -> tuple[str, Sequence[str]]:
    """An area summary's date column and the columns it sums."""
    return ("day", DAY_COLUMNS) if model is RegencyDay else ("month", FIGURE_COLUMNS)


def _shift(
    model: type[DistrictMonth] | type[RegencyMonth] | type[RegencyDay], deltas: Mapping[AreaCell, Vector]
) -> set[AreaCell]:
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
    date, summed = _summed(model)
    columns = [*keys, date, *summed]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list[Any] = []
    for (area, month), delta in cells:
        params += [*_area_columns(model, area).values(), connection.ops.adapt_datefield_value(month), *delta]
    sets = ", ".join(f"{qn(c)} = {table}.{qn(c)} + EXCLUDED.{qn(c)}" for c in summed)
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES {', '.join([row] * len(cells))} "  # noqa: S608 (%s parameters)
        f"ON CONFLICT ({qn('area_id')}, {qn(date)}) DO UPDATE SET {sets}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _update(model: type[Any], key: AreaCell, delta: Vector) -> bool:
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    area, month = key
    date, summed = _summed(model)
    sets = ", ".join(f"{qn(c)} = {qn(c)} + %s" for c in summed)
    where = f"{qn('area_id')} = %s AND {qn(date)} = %s"
    month_value = connection.ops.adapt_datefield_value(month)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} WHERE {where} RETURNING {', '.join(qn(c) for c in summed)}",  # noqa: S608 (%s parameters)
            [*delta, area, month_value],
        )
        after = cursor.fetchone()
        if after is not None and not any(after):
            cursor.execute(f"DELETE FROM {table} WHERE {where}", [area, month_value])  # noqa: S608 (%s parameters)
    return after is not None
