"""Stored scores of past days that are not month ends (DayScore): after any write they equal scoring the
records, concurrent first requests store one row per library, and a dashboard of a mid-month period shows
the same figures whether it computes the day or reads it back."""

from __future__ import annotations

import datetime as dt
import random
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import World
from tpbis.kpi.models import Colour, Component, CurrentScore, DayScore, MonthScore, Scheme
from tpbis.kpi.services import _rescore_for_schemes, day_scores_fill, kpi_compute, kpi_rebuild, month_end
from tpbis.kpi.tests.test_incremental_kpi import _random_write
from tpbis.libraries.models import Library, LibraryKind
from tpbis.libraries.services import library_set_active, library_update
from tpbis.reports.models import CommunityEngagement, Status
from tpbis.reports.services import record_create
from tpbis.reports.signals import records_changed
from tpbis.reports.tests.test_races import tables_restored  # noqa: F401  (a fixture: regions put back)

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _past_days(rng: random.Random, today: dt.date, count: int) -> list[dt.date]:
    """Days before today that are not month ends, this year and the two before."""
    days: set[dt.date] = set()
    while len(days) < count:
        year = rng.choice([today.year, today.year - 1, today.year - 2])
        start = dt.date(year, 1, 1)
        end = today - dt.timedelta(days=1) if year == today.year else dt.date(year, 12, 31)
        if end < start:
            continue
        day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
        if day != month_end(day.year, day.month):
            days.add(day)
    return sorted(days)


def _missing(libraries: Any, day: dt.date) -> Any:
    """As the dashboard asks: the libraries without a row for the day scored as their kind now is."""
    stored = DayScore.objects.filter(library=OuterRef("pk"), as_of=day, kind=OuterRef("kind"))
    return libraries.exclude(Exists(stored))


def _fill(ids: list[int], days: list[dt.date]) -> None:
    for day in days:
        day_scores_fill(libraries=_missing(Library.objects.filter(pk__in=ids), day), date=day)


def _assert_days_exact(ids: list[int], days: list[dt.date]) -> None:
    """Every stored day of these libraries (read as the dashboard reads it) equals scoring the records."""
    partners = Library.objects.filter(pk__in=ids)
    kinds = dict(partners.values_list("pk", "kind"))
    for day in days:
        expected = kpi_compute(libraries=partners, dates=[day])
        want = {
            pk: (expected[(pk, day)].score, expected[(pk, day)].colour)
            if (pk, day) in expected
            else (None, Colour.NONE)
            for pk in ids
        }
        got = {
            row.library_id: (row.score, row.colour)
            for row in DayScore.objects.filter(as_of=day, library_id__in=ids)
            if row.kind == kinds[row.library_id]
        }
        assert got == want, day


def _libraries(world: World) -> list[Library]:
    return [world.lamongan_village, world.lumajang_village, world.belo_laut, world.lamongan_district]


@pytest.mark.parametrize("seed", [1, 2])
def test_stored_days_equal_scoring_the_records_after_random_writes(world: World, seed: int) -> None:
    """Creations, verifications, returns, withdrawals, edits that move a record's date and imports
    without months, this year and back-dated into the two years before: a stored day the write could
    change is dropped (and computed again), the others stay and are still right."""
    rng = random.Random(seed)
    today = timezone.localdate()
    libraries = _libraries(world)
    ids = [library.pk for library in libraries]
    kpi_rebuild(from_records=True)
    days = _past_days(rng, today, 10)
    _fill(ids, days)
    full = len(ids) * len(days)
    assert DayScore.objects.count() == full
    dropped = kept = 0
    for _batch in range(6):
        for _write in range(8):
            _random_write(rng, world, libraries, today)
        remaining = DayScore.objects.count()
        dropped, kept = dropped + (full - remaining), kept + remaining
        _fill(ids, days)
        _assert_days_exact(ids, days)
    assert dropped and kept  # writes dropped some days and left others: the check above was not vacuous


def test_a_write_drops_only_the_days_from_its_month_to_the_end_of_its_year(world: World) -> None:
    today = timezone.localdate()
    year = today.year - 1
    kpi_rebuild(from_records=True)
    village, other = world.lamongan_village, world.belo_laut
    days = [dt.date(year, 2, 10), dt.date(year, 6, 9), dt.date(year, 6, 20), dt.date(year, 9, 15)]
    days += [dt.date(today.year, 1, 14)] if dt.date(today.year, 1, 14) < today else []
    _fill([village.pk, other.pk], days)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        record_create(
            model=CommunityEngagement,
            user=None,
            library=village,
            data={
                "date": dt.date(year, 6, 12),
                "title": "Kelas membaca",
                "activity_field": "Pendidikan",
                "activity_kind": "Pelatihan",
                "audience": "Umum",
                "participants": 12,
            },
        )
    deletes = [q["sql"] for q in queries.captured_queries if DayScore._meta.db_table in q["sql"]]
    assert len(deletes) == 1 and deletes[0].upper().startswith("DELETE"), deletes
    left = set(DayScore.objects.filter(library=village).values_list("as_of", flat=True))
    # Days from 1 June of that year on are gone (the month's records count whole); other years stay.
    assert left == {day for day in days if not (dt.date(year, 6, 1) <= day <= dt.date(year, 12, 31))}
    assert DayScore.objects.filter(library=other).count() == len(days)
    _fill([village.pk, other.pk], days)
    _assert_days_exact([village.pk, other.pk], days)


def _scheme_copy(kinds: list[str], green: Decimal, yellow: Decimal) -> Scheme:
    """The default scheme's components under new thresholds, for some kinds."""
    base = Scheme.objects.filter(is_active=True, effective_until__isnull=True).order_by("effective_from").first()
    assert base is not None
    scheme = Scheme.objects.create(
        name="Skema uji",
        effective_from=base.effective_from,
        library_kinds=kinds,
        green_above=green,
        yellow_above=yellow,
    )
    for component in Component.objects.filter(scheme=base):
        component.pk = None
        component.scheme = scheme
        component.save()
    return scheme


def test_a_scheme_threshold_change_drops_every_stored_day(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    rng = random.Random(5)
    today = timezone.localdate()
    libraries = _libraries(world)
    ids = [library.pk for library in libraries]
    kpi_rebuild(from_records=True)
    for _write in range(30):
        _random_write(rng, world, libraries, today)
    days = _past_days(rng, today, 6)
    _fill(ids, days)
    before = set(DayScore.objects.values_list("library_id", "as_of", "colour"))
    Scheme.objects.filter(is_active=True).update(green_above=Decimal(5), yellow_above=Decimal(1))
    with django_capture_on_commit_callbacks(execute=False):
        _rescore_for_schemes()  # what saving a scheme does in its request
    assert not DayScore.objects.exists()
    _fill(ids, days)
    _assert_days_exact(ids, days)
    assert set(DayScore.objects.values_list("library_id", "as_of", "colour")) != before  # colours moved
    # The background rescore alone (a change it finds in the digests) drops them too.
    Scheme.objects.filter(is_active=True).update(green_above=Decimal(90), yellow_above=Decimal(60))
    kpi_rebuild()
    _fill(ids, days)
    _assert_days_exact(ids, days)


def test_only_the_most_recently_stored_days_are_kept(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import tpbis.kpi.services as services

    monkeypatch.setattr(services, "DAYS_KEPT", 2)
    today = timezone.localdate()
    kpi_rebuild(from_records=True)
    partners = Library.objects.filter(pk__in=[library.pk for library in _libraries(world)])
    year = today.year - 1
    for day in (dt.date(year, 3, 3), dt.date(year, 1, 5), dt.date(year, 7, 7)):
        day_scores_fill(libraries=partners, date=day, new_day=True)
    assert set(DayScore.objects.values_list("as_of", flat=True)) == {dt.date(year, 1, 5), dt.date(year, 7, 7)}
    assert DayScore.objects.count() == 2 * partners.count()


# ------------------------------------------------------------------------------------ the dashboards


def _dashboard(world: World, start: dt.date, end: dt.date) -> tuple[Any, ...]:
    from tpbis.accounts.scope import scope_for_user
    from tpbis.dashboards import selectors as dashboards

    figures = dashboards.region_figures(scope=scope_for_user(world.national), region_code=None, start=start, end=end)
    rows = dashboards.child_region_rows(scope=scope_for_user(world.national), region_code=None, start=start, end=end)
    return (
        figures.kpi_as_of,
        figures.colours,
        figures.green_100,
        figures.green_100_count,
        figures.top,
        figures.bottom,
        [(row.region.code, row.colours) for row in rows],
    )


def _computed(world: World, start: dt.date, end: dt.date, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """The same dashboard with every day computed on the request, as before days were stored."""
    from tpbis.dashboards import selectors as dashboards

    real = dashboards._stored_scores
    with monkeypatch.context() as patch:
        patch.setattr(dashboards, "_stored_scores", lambda as_of, today: None if real(as_of, today) is None
                      or real(as_of, today).day else real(as_of, today))  # fmt: skip
        return _dashboard(world, start, end)


def test_a_mid_month_dashboard_shows_the_same_before_and_after_its_day_is_stored(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tpbis.kpi.services as services

    rng = random.Random(8)
    today = timezone.localdate()
    _scheme_copy([LibraryKind.TBM], Decimal(2), Decimal(1))  # a TBM is green far sooner than a village
    libraries = _libraries(world)
    kpi_rebuild(from_records=True)
    for _write in range(40):
        _random_write(rng, world, libraries, today)
    periods = [(dt.date(today.year - 1, 3, 15), dt.date(today.year - 1, 8, 14))]
    if dt.date(today.year, 1, 14) < today:
        periods.append((dt.date(today.year, 1, 1), dt.date(today.year, 1, 14)))

    def check() -> None:
        for start, end in periods:
            expected = _computed(world, start, end, monkeypatch)
            assert expected[0] == end
            assert _dashboard(world, start, end) == expected, end  # stores what is missing
            partners = Library.objects.filter(is_active=True)
            assert DayScore.objects.filter(as_of=end, library__in=partners).count() == partners.count()
            with monkeypatch.context() as patch:  # the second visit reads the stored day only
                patch.setattr(services, "kpi_scores_at", _fails)
                assert _dashboard(world, start, end) == expected, end

    check()
    village = world.lamongan_village
    library_update(library=village, kind=LibraryKind.TBM)  # another scheme: its stored days no longer hold
    check()
    library_set_active(library=world.lumajang_village, active=False)
    check()
    for _write in range(15):
        _random_write(rng, world, libraries, today)
    check()
    record_create(
        model=CommunityEngagement,
        user=None,
        library=world.belo_laut,
        data={
            "date": periods[0][1] - dt.timedelta(days=1),
            "title": "Bedah buku",
            "activity_field": "Pendidikan",
            "activity_kind": "Pelatihan",
            "audience": "Umum",
            "participants": 30,
        },
    )
    CommunityEngagement.objects.filter(library=world.belo_laut, title="Bedah buku").update(status=Status.VERIFIED)
    records_changed.send(sender=CommunityEngagement, library_ids={world.belo_laut.pk})
    check()


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's planner statistics")
def test_storing_a_day_for_many_libraries_refreshes_the_planners_statistics(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without it the rankings of a day just stored sorted the whole country's scores (stale statistics)."""
    import tpbis.kpi.services as services

    def estimated_rows() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [DayScore._meta.db_table])
            return float(cursor.fetchone()[0])

    kpi_rebuild(from_records=True)
    ids = [library.pk for library in _libraries(world)]
    monkeypatch.setattr(services, "DAY_ANALYZE_ROWS", len(ids) + 1)  # one row short: not refreshed
    _fill(ids, [dt.date(2025, 5, 14)])
    assert estimated_rows() != len(ids)
    monkeypatch.setattr(services, "DAY_ANALYZE_ROWS", len(ids))
    _fill(ids, [dt.date(2025, 6, 14)])
    assert estimated_rows() == 2 * len(ids)


def _fails(**_kwargs: Any) -> None:
    raise AssertionError("a stored day was computed again")


def test_a_mid_month_gathering_report_lists_the_green_partners_from_the_stored_day(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report's green list of a period ending mid-month reads the day its dashboard figures stored,
    and it is the list scoring the records gives, after a write too."""
    import tpbis.kpi.selectors as kpi_selectors
    import tpbis.kpi.services as services
    from tpbis.accounts.scope import scope_for_user
    from tpbis.reportcards.forms import Period
    from tpbis.reportcards.selectors import gathering_report_for_user

    rng = random.Random(5)
    today = timezone.localdate()
    _scheme_copy([LibraryKind.TBM], Decimal(2), Decimal(1))  # a TBM is green far sooner than a village
    library_update(library=world.belo_laut, kind=LibraryKind.TBM)
    libraries = _libraries(world)
    kpi_rebuild(from_records=True)
    for _write in range(30):
        _random_write(rng, world, libraries, today)
    period = Period(dt.date(today.year - 1, 3, 15), dt.date(today.year - 1, 8, 14))
    scope = scope_for_user(world.national)

    def green_expected() -> list[int]:
        partners = Library.objects.filter(is_active=True, cohort_year__lte=period.end.year)
        results = kpi_compute(libraries=partners, dates=[period.end])
        return sorted(pk for (pk, _day), result in results.items() if result.colour == Colour.GREEN)

    greens = []
    for title in ("Kelas menulis", "Dongeng anak"):  # the second write changes the stored day
        record_create(
            model=CommunityEngagement,
            user=None,
            library=world.belo_laut,
            data=_engagement(period.end - dt.timedelta(days=2), title),
        )
        CommunityEngagement.objects.filter(library=world.belo_laut, title=title).update(status=Status.VERIFIED)
        records_changed.send(sender=CommunityEngagement, library_ids={world.belo_laut.pk})
        first = gathering_report_for_user(scope=scope, region_code=None, period=period)  # stores the day
        assert sorted(row.library_id for row in first.green) == green_expected()
        with monkeypatch.context() as patch:
            patch.setattr(services, "kpi_scores_at", _fails)
            patch.setattr(kpi_selectors, "kpi_scores_at", _fails)
            again = gathering_report_for_user(scope=scope, region_code=None, period=period)
        assert again.green == first.green
        greens.append([(row.library_id, row.score) for row in first.green])
    assert greens[0] and greens[0] != greens[1]  # the checks are not vacuous


# ------------------------------------------------------------------- concurrent first requests (PostgreSQL)


def _in_thread(target: Any, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _engagement(day: dt.date, title: str) -> dict[str, Any]:
    return {
        "date": day,
        "title": title,
        "activity_field": "Pendidikan",
        "activity_kind": "Pelatihan",
        "audience": "Umum",
        "participants": 5,
    }


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: several connections storing the same day at once")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tables_restored")
def test_concurrent_first_requests_store_one_row_per_library(world: World) -> None:
    today = timezone.localdate()
    libraries = _libraries(world)
    ids = [library.pk for library in libraries]
    for library in libraries:
        record_create(model=CommunityEngagement, user=None, library=library,
                      data=_engagement(dt.date(today.year - 1, 4, 3), "Kelas"))  # fmt: skip
    CommunityEngagement.objects.update(status=Status.VERIFIED)
    kpi_rebuild(from_records=True)
    errors: list[BaseException] = []

    # Two first requests of a day: the second, while the first has stored its rows but not committed them,
    # stores nothing (and the dashboard computes the day); nothing fails, one row per library.
    day = dt.date(today.year - 1, 4, 9)
    stored, release = threading.Event(), threading.Event()
    answers: list[int | None] = []

    def first() -> None:
        with transaction.atomic():
            answers.append(day_scores_fill(libraries=Library.objects.filter(pk__in=ids), date=day, new_day=True))
            stored.set()
            release.wait(20)

    thread = _in_thread(first, errors)
    assert stored.wait(20)
    answers.append(day_scores_fill(libraries=Library.objects.filter(pk__in=ids), date=day, new_day=True))
    release.set()
    thread.join(30)
    assert not errors, errors
    assert answers == [len(ids), None]
    assert DayScore.objects.filter(as_of=day).count() == len(ids)

    # A back-dated write being committed while a dashboard asks for a day it changes: the dashboard shows
    # the day as committed and stores nothing; once the write is in, the day is stored with it.
    later = dt.date(today.year - 1, 4, 20)
    period = (dt.date(later.year, 1, 1), later)
    written, release = threading.Event(), threading.Event()

    def write() -> None:
        with transaction.atomic():
            record, _ = record_create(model=CommunityEngagement, user=None, library=world.belo_laut,
                                      data=_engagement(later - dt.timedelta(days=2), "Bedah buku"))  # fmt: skip
            CommunityEngagement.objects.filter(pk=record.pk).update(status=Status.VERIFIED)
            records_changed.send(sender=CommunityEngagement, library_ids={world.belo_laut.pk})
            written.set()
            release.wait(20)

    before = _computed(world, *period, pytest.MonkeyPatch())
    thread = _in_thread(write, errors)
    assert written.wait(20)
    assert _dashboard(world, *period) == before
    assert not DayScore.objects.filter(as_of=later).exists()
    release.set()
    thread.join(30)
    assert not errors, errors
    shown = _dashboard(world, *period)
    assert DayScore.objects.filter(as_of=later).count() == len(ids)
    assert shown == _computed(world, *period, pytest.MonkeyPatch())
    assert shown != before  # the write moved the day: the check above was not vacuous
    _fill(ids, [day])  # the write (without months) dropped every day of its library
    _assert_days_exact(ids, [day, later])

    # Whole dashboards at once, for another day: each stores what it finds missing, or computes it.
    other = dt.date(today.year - 1, 4, 16)
    barrier = threading.Barrier(4)
    results: list[Any] = []

    def visit() -> None:
        barrier.wait(10)
        results.append(_dashboard(world, dt.date(other.year, 1, 1), other))

    threads = [_in_thread(visit, errors) for _ in range(4)]
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(results) == 4 and all(result == results[0] for result in results)
    _dashboard(world, dt.date(other.year, 1, 1), other)  # stores the day if every visitor computed it
    assert DayScore.objects.filter(as_of=other).count() == len(ids)
    _assert_days_exact(ids, [day, later, other])


def test_a_kind_change_rescores_every_month_end_and_today(world: World) -> None:
    """A partner registered under another kind is scored by that kind's scheme from then on, for every month
    end already stored and for today, as a spreadsheet import or an edit of its profile makes it."""
    rng = random.Random(7)
    today = timezone.localdate()
    village = world.lamongan_village
    for _write in range(20):
        _random_write(rng, world, [village], today)
    kpi_rebuild(from_records=True)
    tbm = _scheme_copy([LibraryKind.TBM], green=Decimal(5), yellow=Decimal(1))  # saved without a rescore
    assert village.kind != LibraryKind.TBM

    def stored() -> dict[dt.date, tuple[Any, str]]:
        return dict(
            (end, (score, colour))
            for end, score, colour in MonthScore.objects.filter(library=village).values_list(
                "month_end", "score", "colour"
            )
        )

    def as_scored_now() -> dict[dt.date, tuple[Any, str]]:
        results = kpi_compute(libraries=Library.objects.filter(pk=village.pk), dates=sorted(stored()))
        return {end: (result.score, result.colour) for (_pk, end), result in results.items()}

    before = stored()
    assert before
    library_update(library=village, kind=LibraryKind.TBM)
    assert CurrentScore.objects.get(library=village).scheme_id == tbm.pk
    assert stored() == as_scored_now()
    assert stored() != before  # the new scheme's thresholds moved colours: the check above was not vacuous


@pytest.mark.parametrize("region_code", ["35.24", "35.24.01", "35.24.01.2001"])
def test_a_kabupaten_kecamatan_or_village_ranks_its_stored_scores_as_the_computed_path(
    world: World, region_code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below a province the stored scores are read once and ranked in hand (not by walking the country's
    score index): the same rankings, colours and green-100 list as scoring the partners on the request."""
    from conftest import make_library

    rng = random.Random(11)
    today = timezone.localdate()
    villages = [make_library(f"Perpustakaan Desa Uji {i:02d}", "35.24.01.2001") for i in range(12)]
    libraries = [world.lamongan_village, world.lamongan_district, *villages]
    for _write in range(80):
        _random_write(rng, world, libraries, today)
    kpi_rebuild(from_records=True)
    last_december = (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    from tpbis.accounts.scope import scope_for_user
    from tpbis.dashboards import selectors as dashboards

    def figures(start: dt.date, end: dt.date) -> tuple[Any, ...]:
        shown = dashboards.region_figures(
            scope=scope_for_user(world.national), region_code=region_code, start=start, end=end
        )
        return shown.colours, shown.green_100, shown.green_100_count, shown.top, shown.bottom

    for start, end in [(dt.date(today.year, 1, 1), today), last_december]:
        stored = figures(start, end)
        with monkeypatch.context() as patch:
            patch.setattr(dashboards, "_stored_scores", lambda as_of, today: None)
            assert figures(start, end) == stored, end
        assert stored[3], "nobody ranked: the comparison above was vacuous"
        top, bottom = stored[3], stored[4]
        assert [(-r.score, r.name, r.library_id) for r in top] == sorted((-r.score, r.name, r.library_id) for r in top)
        assert [(r.score, r.name, r.library_id) for r in bottom] == sorted(
            (r.score, r.name, r.library_id) for r in bottom
        )
        assessed = Library.objects.filter(region__code__startswith=region_code, current_score__score__isnull=False)
        assert len(top) == min(10, assessed.count()) or end != today  # every assessed partner can be ranked
