"""A bulk upsert of many rows goes through COPY on PostgreSQL: it writes what the VALUES statements write,
replaces only the rows that differ, and leaves the others untouched (no dead rows)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import World
from tpbis.kpi import facts
from tpbis.kpi.models import Colour, DayScore

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="COPY is PostgreSQL's"
)
COLUMNS = ["library_id", "as_of", "kind", "score", "colour"]
DAY = dt.date(2025, 5, 14)


def _stored() -> dict[int, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in DayScore.objects.values_list(*COLUMNS)}


def _versions() -> dict[int, str]:
    """Each row's ctid: a row written again is a new tuple elsewhere (xmin would not tell, in one transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT library_id, ctid::text FROM {DayScore._meta.db_table}")  # noqa: S608
        return dict(cursor.fetchall())


@pytest.mark.parametrize("copy_rows", [1, 10**9])  # through COPY, through VALUES statements
def test_a_bulk_upsert_writes_new_rows_and_replaces_only_those_that_differ(
    world: World, monkeypatch: pytest.MonkeyPatch, copy_rows: int
) -> None:
    monkeypatch.setattr(facts, "COPY_ROWS", copy_rows)
    libraries = [world.lamongan_village, world.lumajang_village, world.belo_laut]
    first = [
        (libraries[0].pk, DAY, "desa", Decimal("55.25"), Colour.YELLOW),
        (libraries[1].pk, DAY, "desa", None, Colour.NONE),
        (libraries[2].pk, DAY, "desa", Decimal("12.00"), Colour.RED),
    ]
    with CaptureQueriesContext(connection) as queries:
        facts.upsert(DayScore._meta.db_table, COLUMNS, ["library_id", "as_of"], first, only_changed=True)
    assert any("staged_" in query["sql"] for query in queries) == (copy_rows == 1)  # the path under test
    assert _stored() == {row[0]: tuple(row[1:]) for row in first}
    before = _versions()
    second = [first[0], (libraries[1].pk, DAY, "tbm", Decimal("80.00"), Colour.GREEN), first[2]]
    facts.upsert(DayScore._meta.db_table, COLUMNS, ["library_id", "as_of"], second, only_changed=True)
    assert _stored() == {row[0]: tuple(row[1:]) for row in second}
    after = _versions()
    assert after[libraries[0].pk] == before[libraries[0].pk]  # equal: not written again
    assert after[libraries[2].pk] == before[libraries[2].pk]
    assert after[libraries[1].pk] != before[libraries[1].pk]
    facts.upsert(DayScore._meta.db_table, COLUMNS, ["library_id", "as_of"], second, only_changed=True)  # twice
    assert _stored() == {row[0]: tuple(row[1:]) for row in second}


def test_a_fresh_bulk_upsert_copies_straight_into_the_table(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facts, "COPY_ROWS", 1)
    libraries = [world.lamongan_village, world.lumajang_village]
    rows = [
        (libraries[0].pk, DAY, "desa", Decimal("55.25"), Colour.YELLOW),
        (libraries[1].pk, DAY, "desa", None, Colour.NONE),
    ]
    with CaptureQueriesContext(connection) as queries:
        facts.upsert(DayScore._meta.db_table, COLUMNS, ["library_id", "as_of"], rows, only_changed=True, fresh=True)
    assert not any("staged_" in query["sql"] for query in queries)  # no scratch table, no ON CONFLICT
    assert _stored() == {row[0]: tuple(row[1:]) for row in rows}
