"""Aggregate what libraries reported into scoring facts: one GROUP BY per record type for a whole set
of libraries and any number of dates of one year, never a loop over records."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, connections, transaction
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear, Round, RowNumber

from tpbis.kpi.engine import HUNDRED, ComponentSpec, Facts, SchemeSpec
from tpbis.kpi.models import LATEST_FIELDS, Colour, Measure
from tpbis.reports.models import (
    COUNTED_STATUSES,
    Advocacy,
    CommunityEngagement,
    InformationService,
    Publicity,
    Status,
    Visitors,
)

# Written as an exclusion on purpose: SQLite then uses the (library, status) index instead of scanning
# the status index, which nearly every record matches.
UNCOUNTED = [status for status in Status.values if status not in COUNTED_STATUSES]

DATED: dict[str, Any] = {"pelibatan": CommunityEngagement, "advokasi": Advocacy, "publikasi": Publicity}
MONTHLY: dict[str, Any] = {"peningkatan": InformationService, "pengunjung": Visitors}

LibrarySet = QuerySet[Any] | Iterable[int]


def _library_filter(libraries: LibrarySet) -> Q:
    return Q(library_id__in=libraries if isinstance(libraries, QuerySet) else list(libraries))


def gather_facts(*, libraries: LibrarySet, dates: list[dt.date]) -> dict[int, dict[dt.date, Facts]]:
    """Facts per library and date; every date must fall in the same year.

    A record counts towards a date when its activity date (its month, for monthly records) lies between
    1 January and that date. Only verified records earn points; any submitted or verified record,
    even one whose date is unknown, means the library is assessed.
    """
    years = {d.year for d in dates}
    if len(years) != 1:
        raise ValueError("all dates must be in one year")
    year = years.pop()
    facts: dict[int, dict[dt.date, Facts]] = defaultdict(lambda: {d: Facts() for d in dates})
    for record_type, model in DATED.items():
        _dated_counts(facts, record_type, model, libraries, dates, year)
    for record_type, model in MONTHLY.items():
        _monthly_counts(facts, record_type, model, libraries, dates, year)
    for date in dates:
        _latest_information(facts, libraries, date)
    return dict(facts)


def _dated_counts(
    facts: dict[int, dict[dt.date, Facts]],
    record_type: str,
    model: type[Any],
    libraries: LibrarySet,
    dates: list[dt.date],
    year: int,
) -> None:
    known = Q(date_unknown=False) if hasattr(model, "date_unknown") else Q()
    annotations: dict[str, Any] = {}
    for i, date in enumerate(dates):
        annotations[f"v{i}"] = Count("pk", filter=Q(status=Status.VERIFIED, date__lte=date) & known)
        annotations[f"a{i}"] = Count("pk", filter=Q(date__lte=date))
    rows = (
        model.objects.filter(_library_filter(libraries))
        .exclude(status__in=UNCOUNTED)
        .filter(date__gte=dt.date(year, 1, 1), date__lte=max(dates))
        .order_by()
        .values("library_id")
        .annotate(**annotations)
    )
    for row in rows:
        per_date = facts[row["library_id"]]
        for i, date in enumerate(dates):
            per_date[date].counts[record_type] = row[f"v{i}"]
            per_date[date].has_any = per_date[date].has_any or row[f"a{i}"] > 0


def _monthly_counts(
    facts: dict[int, dict[dt.date, Facts]],
    record_type: str,
    model: type[Any],
    libraries: LibrarySet,
    dates: list[dt.date],
    year: int,
) -> None:
    annotations: dict[str, Any] = {}
    for i, date in enumerate(dates):
        # Months, not records: a second record of a month is a correction (the report card lists one row).
        annotations[f"v{i}"] = Count("month", filter=Q(status=Status.VERIFIED, month__lte=date.month), distinct=True)
        annotations[f"a{i}"] = Count("pk", filter=Q(month__lte=date.month))
    rows = (
        model.objects.filter(_library_filter(libraries), year=year)
        .exclude(status__in=UNCOUNTED)
        .filter(month__lte=max(d.month for d in dates))
        .order_by()
        .values("library_id")
        .annotate(**annotations)
    )
    for row in rows:
        per_date = facts[row["library_id"]]
        for i, date in enumerate(dates):
            per_date[date].counts[record_type] = row[f"v{i}"]
            per_date[date].reported[record_type] = row[f"v{i}"] > 0
            per_date[date].has_any = per_date[date].has_any or row[f"a{i}"] > 0


def _latest_information(facts: dict[int, dict[dt.date, Facts]], libraries: LibrarySet, date: dt.date) -> None:
    """The latest verified information-service record up to the date's month (latest month; among
    records of the same month, the last entered), one row per library via a window function."""
    rows = (
        InformationService.objects.filter(
            _library_filter(libraries), status=Status.VERIFIED, year=date.year, month__lte=date.month
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("library_id")],
                order_by=[F("month").desc(), F("input_date").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .values("library_id", *LATEST_FIELDS)
    )
    for row in rows:
        facts[row["library_id"]][date].latest = {name: Decimal(row[name] or 0) for name in LATEST_FIELDS}


# --- Month facts: what one library reported in one month (kpi.models.MonthFacts) --------------------------

Key = tuple[int, dt.date]  # (library id, first day of the month)
LATEST_ORDER = tuple(LATEST_FIELDS)
CENT = Decimal("0.01")  # books, digital_books, computers, bandwidth


class Cell(NamedTuple):
    """One library-month: verified dated counts, verified monthly reports, whether anything counted,
    and the month's latest verified information-service figures (None without one)."""

    engagement: int = 0
    advocacy: int = 0
    publicity: int = 0
    information: bool = False
    visitors: bool = False
    dated_any: bool = False
    monthly_any: bool = False
    latest: tuple[Decimal, ...] | None = None

    @property
    def empty(self) -> bool:
        return not (self.dated_any or self.monthly_any)


CELL_FIELDS = ("engagement", "advocacy", "publicity", "information", "visitors", "dated_any", "monthly_any")
DATED_FIELD = {"pelibatan": "engagement", "advokasi": "advocacy", "publikasi": "publicity"}
MONTHLY_FIELD = {"peningkatan": "information", "pengunjung": "visitors"}


def month_first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def latest_figures(values: Iterable[Any]) -> tuple[Decimal, ...]:
    """The figures as `gather_facts` reads them: whole numbers for counts, cents for bandwidth."""
    books, digital_books, computers, bandwidth = values
    bandwidth = Decimal(str(bandwidth)).quantize(CENT) if bandwidth is not None else None
    return (
        Decimal(int(books or 0)),
        Decimal(int(digital_books or 0)),
        Decimal(int(computers or 0)),
        Decimal(bandwidth or 0),
    )


def _cell_of(parts: dict[str, Any]) -> Cell:
    return Cell(**parts)


def cells_from_records(*, libraries: LibrarySet | None = None, years: Iterable[int] | None = None) -> dict[Key, Cell]:
    """Every non-empty library-month of the libraries (all when None) in the years (all when None), from
    the record tables: one GROUP BY per record type and one window query for the information figures."""
    found: dict[Key, dict[str, Any]] = defaultdict(dict)
    year_list = sorted(set(years)) if years is not None else None
    where = _library_filter(libraries) if libraries is not None else Q()
    for record_type, model in DATED.items():
        known = Q(date_unknown=False) if hasattr(model, "date_unknown") else Q()
        qs = model.objects.filter(where).exclude(status__in=UNCOUNTED).filter(date__isnull=False)
        if year_list is not None:
            qs = qs.filter(date__gte=dt.date(year_list[0], 1, 1), date__lte=dt.date(year_list[-1], 12, 31))
        rows = (
            qs.order_by()
            .annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
            .values("library_id", "y", "m")
            .annotate(v=Count("pk", filter=Q(status=Status.VERIFIED) & known), a=Count("pk"))
            .values_list("library_id", "y", "m", "v", "a")
        )
        for library_id, y, m, v, a in rows:
            if year_list is not None and y not in year_list:
                continue
            cell = found[(library_id, dt.date(y, m, 1))]
            cell[DATED_FIELD[record_type]] = v
            cell["dated_any"] = cell.get("dated_any", False) or a > 0
    for record_type, model in MONTHLY.items():
        qs = model.objects.filter(where).exclude(status__in=UNCOUNTED)
        if year_list is not None:
            qs = qs.filter(year__in=year_list)
        rows = (
            qs.order_by()
            .values("library_id", "year", "month")
            .annotate(v=Count("pk", filter=Q(status=Status.VERIFIED)), a=Count("pk"))
            .values_list("library_id", "year", "month", "v", "a")
        )
        for library_id, y, m, v, a in rows:
            cell = found[(library_id, dt.date(y, m, 1))]
            cell[MONTHLY_FIELD[record_type]] = v > 0
            cell["monthly_any"] = cell.get("monthly_any", False) or a > 0
    latest = InformationService.objects.filter(where, status=Status.VERIFIED)
    if year_list is not None:
        latest = latest.filter(year__in=year_list)
    rows = (
        latest.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("library_id"), F("year"), F("month")],
                order_by=[F("input_date").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .values_list("library_id", "year", "month", *LATEST_ORDER)
    )
    for library_id, y, m, *values in rows:
        found[(library_id, dt.date(y, m, 1))]["latest"] = latest_figures(values)
    return {key: built for key, parts in found.items() if not (built := _cell_of(parts)).empty}


def cells_from_rows(months: dict[int, set[dt.date]]) -> dict[Key, Cell]:
    """The given library-months recounted from their records, in one query (a UNION ALL of the record
    tables' rows in those months): what a single entry costs. Months with nothing counted are left out.

    Written as SQL: building five ORM querysets costs more than running them.
    """
    qn = connection.ops.quote_name
    counted = [Status.SUBMITTED.value, Status.VERIFIED.value]
    selects: list[str] = []
    params: list[Any] = []
    for record_type, model in [*DATED.items(), *MONTHLY.items()]:
        monthly = record_type in MONTHLY
        where: list[str] = []
        where_params: list[Any] = []
        for library_id, firsts in months.items():
            for first in sorted(firsts):
                if monthly:
                    where.append(f"({qn('library_id')} = %s AND {qn('year')} = %s AND {qn('month')} = %s)")
                    where_params += [library_id, first.year, first.month]
                else:
                    where.append(f"({qn('library_id')} = %s AND {qn('date')} >= %s AND {qn('date')} < %s)")
                    where_params += [library_id, first, next_month(first)]
        if not where:
            return {}
        unknown = qn("date_unknown") if hasattr(model, "date_unknown") else "FALSE"
        figures = (
            ", ".join(qn(name) for name in LATEST_ORDER)
            if record_type == "peningkatan"
            else "CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS NUMERIC)"
        )
        columns = (
            f"%s, {qn('library_id')}, "
            + ("CAST(NULL AS DATE), " if monthly else f"{qn('date')}, ")
            + (f"{qn('year')}, {qn('month')}, " if monthly else "CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), ")
            + f"{qn('status')}, {unknown}, {qn('input_date')}, {qn('id')}, {figures}"
        )
        selects.append(
            f"SELECT {columns} FROM {qn(model._meta.db_table)} "  # noqa: S608 (names from the models)
            f"WHERE {qn('status')} IN (%s, %s) AND ({' OR '.join(where)})"
        )
        params += [record_type, *counted, *where_params]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        rows = cursor.fetchall()
    parts: dict[Key, dict[str, Any]] = defaultdict(dict)
    newest: dict[Key, tuple[Any, int]] = {}
    for record_type, library_id, date, year, month, status, unknown, entered, ident, *values in rows:
        if record_type in DATED:
            day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date)[:10])
            key = (library_id, day.replace(day=1))
            cell = parts[key]
            field = DATED_FIELD[record_type]
            cell[field] = cell.get(field, 0) + (1 if status == Status.VERIFIED and not unknown else 0)
            cell["dated_any"] = True
            continue
        key = (library_id, dt.date(int(year), int(month), 1))
        cell = parts[key]
        cell["monthly_any"] = True
        if status == Status.VERIFIED:
            cell[MONTHLY_FIELD[record_type]] = True
            if record_type == "peningkatan" and (key not in newest or (entered, ident) > newest[key]):
                newest[key] = (entered, ident)
                cell["latest"] = latest_figures(values)
    return {key: built for key, p in parts.items() if not (built := _cell_of(p)).empty}


def cell_from_row(values: Sequence[Any]) -> Cell:
    """A cell from a stored row's CELL_FIELDS then LATEST_ORDER values."""
    flags, latest = values[: len(CELL_FIELDS)], values[len(CELL_FIELDS) :]
    return Cell._make([*flags, latest_figures(latest) if flags[3] and latest[0] is not None else None])


def digest_row(month: int, cell: Cell) -> tuple[Any, ...]:
    """A cell as `year_rows_stored` reads it back, for `ScoredYear` digests: whole numbers only (bandwidth
    in hundredths, -1 for a missing figure), so equal rows hash equally in every process and database."""
    if cell.latest is None:
        latest: tuple[int, ...] = (-1, -1, -1, -1)
    else:
        books, digital_books, computers, bandwidth = cell.latest
        latest = (int(books), int(digital_books), int(computers), int(bandwidth * 100))
    return (month, cell.engagement, cell.advocacy, cell.publicity, int(cell.information), int(cell.visitors),
            int(cell.dated_any), int(cell.monthly_any), *latest)  # fmt: skip


def cells_stored(where: Q) -> dict[Key, tuple[int, Cell]]:
    """Stored month facts matching the filter, with their row ids."""
    from tpbis.kpi.models import MonthFacts

    rows = MonthFacts.objects.filter(where).values_list("pk", "library_id", "month", *CELL_FIELDS, *LATEST_ORDER)
    return {(library_id, month): (pk, cell_from_row(values)) for pk, library_id, month, *values in rows}


def _year_rows_query(where: Q) -> QuerySet[Any]:
    from tpbis.kpi.models import MonthFacts

    figures = {
        name: Case(When(information=True, then=Coalesce(F(name), 0)), default=Value(-1))
        for name in ("books", "digital_books", "computers")
    }
    cents = Cast(Round(F("bandwidth") * 100), IntegerField())
    return (
        MonthFacts.objects.filter(where)
        .order_by("library_id", "month")
        .annotate(
            y=Cast(ExtractYear("month"), IntegerField()),
            m=Cast(ExtractMonth("month"), IntegerField()),
            i=Case(When(information=True, then=Value(1)), default=Value(0)),
            v=Case(When(visitors=True, then=Value(1)), default=Value(0)),
            da=Case(When(dated_any=True, then=Value(1)), default=Value(0)),
            ma=Case(When(monthly_any=True, then=Value(1)), default=Value(0)),
            b=figures["books"],
            db=figures["digital_books"],
            c=figures["computers"],
            bw=Case(When(information=True, then=Coalesce(cents, 0)), default=Value(-1)),
        )
        .values_list("library_id", "y", *DIGEST_COLUMNS)
    )


DIGEST_COLUMNS = ("m", "engagement", "advocacy", "publicity", "i", "v", "da", "ma", "b", "db", "c", "bw")


def year_rows_stored(where: Q) -> dict[tuple[int, int], list[tuple[Any, ...]]]:
    """Stored month facts per (library, year) as `digest_row` tuples in month order, shaped by the
    database so that reading them builds no cell."""
    rows = _year_rows_query(where)
    # Read on a plain cursor: every column is already a whole number, Django's converters would only
    # cost time (a second per hundred thousand rows).
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    by_year: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(20000):
            for row in chunk:
                by_year[(row[0], row[1])].append(tuple(row[2:]))
    return by_year


def rows_digest(rows: Iterable[tuple[Any, ...]]) -> int:
    """A stable 60-bit digest of a library-year's `digest_row` tuples, the same as PostgreSQL computes
    in `year_digests_stored`: md5 of the whole numbers, comma-separated, rows joined by semicolons."""
    text = ";".join(",".join(str(int(v)) for v in row) for row in rows)
    return int(hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()[:15], 16)


def year_digests_stored(where: Q) -> dict[tuple[int, int], int]:
    """`rows_digest` of every stored library-year. On PostgreSQL computed by the database (one row per
    library-year comes back instead of one per month): what an unchanged `kpi_recompute` reads."""
    rows = _year_rows_query(where)
    if connections[rows.db].vendor != "postgresql":
        return {key: rows_digest(year_rows) for key, year_rows in year_rows_stored(where).items()}
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    qn = connection.ops.quote_name
    fields = ", ".join(qn(column) for column in DIGEST_COLUMNS)
    digest_sql = (
        f"SELECT {qn('library_id')}, {qn('y')}, md5(string_agg(concat_ws(',', {fields}), ';' "  # noqa: S608
        f"ORDER BY {qn('m')})) FROM ({sql}) AS months GROUP BY 1, 2"
    )
    with connections[rows.db].cursor() as cursor:
        cursor.execute(digest_sql, params)
        return {(library_id, year): int(digest[:15], 16) for library_id, year, digest in cursor.fetchall()}


def cells_of_rows(year: int, rows: Iterable[tuple[Any, ...]]) -> dict[dt.date, Cell]:
    """The cells of `digest_row` tuples."""
    cells = {}
    for month, engagement, advocacy, publicity, information, visitors, dated_any, monthly_any, *latest in rows:
        figures = None
        if information and latest[0] != -1:
            figures = latest_figures((*latest[:3], Decimal(latest[3]).scaleb(-2)))
        cells[dt.date(year, month, 1)] = Cell(
            int(engagement), int(advocacy), int(publicity), bool(information), bool(visitors), bool(dated_any), bool(monthly_any),
            figures,
        )  # fmt: skip
    return cells


UPSERT_VALUES = 2000  # parameters per statement of a bulk upsert (SQLite allows 32,766, PostgreSQL 65,535)
COPY_ROWS = 5000  # from this many rows a bulk upsert goes through COPY on PostgreSQL


def upsert(
    table: str,
    columns: list[str],
    conflict: list[str],
    rows: list[tuple[Any, ...]],
    only_changed: bool = False,
    fresh: bool = False,
) -> None:
    """INSERT ... ON CONFLICT DO UPDATE of plain tuples in batches: no model instances, no per-field
    preparation (the KPI tables hold numbers, dates and short text only). With `only_changed`, a row
    already equal is left alone, so that PostgreSQL leaves no dead row behind. `fresh`: the caller knows
    that none of the rows can be in the table yet (and that nobody else adds them meanwhile): many rows
    are then copied straight into it on PostgreSQL."""
    if not rows:
        return
    qn = connection.ops.quote_name
    updated = [c for c in columns if c not in conflict]
    sets = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in updated)
    names = ", ".join(qn(c) for c in columns)
    head = f"INSERT INTO {qn(table)} ({names})"
    tail = f"ON CONFLICT ({', '.join(qn(c) for c in conflict)}) DO UPDATE SET {sets}"
    if only_changed:
        same = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        tail += " WHERE " + " OR ".join(f"{qn(table)}.{qn(c)} {same} excluded.{qn(c)}" for c in updated)
    if fresh and connection.vendor == "postgresql" and len(rows) >= COPY_ROWS:
        # A new day of a country's scores: no conflict to look for, one COPY (83,762 day scores: 0.7-1.2 s
        # against 1.2-1.25 s through the scratch table and the INSERT ... ON CONFLICT below).
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    if connection.vendor == "postgresql" and len(rows) >= COPY_ROWS:
        # Many rows (a country's scores of a day): COPY into a scratch table, then one INSERT ... SELECT.
        # 83,762 day scores: 620-700 ms instead of 990-1,060 ms, most of it saved on binding parameters.
        staged = qn(f"staged_{table}")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {staged} AS SELECT {names} FROM {qn(table)} WITH NO DATA")  # noqa: S608
            with cursor.cursor.copy(f"COPY {staged} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"{head} SELECT {names} FROM {staged} {tail}")  # noqa: S608
            cursor.execute(f"DROP TABLE {staged}")
        return
    sql = f"{head} VALUES {{values}} {tail}"
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Rows per statement: a write's few in one; many in statements of about 2,000 values, each batch of the
    # same size parsed once (83,762 day scores: 3.8 s one row per statement in psycopg's pipeline).
    size = max(50, UPSERT_VALUES // len(columns))
    with connection.cursor() as cursor:
        whole = len(rows) - len(rows) % size
        if whole:
            cursor.executemany(
                sql.format(values=", ".join([row_sql] * size)),
                [[v for row in rows[i : i + size] for v in row] for i in range(0, whole, size)],
            )
        if whole < len(rows):
            rest = rows[whole:]
            cursor.execute(sql.format(values=", ".join([row_sql] * len(rest))), [v for row in rest for v in row])


def cells_write(*, new: dict[Key, Cell], stored: dict[Key, tuple[int, Cell]], keys: Iterable[Key]) -> tuple[int, int]:
    """Make the stored facts of `keys` equal `new`: upsert the cells that differ, delete those now empty.
    Returns (rows written, rows deleted); unchanged cells are not touched."""
    from tpbis.kpi.models import MonthFacts

    changed = []
    gone = []
    for key in keys:
        cell = new.get(key)
        old = stored.get(key)
        if cell is None:
            if old is not None:
                gone.append(old[0])
            continue
        if old is not None and old[1] == cell:
            continue
        latest = cell.latest or (None, None, None, None)
        changed.append((key[0], key[1], *(getattr(cell, name) for name in CELL_FIELDS), *latest))
    upsert(
        MonthFacts._meta.db_table,
        ["library_id", "month", *CELL_FIELDS, *LATEST_ORDER],
        ["library_id", "month"],
        changed,
    )
    for start in range(0, len(gone), 5000):
        MonthFacts.objects.filter(pk__in=gone[start : start + 5000]).delete()
    return len(changed), len(gone)


# A library's figures as of a day, in `facts_of`'s order: engagement, advocacy, publicity, information months,
# visitor months, whether anything counted, the latest information values.
Figures = tuple[int, int, int, int, int, bool, tuple[Decimal, ...] | None]


def figures_through(cells: dict[dt.date, Cell], year: int) -> Iterator[tuple[int, Figures]]:
    """The year's figures as of each month end, cumulated from its month cells: (month, figures) for 1..12."""
    engagement = advocacy = publicity = information = visitors = 0
    has_any = False
    latest: tuple[Decimal, ...] | None = None
    for month in range(1, 13):
        cell = cells.get(dt.date(year, month, 1))
        if cell is not None:
            engagement += cell.engagement
            advocacy += cell.advocacy
            publicity += cell.publicity
            information += cell.information
            visitors += cell.visitors
            has_any = has_any or cell.dated_any or cell.monthly_any
            if cell.latest is not None:
                latest = cell.latest
        yield month, (engagement, advocacy, publicity, information, visitors, has_any, latest)


def facts_of(
    engagement: int,
    advocacy: int,
    publicity: int,
    information: int,
    visitors: int,
    has_any: bool,
    latest: tuple[Decimal, ...] | None,
) -> Facts:
    """Facts in the shape `gather_facts` gives them (a monthly type counts its verified months)."""
    facts = Facts(
        counts={
            "pelibatan": engagement,
            "advokasi": advocacy,
            "publikasi": publicity,
            "peningkatan": information,
            "pengunjung": visitors,
        },
        reported={"peningkatan": information > 0, "pengunjung": visitors > 0},
        has_any=has_any,
    )
    if latest is not None:
        facts.latest = dict(zip(LATEST_ORDER, latest, strict=True))
    return facts


# Where each component finds its figure in `FiguresScorer`'s flat row: the counts (engagement, advocacy,
# publicity, information months, visitor months), whether each monthly type was reported, the latest
# values (LATEST_ORDER), and a zero for anything a component cannot read.
_COUNT_AT = {"pelibatan": 0, "advokasi": 1, "publikasi": 2, "peningkatan": 3, "pengunjung": 4}
_REPORTED_AT = {"peningkatan": 5, "pengunjung": 6}
_LATEST_AT = {name: 7 + position for position, name in enumerate(LATEST_ORDER)}
_ZERO_AT = 7 + len(LATEST_ORDER)
_NO_LATEST = (0,) * len(LATEST_ORDER)


class FiguresScorer:
    """Score and colour of `facts_of`'s figures (engagement, advocacy, publicity, information, visitors,
    has_any, latest) under one scheme on one day: `engine.score`'s arithmetic without building the facts
    or a breakdown, each component's points memoised by the one figure it reads. Every month end of a
    country's years (`kpi_rebuild`) or a country's day (`kpi_scores_at`) costs a few dictionary look-ups
    per library."""

    def __init__(self, scheme: SchemeSpec, as_of: dt.date) -> None:
        self.scheme = scheme
        self.as_of = as_of
        self._parts: list[tuple[ComponentSpec, int, dict[Any, Decimal]]] = []
        for spec in scheme.components:
            if spec.measure == Measure.LATEST:
                at = _LATEST_AT.get(spec.field, _ZERO_AT)
            elif spec.measure == Measure.REPORTED:
                at = _REPORTED_AT.get(spec.record_type, _ZERO_AT)
            else:
                at = _COUNT_AT.get(spec.record_type, _ZERO_AT)
            self._parts.append((spec, at, {}))

    def __call__(
        self, e: int, a: int, p: int, i: int, v: int, has_any: bool, latest: tuple[Decimal, ...] | None
    ) -> tuple[Decimal | None, str]:
        if not has_any:
            return None, Colour.NONE
        flat = (e, a, p, i, v, 1 if i > 0 else 0, 1 if v > 0 else 0, *(latest or _NO_LATEST), 0)
        total = Decimal(0)
        for spec, at, memo in self._parts:
            value = flat[at]
            points = memo.get(value)
            if points is None:
                points = memo[value] = spec.points_for(Decimal(value), self.as_of)
            total += points
        total = min(HUNDRED, total).quantize(CENT)
        return total, self.scheme.colour_for(total)
