"""The most active libraries of a period that cuts months: the libraries that can still reach the top have
their cut days read from their month cells, and the answer is the one the records give."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import World, make_library
from tpbis.accounts.scope import scope_for_user
from tpbis.dashboards import selectors
from tpbis.dashboards.selectors import most_active_libraries
from tpbis.dashboards.services import COUNTED, DATED, summaries_rebuild
from tpbis.dashboards.tests.test_figures import engagement
from tpbis.libraries.models import Library
from tpbis.reports.models import Advocacy, Publicity, Status

VILLAGES = ["35.24.01.2001", "35.08.21.2004"]
PERIODS = [
    (dt.date(2024, 3, 10), dt.date(2024, 8, 10)),  # two cut months around four whole ones
    (dt.date(2024, 1, 31), dt.date(2024, 2, 1)),  # the last and the first day of two months
    (dt.date(2024, 2, 1), dt.date(2024, 6, 14)),  # whole months, then half of June
    (dt.date(2024, 5, 16), dt.date(2024, 12, 31)),  # half of May, then whole months
    (dt.date(2024, 4, 5), dt.date(2024, 4, 25)),  # inside one month
]


def _records(libraries: list[Library], rng: random.Random) -> None:
    statuses = [Status.VERIFIED, Status.SUBMITTED, Status.SUBMITTED, Status.DRAFT, Status.RETURNED, Status.WITHDRAWN]
    for library in libraries:
        busy = rng.randint(0, 6)  # some libraries report far more than others
        for _ in range(rng.randint(0, 12) * busy):
            day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 365))
            status = rng.choice(statuses)
            kind = rng.choice(["pelibatan", "advokasi", "publikasi"])
            if kind == "pelibatan":
                unknown = rng.random() < 0.1
                day = day.replace(day=1) if unknown else day
                engagement(library, day.isoformat(), status, rng.randint(1, 30), date_unknown=unknown)
            elif kind == "advokasi":
                Advocacy.objects.create(library=library, date=day, status=status, title="Audiensi", outcome="NonDana")
            else:
                Publicity.objects.create(
                    library=library, date=day, status=status, title="Kabar", media_kind="Media Online"
                )


def _truth(libraries: list[Library], start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    truth = {library.pk: dict.fromkeys(DATED, 0) for library in libraries}
    for record_type, model in DATED.items():
        for library_id in model.objects.filter(COUNTED, date__range=(start, end)).values_list("library_id", flat=True):
            if library_id in truth:
                truth[library_id][record_type] += 1
    return truth


@pytest.mark.parametrize("seed", [1, 2])
def test_the_most_active_of_a_cut_period_are_the_records_own(
    world: World, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(selectors, "ACTIVE_FIRST_ROUND", 2)  # several rounds of cells among 16 libraries
    rng = random.Random(seed)
    libraries = [make_library(f"Perpustakaan Desa Uji {i:02d}", VILLAGES[i % 2]) for i in range(14)] + [
        world.lamongan_village,
        world.lumajang_village,
    ]
    _records(libraries, rng)
    summaries_rebuild()
    scope = scope_for_user(world.province_35)
    for start, end in PERIODS:
        truth = _truth(libraries, start, end)
        for limit in (1, 2, 3, 10):
            active = most_active_libraries(scope=scope, region_code="35", start=start, end=end, limit=limit)
            expected = sorted((sum(t.values()) for t in truth.values() if any(t.values())), reverse=True)[:limit]
            assert [a.total for a in active] == expected, (start, end, limit)
            for library in active:
                assert library.records == truth[library.library_id], (start, end, limit, library.name)


def test_a_cut_period_reads_only_the_cells_of_libraries_that_can_reach_the_top(world: World) -> None:
    busy = make_library("Perpustakaan Desa Rajin", VILLAGES[0])
    quiet = [make_library(f"Perpustakaan Desa Sepi {i}", VILLAGES[1]) for i in range(4)]
    for month in range(3, 9):
        for day in (5, 20):
            Advocacy.objects.create(
                library=busy,
                date=dt.date(2024, month, day),
                status=Status.VERIFIED,
                title="Audiensi",
                outcome="NonDana",
            )
    for i, library in enumerate(quiet):
        Publicity.objects.create(
            library=library,
            date=dt.date(2024, 3, 20 + i),
            status=Status.SUBMITTED,
            title="Kabar",
            media_kind="Media Online",
        )
    summaries_rebuild()
    scope = scope_for_user(world.province_35)
    with CaptureQueriesContext(connection) as queries:
        active = most_active_libraries(
            scope=scope, region_code="35", start=dt.date(2024, 3, 10), end=dt.date(2024, 8, 10), limit=1
        )
    assert [(a.name, a.records["advokasi"]) for a in active] == [("Perpustakaan Desa Rajin", 10)]
    record_tables = [model._meta.db_table for model in DATED.values()]
    assert not [q["sql"] for q in queries if any(table in q["sql"] for table in record_tables)]


def test_too_many_contenders_fall_back_to_the_records(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "ACTIVE_CANDIDATES_MAX", 0)
    library = make_library("Perpustakaan Desa Rajin", VILLAGES[0])
    for day in (dt.date(2024, 3, 5), dt.date(2024, 3, 12), dt.date(2024, 4, 2), dt.date(2024, 8, 11)):
        Advocacy.objects.create(library=library, date=day, status=Status.VERIFIED, title="Audiensi", outcome="NonDana")
    summaries_rebuild()
    scope = scope_for_user(world.province_35)
    active = most_active_libraries(
        scope=scope, region_code="35", start=dt.date(2024, 3, 10), end=dt.date(2024, 8, 10), limit=1
    )
    assert [(a.name, a.records["advokasi"]) for a in active] == [("Perpustakaan Desa Rajin", 2)]
