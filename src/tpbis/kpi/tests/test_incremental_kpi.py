"""Stored KPI facts and scores kept by increments equal a full recompute from the record tables.

Random writes through the real report services (entries, back-dated entries in earlier years, edits
moving a record to another month or year, verification, return, withdrawal, monthly reports); after each
batch every stored current score, every month-end score of every year and every month fact equal what the
original scoring path (`kpi_compute`, which aggregates the record tables) gives from scratch.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import World
from tpbis.kpi.facts import cells_from_records, cells_stored
from tpbis.kpi.models import CurrentScore, MonthScore, Scheme
from tpbis.kpi.services import _rescore_for_schemes, kpi_compute, kpi_rebuild, kpi_scores_at, month_end, passed_months
from tpbis.libraries.models import Library
from tpbis.reports.models import (
    Advocacy,
    CommunityEngagement,
    InformationService,
    Publicity,
    Status,
    Visitors,
)
from tpbis.reports.services import record_create, record_return, record_update, record_verify, record_withdraw
from tpbis.reports.signals import records_changed

pytestmark = pytest.mark.django_db(transaction=False)


def _day(rng: random.Random, today: dt.date) -> dt.date:
    """A day this year up to today, or in one of the two years before (back-dated)."""
    year = rng.choice([today.year, today.year, today.year - 1, today.year - 2])
    start = dt.date(year, 1, 1)
    end = today if year == today.year else dt.date(year, 12, 31)
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _data(rng: random.Random, model: type[Any], today: dt.date) -> dict[str, Any]:
    day = _day(rng, today)
    if model is CommunityEngagement:
        return {
            "date": day,
            "title": f"Kegiatan {rng.randrange(10**6)}",
            "activity_field": "Pendidikan",
            "activity_kind": "Pelatihan",
            "audience": "Umum",
            "participants": rng.randrange(1, 40),
        }
    if model is Advocacy:
        return {
            "date": day,
            "title": f"Audiensi {rng.randrange(10**6)}",
            "targets": ["Kepala Desa"],
            "outcome": "Dana",
            "amount": 1000000,
        }
    if model is Publicity:
        return {
            "date": day,
            "title": f"Berita {rng.randrange(10**6)}",
            "media_kind": "Koran",
            "media_name": "Radar",
            "link": "https://radar.example.id/berita",
        }
    if model is InformationService:
        return {
            "year": day.year,
            "month": day.month,
            "books": rng.randrange(0, 3000),
            "digital_books": rng.randrange(0, 300),
            "computers": rng.randrange(0, 12),
            "bandwidth": Decimal(rng.randrange(0, 5000)) / 100,
        }
    return {"year": day.year, "month": day.month, "male": 3, "female": 4, "total": 7}


MODELS = [CommunityEngagement, Advocacy, Publicity, InformationService, Visitors]


def _random_write(rng: random.Random, world: World, libraries: list[Library], today: dt.date) -> None:
    model = rng.choice(MODELS)
    existing = list(model.objects.filter(library__in=libraries).order_by("pk"))
    action = rng.choice(["create", "create", "create", "verify", "verify", "edit", "return", "withdraw", "import"])
    if action == "import":
        # As the old SIM's import does: rows written directly, then the signal without months.
        library = rng.choice(libraries)
        data = _data(rng, model, today)
        if (
            model in (InformationService, Visitors)
            and model.objects.filter(library=library, year=data["year"], month=data["month"]).exists()
        ):
            return
        model.objects.create(library=library, status=Status.VERIFIED, **data)
        records_changed.send(sender=model, library_ids={library.pk})
        return
    if action == "create" or not existing:
        library = rng.choice(libraries)
        data = _data(rng, model, today)
        if (
            model in (InformationService, Visitors)
            and model.objects.filter(library=library, year=data["year"], month=data["month"]).exists()
        ):
            return  # one monthly report per month: the form moves a second one onto the first
        record_create(model=model, user=None, library=library, data=data)
        return
    record = rng.choice(existing)
    if action == "verify" and record.status == Status.SUBMITTED:
        record_verify(record=record, user=world.national)
    elif action == "return" and record.status in (Status.SUBMITTED, Status.VERIFIED):
        record_return(record=record, user=world.national, comment="Mohon dilengkapi")
    elif action == "withdraw" and record.status in (Status.SUBMITTED, Status.RETURNED, Status.VERIFIED):
        record_withdraw(record=record, user=None)
    elif action == "edit" and record.status in (Status.SUBMITTED, Status.RETURNED, Status.VERIFIED):
        data = _data(rng, model, today)
        if model in (InformationService, Visitors):
            taken = model.objects.filter(library=record.library, year=data["year"], month=data["month"])
            if taken.exclude(pk=record.pk).exists():
                return
        record_update(record=record, user=None, data=data)


def _assert_equal_to_full_recompute(libraries: list[Library], today: dt.date) -> None:
    ids = [library.pk for library in libraries]
    stored_cells = {key: cell for key, (_pk, cell) in cells_stored_for(ids).items()}
    assert stored_cells == cells_from_records(libraries=ids)
    first_year = min(today.year - 2, *(library.cohort_year for library in libraries))
    dates = [month_end(y, m) for y in range(first_year, today.year + 1) for m in passed_months(y, today)]
    expected = kpi_compute(libraries=Library.objects.filter(pk__in=ids), dates=[*dates, today])
    stored_months = {
        (row.library_id, row.month_end): (row.score, row.colour)
        for row in MonthScore.objects.filter(library_id__in=ids)
    }
    for library_id in ids:
        for date in dates:
            result = expected[(library_id, date)]
            assert stored_months.get((library_id, date)) == (result.score, result.colour), (library_id, date)
        current = CurrentScore.objects.get(library_id=library_id)
        result = expected[(library_id, today)]
        assert (current.as_of, current.score, current.colour) == (today, result.score, result.colour), library_id
        assert current.parts == result.parts_json(), library_id


def cells_stored_for(ids: list[int]) -> dict[Any, Any]:
    from django.db.models import Q

    return cells_stored(Q(library_id__in=ids))


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_scores_equal_a_full_recompute_after_random_writes(world: World, seed: int) -> None:
    rng = random.Random(seed)
    today = timezone.localdate()
    libraries = [world.lamongan_village, world.lumajang_village, world.belo_laut]
    kpi_rebuild(from_records=True)  # the facts are built: from now on every write goes by increments
    for _batch in range(6):
        for _write in range(10):
            _random_write(rng, world, libraries, today)
        _assert_equal_to_full_recompute(libraries, today)
    # The writes reached back into earlier years and scored there.
    assert MonthScore.objects.filter(month_end__year__lt=today.year, score__gt=0).exists()


def test_any_past_day_scored_from_facts_equals_scoring_the_records(world: World) -> None:
    rng = random.Random(4)
    today = timezone.localdate()
    libraries = [world.lamongan_village, world.lumajang_village, world.belo_laut, world.lamongan_district]
    kpi_rebuild(from_records=True)
    for _write in range(40):
        _random_write(rng, world, libraries, today)
    partners = Library.objects.filter(pk__in=[library.pk for library in libraries])
    days = [_day(rng, today) for _ in range(12)] + [month_end(today.year - 1, 12), today]
    for day in days:
        expected = kpi_compute(libraries=partners, dates=[day])
        got = kpi_scores_at(libraries=partners, date=day)
        assert got == {pk: (result.score, result.colour) for (pk, _d), result in expected.items()}, day


def test_a_rebuild_with_nothing_changed_writes_nothing(world: World) -> None:
    rng = random.Random(3)
    today = timezone.localdate()
    libraries = [world.lamongan_village, world.belo_laut]
    kpi_rebuild(from_records=True)
    for _write in range(15):
        _random_write(rng, world, libraries, today)
    stats = kpi_rebuild(from_records=True)
    assert (stats.facts_written, stats.facts_deleted, stats.scores_written, stats.current_written) == (0, 0, 0, 0)
    assert stats.scores_unchanged > 0
    # The stored facts digested by the database (PostgreSQL) or Python equal the digests just written.
    again = kpi_rebuild()
    assert (again.years_rescored, again.scores_written, again.current_written) == (0, 0, 0)


def test_a_scheme_change_rescores_this_year_at_once_and_past_years_in_a_task(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    rng = random.Random(5)
    today = timezone.localdate()
    libraries = [world.lamongan_village, world.lumajang_village]
    kpi_rebuild(from_records=True)
    for _write in range(30):
        _random_write(rng, world, libraries, today)
    scheme = Scheme.objects.filter(is_active=True).order_by("effective_from").first()
    assert scheme is not None
    Scheme.objects.filter(pk=scheme.pk).update(green_above=Decimal(5), yellow_above=Decimal(1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _rescore_for_schemes()
    assert len(callbacks) == 1  # the past years' task, enqueued once the change is committed
    kpi_rebuild()  # what the task runs
    _assert_equal_to_full_recompute(libraries, today)
    assert kpi_rebuild().scores_written == 0


def test_one_entry_costs_a_few_queries_for_the_kpi(world: World) -> None:
    kpi_rebuild(from_records=True)
    today = timezone.localdate()
    from tpbis.kpi.receivers import rescore_libraries

    library = world.lamongan_village
    CommunityEngagement.objects.create(
        library=library, date=today, title="Kelas", activity_field="Pendidikan", activity_kind="Pelatihan",
        audience="Umum", participants=3, status=Status.SUBMITTED,
    )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        rescore_libraries(sender=None, library_ids={library.pk}, months={library.pk: {today.replace(day=1)}})
    assert CurrentScore.objects.get(library=library).colour == "merah"
    assert len(queries) <= 8, [q["sql"][:120] for q in queries.captured_queries]


def test_a_past_period_dashboard_reads_stored_scores_and_never_scans_the_records(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tpbis.accounts.scope import scope_for_user
    from tpbis.dashboards import selectors as dashboards

    rng = random.Random(6)
    today = timezone.localdate()
    libraries = [world.lamongan_village, world.lumajang_village, world.belo_laut, world.lamongan_district]
    kpi_rebuild(from_records=True)
    for _write in range(40):
        _random_write(rng, world, libraries, today)
    partners = Library.objects.filter(pk__in=[library.pk for library in libraries])
    expected = {}
    last_year_end, mid_month = month_end(today.year - 1, 12), dt.date(today.year - 1, 6, 15)
    for day in (last_year_end, mid_month):
        results = kpi_compute(libraries=partners, dates=[day])
        expected[day] = sorted(result.colour for result in results.values())

    def scan(**_kwargs: Any) -> None:
        raise AssertionError("a past period's KPI was scored from the record tables")

    monkeypatch.setattr(dashboards, "kpi_compute", scan)
    scope = scope_for_user(world.national)
    for day in (last_year_end, mid_month):
        figures = dashboards.region_figures(scope=scope, region_code=None, start=dt.date(day.year, 1, 1), end=day)
        assert figures.kpi_as_of == day
        shown = figures.colours
        counted = sorted(
            colour for colour in ("hijau", "kuning", "merah", "belum_dinilai") for _ in range(shown.count(colour))
        )
        assert counted == expected[day], day


def test_a_current_score_from_an_earlier_month_is_brought_forward(world: World) -> None:
    from tpbis.kpi.services import kpi_refresh_stale

    rng = random.Random(7)
    today = timezone.localdate()
    libraries = [world.lamongan_village, world.belo_laut]
    kpi_rebuild(from_records=True)
    for _write in range(20):
        _random_write(rng, world, libraries, today)
    kpi_rebuild()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    CurrentScore.objects.filter(library__in=libraries).update(as_of=last_month)
    kpi_refresh_stale(libraries=Library.objects.filter(pk__in=[library.pk for library in libraries]), today=today)
    _assert_equal_to_full_recompute(libraries, today)


def test_a_whole_rebuild_in_parts_stores_what_one_pass_stores(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The national rebuild goes through the libraries a part at a time (bounded memory); the rows it
    stores are exactly those of one pass over every library."""
    import tpbis.kpi.services as services

    rng = random.Random(11)
    today = timezone.localdate()
    libraries = [world.lamongan_village, world.belo_laut, world.lumajang_village]
    for _write in range(25):
        _random_write(rng, world, libraries, today)
    monkeypatch.setattr(services, "REBUILD_PART", 1)
    in_parts = kpi_rebuild(from_records=True)
    assert in_parts.libraries == Library.objects.count()
    _assert_equal_to_full_recompute(libraries, today)
    stored = sorted(MonthScore.objects.values_list("library_id", "month_end", "score", "colour"))
    current = sorted(CurrentScore.objects.values_list("library_id", "score", "colour"))
    MonthScore.objects.all().delete()
    CurrentScore.objects.all().delete()
    monkeypatch.setattr(services, "REBUILD_PART", 10_000)
    kpi_rebuild(from_records=True)
    assert sorted(MonthScore.objects.values_list("library_id", "month_end", "score", "colour")) == stored
    assert sorted(CurrentScore.objects.values_list("library_id", "score", "colour")) == current
    monkeypatch.setattr(services, "REBUILD_PART", 1)
    again = kpi_rebuild()
    assert (again.years_rescored, again.scores_written, again.current_written) == (0, 0, 0)
