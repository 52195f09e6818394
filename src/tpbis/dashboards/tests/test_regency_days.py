"""The kabupaten/kota days (`RegencyDay`): the nation's and a province's pages read the days a period cuts
from them, and they give the figures the records give."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import World
from tpbis.accounts.scope import Scope
from tpbis.dashboards.models import FIGURE_COLUMNS, PEOPLE_COLUMNS, RECORD_TYPES, RegencyDay
from tpbis.dashboards.selectors import _cube, _record_cube, _region_ref, _Target, region_figures
from tpbis.dashboards.tests.test_incremental_summaries import Writer, assert_equal_to_rebuild
from tpbis.reports.models import COUNTED_STATUSES, Advocacy, CommunityEngagement, Publicity, Status
from tpbis.reports.services import record_create, record_update, record_verify


def periods(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Mid-month periods: 15 March to 14 August last year, 15 January of this year to two days ago (or of
    last year to 14 December when this year is too young), and days inside one month."""
    year = today.year
    this_year = (dt.date(year, 1, 15), today - dt.timedelta(days=2))
    if this_year[1] < dt.date(year, 2, 20):
        this_year = (dt.date(year - 1, 1, 15), dt.date(year - 1, 12, 14))
    return [
        (dt.date(year - 1, 3, 15), dt.date(year - 1, 8, 14)),
        this_year,
        (dt.date(year - 1, 6, 10), dt.date(year - 1, 6, 20)),
    ]


def edges(start: dt.date, end: dt.date) -> list[dt.date]:
    """Days on and next to a period's ends, and one inside."""
    one = dt.timedelta(days=1)
    return [start - one, start, start + one, start + (end - start) / 2, end - one, end, end + one]


@pytest.fixture
def dated_records(world: World) -> None:
    """Dated records of every type on the periods' edges in three kabupaten/kota of two provinces (one
    library registered at its kabupaten's own code), some verified; and random records of every type."""
    writer = Writer(world, random.Random(21))
    libraries = [world.lamongan_village, world.lamongan_district, world.lumajang_village, world.belo_laut]
    rng = random.Random(4)
    today = timezone.localdate()
    for start, end in periods(today):
        for day in edges(start, end):
            if day >= today:
                continue
            for model in (CommunityEngagement, Advocacy, Publicity):
                library = rng.choice(libraries)
                record, _ = record_create(
                    model=model, user=world.manager, library=library, data=writer.data(model) | {"date": day}
                )
                if rng.random() < 0.4:
                    record_verify(record=record, user=world.national)
    for _ in range(20):
        writer.create()


# The figures the records make (the reporting-rate columns of a cube come from elsewhere).
RECORD_POSITIONS = [
    i for i, c in enumerate(FIGURE_COLUMNS) if c in PEOPLE_COLUMNS or c.removesuffix("_verified") in RECORD_TYPES
]


def record_figures(cube: dict[Any, list[int]]) -> dict[Any, list[int]]:
    kept = {cell: [vector[i] for i in RECORD_POSITIONS] for cell, vector in cube.items()}
    return {cell: vector for cell, vector in kept.items() if any(vector)}


def record_truth(target: _Target, start: dt.date, end: dt.date) -> dict[str, int]:
    """Counted dated records and participants of the period, straight from the records."""
    truth: dict[str, int] = {}
    for name, model in (("pelibatan", CommunityEngagement), ("advokasi", Advocacy), ("publikasi", Publicity)):
        found = model.objects.filter(
            target.library_q("library__"), date__range=(start, end), status__in=COUNTED_STATUSES
        ).aggregate(n=Count("pk"), verified=Count("pk", filter=Q(status=Status.VERIFIED)))
        truth[name], truth[f"{name}_verified"] = found["n"], found["verified"]
    truth["participants"] = (
        CommunityEngagement.objects.filter(
            target.library_q("library__"), date__range=(start, end), status__in=COUNTED_STATUSES
        ).aggregate(n=Sum("participants"))["n"]
        or 0
    )
    return truth


@pytest.mark.django_db
@pytest.mark.usefixtures("dated_records")
@pytest.mark.parametrize("code", [None, "35"])
def test_national_and_province_pages_read_cut_days_from_the_kabupaten_days(world: World, code: str | None) -> None:
    target = _Target(_region_ref(code))
    assert RegencyDay.objects.exists()
    for start, end in periods(timezone.localdate()):
        for by_child in (False, True):
            with CaptureQueriesContext(connection) as queries:
                cube = _cube(target, start, end, by_child)
            sql = " ".join(q["sql"] for q in queries)
            assert RegencyDay._meta.db_table in sql, "the cut days come from the kabupaten/kota days"
            assert CommunityEngagement._meta.db_table not in sql, "not from the records"
            records = _record_cube(target, start=start, end=end, types=RECORD_TYPES, by_child=by_child)
            assert record_figures(cube) == record_figures(records), (start, end, by_child)
        truth = assert_page_counts_the_records(target, code, start, end)
        assert truth["pelibatan"] and truth["advokasi"] and truth["publikasi"], "the period has records"


def assert_page_counts_the_records(target: _Target, code: str | None, start: dt.date, end: dt.date) -> dict[str, int]:
    """The region's page figures of the period are what the records give; returns those."""
    figures = region_figures(scope=Scope(national=True), region_code=code, start=start, end=end)
    truth = record_truth(target, start, end)
    for name in ("pelibatan", "advokasi", "publikasi"):
        counts = figures.records[name]
        assert (counts.submitted, counts.verified) == (truth[name], truth[f"{name}_verified"]), name
    assert figures.participants.total == truth["participants"]
    return truth


@pytest.mark.django_db
@pytest.mark.usefixtures("dated_records")
@pytest.mark.parametrize("code", ["35.24", "35.24.01"])
def test_kabupaten_and_kecamatan_pages_read_cut_days_from_their_libraries_days(world: World, code: str) -> None:
    """A kabupaten/kota (per kecamatan) and a kecamatan (in total) sum the cut days from their libraries'
    month cells, and get what the records give."""
    target = _Target(_region_ref(code))
    for start, end in periods(timezone.localdate()):
        for by_child in (False, True) if code == "35.24" else (False,):
            with CaptureQueriesContext(connection) as queries:
                cube = _cube(target, start, end, by_child)
            sql = " ".join(q["sql"] for q in queries)
            assert CommunityEngagement._meta.db_table not in sql, "not from the records"
            records = _record_cube(target, start=start, end=end, types=RECORD_TYPES, by_child=by_child)
            assert record_figures(cube) == record_figures(records), (start, end, by_child)
        truth = assert_page_counts_the_records(target, code, start, end)
        assert truth["pelibatan"] or truth["advokasi"] or truth["publikasi"], "the period has records"


@pytest.mark.django_db
def test_a_record_moved_to_another_day_of_its_month_moves_its_kabupaten_day(world: World) -> None:
    writer = Writer(world, random.Random(9))
    data = writer.data(CommunityEngagement) | {"date": dt.date(2025, 3, 3), "participants": 7}
    data |= {"participants_male": 3, "participants_female": 4, "participants_disability": 1}
    record, _ = record_create(model=CommunityEngagement, user=world.manager, library=world.lamongan_village, data=data)
    assert RegencyDay.objects.get(area_id="35.24", day=dt.date(2025, 3, 3)).participants == 7
    record_update(record=record, user=world.manager, data={"date": dt.date(2025, 3, 20)})
    assert not RegencyDay.objects.filter(area_id="35.24", day=dt.date(2025, 3, 3)).exists()
    moved = RegencyDay.objects.get(area_id="35.24", day=dt.date(2025, 3, 20))
    assert (moved.pelibatan, moved.participants, moved.participants_female) == (1, 7, 4)
    assert_equal_to_rebuild()
