"""Reporting rates read from the summary cells equal the rates counted from the visitor records.

The nation, a province and a kabupaten/kota read their received and on-time reports from the summary cells
(`reports`, `reports_on_time`); a kecamatan by village, a village and one library count the records. Random
visitor reports (inactive partners, future cohorts, late and on-time entries, the current month, drafts,
returned and withdrawn records) are compared both ways for many periods; a partner's active flag or cohort
year changes the nation's rate at once; another deadline setting falls back to the records.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import World, make_library
from tpbis.accounts.scope import scope_for_user
from tpbis.dashboards import rates
from tpbis.dashboards.models import DistrictMonth, LibraryMonth, RegencyMonth, ReportDeadline
from tpbis.dashboards.rates import OneLibrary, ReportingRate, reporting_cube, rollup
from tpbis.dashboards.selectors import _region_ref, _Target, region_figures
from tpbis.dashboards.services import summaries_rebuild
from tpbis.libraries.models import Library, LibraryKind
from tpbis.libraries.services import library_set_active, library_update
from tpbis.reports.models import Status, Visitors
from tpbis.reports.signals import records_changed

VILLAGES = ("35.24.01.2001", "35.24.01.2002", "35.08.21.2004", "19.05.01.2006")
STATUSES = [Status.SUBMITTED, Status.VERIFIED, Status.VERIFIED, Status.DRAFT, Status.RETURNED, Status.WITHDRAWN]
REGIONS = (None, "35", "19", "35.24", "35.08", "35.24.01", "35.24.01.2001")


def month_add(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def random_reports(world: World, rng: random.Random, today: dt.date) -> list[Library]:
    """A dozen partners (active or not, cohorts past and future, one at a kabupaten's own code) with random
    visitor reports over six years up to this month, entered early, on the deadline day, or late."""
    libraries = [world.lamongan_village, world.lamongan_district, world.lumajang_village, world.belo_laut]
    for i in range(8):
        libraries.append(
            make_library(
                f"Perpustakaan Acak {i}",
                rng.choice(VILLAGES),
                cohort_year=rng.choice([2018, today.year - 3, today.year - 1, today.year, today.year + 1]),
                is_active=rng.random() > 0.25,
            )
        )
    libraries.append(make_library("Perpustakaan Kabupaten Acak", "35.08", kind=LibraryKind.REGENCY))
    this_month = today.replace(day=1)
    rows: list[Visitors] = []
    for library in libraries:
        for back in range(72):
            month = month_add(this_month, -back)
            if rng.random() < 0.45:
                continue
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                deadline = rates.report_deadline(month)
                entered = rng.choice(
                    [
                        month_add(month, 1) - dt.timedelta(days=rng.randint(1, 5)),  # within the month
                        deadline,
                        deadline + dt.timedelta(days=1),
                        deadline + dt.timedelta(days=rng.randint(2, 90)),
                    ]
                )
                rows.append(
                    Visitors(
                        library=library,
                        year=month.year,
                        month=month.month,
                        status=rng.choice(STATUSES),
                        male=1,
                        female=1,
                        total=2,
                        input_date=min(entered, today),
                    )
                )
    Visitors.objects.bulk_create(rows)
    records_changed.send(sender=None, library_ids={library.pk for library in libraries})
    return libraries


def periods(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    last = today.year - 1
    return [
        (dt.date(last, 1, 1), dt.date(last, 12, 31)),  # last year
        (dt.date(today.year - 5, 1, 1), dt.date(last, 12, 31)),  # five years
        (dt.date(today.year, 1, 1), today),  # this year to date: the current month is never expected
        (dt.date(last, 3, 15), dt.date(last, 8, 20)),  # cut mid-month at both ends
        (dt.date(last - 1, 11, 2), dt.date(today.year, 12, 31)),  # across years, to the end of this year
        (today.replace(day=1), today),  # the current month only
    ]


def both_ways(area: Any, by_child: bool, start: dt.date, end: dt.date, today: dt.date) -> tuple[dict, dict]:
    summary = reporting_cube(area=area, by_child=by_child, start=start, end=end, today=today)
    real = rates._summary_received
    rates._summary_received = lambda *args: None  # type: ignore[assignment]
    try:
        records = reporting_cube(area=area, by_child=by_child, start=start, end=end, today=today)
    finally:
        rates._summary_received = real  # type: ignore[assignment]
    return summary, records


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_summary_gives_the_records_rates_for_random_reports(world: World, seed: int) -> None:
    rng = random.Random(seed)
    today = timezone.localdate()
    libraries = random_reports(world, rng, today)
    assert Visitors.objects.filter(input_date__gt=dt.date(2000, 1, 1)).count() > 300
    compared = 0
    for code in REGIONS:
        target = _Target(_region_ref(code))
        for by_child in (False, True) if target.child_length else (False,):
            for start, end in periods(today):
                summary, records = both_ways(target, by_child, start, end, today)
                assert summary == records, (code, by_child, start, end)
                compared += bool(records)
    for library in libraries[:5]:  # one library always counts its records
        summary, records = both_ways(OneLibrary(library.pk), False, *periods(today)[1], today)
        assert summary == records
    assert compared > 40
    nation = rollup(
        reporting_cube(
            area=_Target(_region_ref(None)), by_child=False, start=dt.date(today.year - 5, 1, 1), end=today, today=today
        ),
        -1,
    )[None]
    assert 0 < nation.on_time < nation.received < nation.expected  # late reports and missing months are there


@pytest.mark.django_db
def test_the_summary_cells_are_what_a_rebuild_counts(world: World) -> None:
    today = timezone.localdate()
    random_reports(world, random.Random(4), today)

    def cells() -> list[list[Any]]:
        return [
            sorted(model.objects.values_list(key, "month", "reports", "reports_on_time"))
            for model, key in ((LibraryMonth, "library_id"), (DistrictMonth, "area_id"), (RegencyMonth, "area_id"))
        ]

    written = cells()
    assert sum(row[2] for row in written[0]) > 50
    summaries_rebuild()
    assert cells() == written


def national(world: World, year: int) -> ReportingRate:
    return region_figures(
        scope=scope_for_user(world.national), region_code=None, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31)
    ).reporting


@pytest.mark.django_db
def test_deactivating_a_partner_or_changing_its_cohort_changes_the_national_rate_at_once(world: World) -> None:
    year = timezone.localdate().year - 1
    sembung = world.lamongan_village
    for month in range(1, 13):
        Visitors.objects.create(
            library=sembung,
            year=year,
            month=month,
            status=Status.VERIFIED,
            total=3,
            male=1,
            female=2,
            input_date=dt.date(year, month, 28),
        )
    records_changed.send(sender=None, library_ids={sembung.pk})
    before = national(world, year)
    assert (before.received, before.on_time) == (12, 12)

    library_set_active(library=sembung, active=False, actor=world.national)
    inactive = national(world, year)
    assert (inactive.expected, inactive.received, inactive.on_time) == (before.expected - 12, 0, 0)

    library_set_active(library=sembung, active=True, actor=world.national)
    assert national(world, year) == before

    sembung.refresh_from_db()
    library_update(library=sembung, actor=world.national, cohort_year=year + 1)
    later_cohort = national(world, year)
    assert (later_cohort.expected, later_cohort.received) == (before.expected - 12, 0)
    for code in (None, "35", "35.24"):  # the records say the same
        summary, records = both_ways(
            _Target(_region_ref(code)), True, dt.date(year, 1, 1), dt.date(year, 12, 31), timezone.localdate()
        )
        assert summary == records


@pytest.mark.django_db
def test_the_nation_reads_its_rates_from_the_summary_not_the_records(world: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        national(world, timezone.localdate().year - 1)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "reports_visitors" in s and "input_date" in s]  # the records' rate query
    assert len([s for s in sql if 'AS "on_time"' in s and "dashboards_regencymonth" in s]) == 1


@pytest.mark.django_db
def test_another_deadline_day_counts_from_the_records_until_a_rebuild(
    world: World, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    year = timezone.localdate().year - 1
    sembung = world.lamongan_village
    Visitors.objects.create(
        library=sembung,
        year=year,
        month=3,
        status=Status.VERIFIED,
        total=3,
        male=1,
        female=2,
        input_date=dt.date(year, 4, 12),
    )
    records_changed.send(sender=None, library_ids={sembung.pk})
    assert national(world, year).on_time == 0
    settings.REPORTING_DEADLINE_DAY = 12
    with caplog.at_level(logging.WARNING, logger="tpbis.dashboards.rates"), CaptureQueriesContext(connection) as q:
        assert national(world, year).on_time == 1  # from the records
    assert "summaries_rebuild" in caplog.text
    assert [s for s in q.captured_queries if "reports_visitors" in s["sql"] and "input_date" in s["sql"]]
    summaries_rebuild()
    assert ReportDeadline.objects.get().day == 12
    caplog.clear()
    with CaptureQueriesContext(connection) as q:
        assert national(world, year).on_time == 1  # from the cells counted again
    assert not [s for s in q.captured_queries if "reports_visitors" in s["sql"] and "input_date" in s["sql"]]
    assert "summaries_rebuild" not in caplog.text


@pytest.mark.django_db
def test_the_migration_fill_counts_the_cells_as_the_writes_do(world: World) -> None:
    """The set-based fill of migration 0005 (for databases with records already) gives the same cells."""
    import importlib

    from django.apps import apps
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor

    today = timezone.localdate()
    random_reports(world, random.Random(5), today)
    columns = ("reports", "reports_on_time")
    written = {
        model: sorted(model.objects.values_list("pk", *columns))
        for model in (LibraryMonth, DistrictMonth, RegencyMonth)
    }
    for model in written:
        model.objects.update(reports=0, reports_on_time=0)
    ReportDeadline.objects.all().delete()
    fill = importlib.import_module("tpbis.dashboards.migrations.0005_reporting_cells").fill_reporting_cells
    with transaction.atomic():
        fill(apps, BaseDatabaseSchemaEditor(connection))
    for model, rows in written.items():
        assert sorted(model.objects.values_list("pk", *columns)) == rows, model.__name__
    assert ReportDeadline.objects.get().day == rates.deadline_day()
