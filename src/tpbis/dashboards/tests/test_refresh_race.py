"""A kabupaten's summary rows rebuilt (a library moved) while a record is written elsewhere in the
kabupaten: the write waits, nothing is lost (PostgreSQL, threads). Its own module: a module's transactional
tests share one restore of the flushed tables."""

from __future__ import annotations

import datetime as dt
import random
import threading
from typing import Any

import pytest
from django.db import connection

from conftest import World, make_library
from tpbis.dashboards.models import RegencyMonth
from tpbis.dashboards.tests.test_incremental_summaries import ON_POSTGRES, Writer, assert_equal_to_rebuild
from tpbis.reports.models import Advocacy
from tpbis.reports.services import record_create
from tpbis.reports.tests.test_races import tables_restored  # noqa: F401  (a fixture, used by name)


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: SQLite runs one writer at a time, there is no race")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tables_restored")
def test_a_write_in_the_kabupaten_while_its_summaries_are_rebuilt_waits_and_counts(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library moved into a kecamatan rebuilds its kabupaten's rows (delete, then insert what the library
    cells sum to). A record written meanwhile in another kecamatan of that kabupaten, in a month the
    kabupaten has no row for yet, waits for the rebuild instead of inserting the row the rebuild is about
    to insert (a unique-key error), and both end counted: the new row's key to its region needs a share
    lock the rebuild's lock on the kabupaten's region row excludes (without that lock this test fails)."""
    from tpbis.dashboards import services
    from tpbis.regions.models import Level, Region

    village = (
        Region.objects.filter(code__startswith="35.24.", level=Level.VILLAGE)
        .exclude(code__startswith="35.24.01.")
        .order_by("code")
    ).first()
    assert village is not None
    neighbour = make_library("Perpustakaan Desa Tetangga", village.code)
    writer = Writer(world, random.Random(4))
    for _ in range(4):
        writer.create()
    month = dt.date(2023, 3, 1)  # before the writer's years
    assert not RegencyMonth.objects.filter(area_id="35.24", month=month).exists()
    deleted, written = threading.Event(), threading.Event()
    real_rows = services._regency_rows

    def rows_after_the_write(areas: Any) -> Any:
        deleted.set()  # the kabupaten rows are deleted in the rebuild's transaction
        written.wait(timeout=3)  # the write commits now if nothing makes it wait
        return real_rows(areas)

    monkeypatch.setattr(services, "_regency_rows", rows_after_the_write)
    errors: list[BaseException] = []

    def rebuild() -> None:
        try:
            services.summaries_refresh(areas={"35.24.01"})
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    def write() -> None:
        try:
            assert deleted.wait(timeout=10)
            record_create(
                model=Advocacy,
                user=None,
                library=neighbour,
                data=writer.data(Advocacy) | {"date": month.replace(day=9)},
            )
        except BaseException as error:
            errors.append(error)
        finally:
            written.set()
            connection.close()

    threads = [threading.Thread(target=rebuild), threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert RegencyMonth.objects.get(area_id="35.24", month=month).advokasi == 1
    assert_equal_to_rebuild()
