"""Reporting rates of the monthly visitor report against hand-computed values on a small world."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import World, make_library
from tpbis.accounts.scope import scope_for_user
from tpbis.dashboards.rates import (
    ReportingRate,
    expected_months,
    library_reporting_year,
    report_deadline,
)
from tpbis.dashboards.selectors import child_region_rows, region_figures, region_stats
from tpbis.libraries.models import Library
from tpbis.reports.models import Status, Visitors
from tpbis.reports.signals import records_changed

V, S = Status.VERIFIED, Status.SUBMITTED
YEAR_START, YEAR_END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
# A mid-month cut: only April–July are covered whole.
CUT_START, CUT_END = dt.date(2025, 3, 15), dt.date(2025, 8, 20)


def visitors(library: Library, year: int, month: int, entered: str, status: str = V) -> None:
    Visitors.objects.create(
        library=library,
        year=year,
        month=month,
        status=status,
        male=5,
        female=5,
        total=10,
        input_date=dt.date.fromisoformat(entered),
    )


@pytest.fixture
def reported(world: World) -> World:
    return reported_build(world)


def reported_build(world: World) -> World:
    """2025's visitor reports, by hand:

    - Sembung (village 35.24.01.2001): Jan–Oct, but May returned; February entered late (11 March);
      April entered on the deadline day; March twice → 9 received, 8 on time of 12.
    - Lamongan district library (35.24): Jan–Jul; July entered on 1 September (late) → 7 received, 6 on time.
    - Labruk Kidul (35.08): nothing in 2025 (a December 2024 report only) → 0 of 12.
    - Belo Laut (19.05): January on time → 1 received, 1 on time.
    - A partner of cohort 2026 and an inactive partner in Sembung's village: never expected in 2025.
    """
    sembung, district = world.lamongan_village, world.lamongan_district
    visitors(sembung, 2025, 1, "2025-02-05", S)
    visitors(sembung, 2025, 2, "2025-03-11")  # late
    visitors(sembung, 2025, 3, "2025-04-02")
    visitors(sembung, 2025, 3, "2025-04-20")  # a second record of March counts once
    visitors(sembung, 2025, 4, "2025-05-10")  # the deadline day itself is on time
    visitors(sembung, 2025, 5, "2025-06-01", Status.RETURNED)
    for month in range(6, 11):
        visitors(sembung, 2025, month, f"2025-{month + 1:02d}-01")
    visitors(sembung, 2025, 11, "2025-12-01", Status.DRAFT)
    for month in range(1, 7):
        visitors(district, 2025, month, f"2025-{month + 1:02d}-03")
    visitors(district, 2025, 7, "2025-09-01")  # late
    visitors(world.lumajang_village, 2024, 12, "2025-01-05")
    visitors(world.belo_laut, 2025, 1, "2025-02-10")
    newcomer = make_library("Perpustakaan Desa Baru", "35.24.01.2001", cohort_year=2026)
    visitors(newcomer, 2025, 12, "2026-01-05")
    closed = make_library("Perpustakaan Desa Tutup", "35.24.01.2001", is_active=False)
    visitors(closed, 2025, 1, "2025-02-05")
    records_changed.send(sender=None, library_ids=set(Library.objects.values_list("pk", flat=True)))
    return world


def figures(world: World, code: str | None, start: dt.date = YEAR_START, end: dt.date = YEAR_END) -> ReportingRate:
    return region_figures(scope=scope_for_user(world.national), region_code=code, start=start, end=end).reporting


def test_it_counts_expected_received_and_on_time_for_the_nation_last_year(reported: World) -> None:
    rate = figures(reported, None)
    assert (rate.expected, rate.received, rate.on_time) == (48, 17, 15)
    assert (rate.rate, rate.on_time_rate) == (35.4, 31.3)  # 31.25 rounds up


def test_it_counts_a_province_a_regency_and_a_village(reported: World) -> None:
    assert figures(reported, "35") == ReportingRate(36, 16, 14)
    assert figures(reported, "35.24") == ReportingRate(24, 16, 14)
    village = figures(reported, "35.24.01.2001")
    assert village == ReportingRate(12, 9, 8)
    assert (village.rate, village.on_time_rate) == (75.0, 66.7)


def test_it_counts_only_months_a_mid_month_period_covers_whole(reported: World) -> None:
    # April–July: Sembung has April, June, July (May returned); the district April–July, July late.
    assert figures(reported, "35.24.01.2001", CUT_START, CUT_END) == ReportingRate(4, 3, 3)
    regency = figures(reported, "35.24", CUT_START, CUT_END)
    assert regency == ReportingRate(8, 7, 6)
    assert (regency.rate, regency.on_time_rate) == (87.5, 75.0)


def test_it_gives_no_rate_when_nothing_is_expected(reported: World) -> None:
    within_a_month = figures(reported, "35.24", dt.date(2025, 3, 2), dt.date(2025, 3, 30))
    assert within_a_month == ReportingRate()
    assert within_a_month.rate is None and within_a_month.on_time_rate is None


def test_it_gives_each_child_region_its_rates(reported: World) -> None:
    scope = scope_for_user(reported.national)
    nation = {
        r.region.code: r.reporting
        for r in child_region_rows(scope=scope, region_code=None, start=YEAR_START, end=YEAR_END)
    }
    assert nation["35"] == ReportingRate(36, 16, 14)
    assert nation["19"] == ReportingRate(12, 1, 1)
    assert nation["11"] == ReportingRate()  # a province without partners
    regency = child_region_rows(scope=scope, region_code="35.24", start=YEAR_START, end=YEAR_END)
    rows = {(r.region.code, r.is_parent_level): r.reporting for r in regency}
    assert rows[("35.24", True)] == ReportingRate(12, 7, 6)  # the district library itself
    assert rows[("35.24.01", False)] == ReportingRate(12, 9, 8)
    by_rate = child_region_rows(scope=scope, region_code="35", start=YEAR_START, end=YEAR_END, sort="-laporan_pct")
    assert [r.region.code for r in by_rate][:2] == ["35.24", "35.08"]


def test_it_gives_the_rates_per_month(reported: World) -> None:
    months = dict(
        region_figures(
            scope=scope_for_user(reported.national), region_code="35.24", start=YEAR_START, end=YEAR_END
        ).reporting_months
    )
    assert months[dt.date(2025, 2, 1)] == ReportingRate(2, 2, 1)
    assert months[dt.date(2025, 5, 1)] == ReportingRate(2, 1, 1)
    assert months[dt.date(2025, 12, 1)] == ReportingRate(2, 0, 0)


def test_it_adds_the_rates_to_the_stats_json_keeping_the_rest(reported: World) -> None:
    stats = region_stats(region_code="35.24", start=YEAR_START, end=YEAR_END)
    assert stats["reports_expected"] == 24
    assert stats["reports_received"] == 16
    assert stats["reports_on_time"] == 14
    assert stats["reporting_rate"] == 66.7
    assert stats["reporting_rate_on_time"] == 58.3
    assert {"region", "period", "partners", "records", "participants", "kpi", "green_100"} <= stats.keys()
    empty = region_stats(region_code="35.24", start=dt.date(2025, 3, 2), end=dt.date(2025, 3, 30))
    assert empty["reporting_rate"] is None and empty["reports_expected"] == 0


def test_it_never_expects_this_month_or_one_not_yet_over() -> None:
    today = dt.date(2026, 12, 6)
    months = expected_months(dt.date(2026, 1, 1), today, today)
    assert months[0] == dt.date(2026, 1, 1) and months[-1] == dt.date(2026, 11, 1) and len(months) == 11
    assert expected_months(dt.date(2026, 12, 1), dt.date(2026, 12, 31), today) == []
    assert len(expected_months(dt.date(2021, 1, 1), dt.date(2025, 12, 31), today)) == 60


def test_it_moves_the_deadline_with_the_setting(settings: object) -> None:
    assert report_deadline(dt.date(2025, 1, 1)) == dt.date(2025, 2, 10)
    assert report_deadline(dt.date(2025, 12, 1)) == dt.date(2026, 1, 10)
    assert report_deadline(dt.date(2025, 1, 1), 31) == dt.date(2025, 2, 28)


def test_a_later_deadline_makes_late_reports_on_time(reported: World, settings: object) -> None:
    settings.REPORTING_DEADLINE_DAY = 11  # type: ignore[attr-defined]
    assert figures(reported, "35.24.01.2001") == ReportingRate(12, 9, 9)


def test_it_counts_a_library_from_its_cohort_year_this_year(world: World) -> None:
    newcomer = make_library("Perpustakaan Desa Baru", "35.24.01.2001", cohort_year=2026)
    for month in range(1, 10):
        entered = f"2026-{month + 1:02d}-{15 if month in (2, 5) else 3:02d}"
        visitors(newcomer, 2026, month, entered)
    today = dt.date(2026, 12, 6)
    line = library_reporting_year(library=newcomer, year=2026, today=today)
    assert line.rate == ReportingRate(11, 9, 7)
    assert library_reporting_year(library=newcomer, year=2025, today=today).rate == ReportingRate()


def test_it_costs_a_fixed_number_of_queries(reported: World) -> None:
    scope = scope_for_user(reported.national)
    for _ in range(20):
        make_library("Perpustakaan Tambahan", "35.08.21.2004")
    with CaptureQueriesContext(connection) as queries:
        child_region_rows(scope=scope, region_code="35", start=YEAR_START, end=YEAR_END)
    sql = [q["sql"] for q in queries.captured_queries]
    # The received reports come from the kabupaten/kota summary cells, not the records.
    assert not [s for s in sql if "reports_visitors" in s and "input_date" in s]
    assert len([s for s in sql if "dashboards_regencymonth" in s and 'AS "on_time"' in s]) == 1
    assert len(queries.captured_queries) < 20
