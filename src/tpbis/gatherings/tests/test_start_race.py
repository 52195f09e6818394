"""Two organisers press "Mulai gathering" at the same moment, on PostgreSQL: the figures freeze once."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from conftest import World
from tpbis.audit.models import AuditEvent
from tpbis.gatherings.models import Gathering
from tpbis.gatherings.services import GatheringError, gathering_freeze
from tpbis.gatherings.tests.helpers import gathering_make
from tpbis.reports.tests.test_races import tables_restored  # noqa: F401 (fixture)

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
TIMEOUT = 30

pytestmark = [
    pytest.mark.race,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite's test database cannot hold two transactions",
    ),
    pytest.mark.usefixtures("tables_restored"),
    pytest.mark.django_db(transaction=True),
]


def test_two_presses_at_once_freeze_once(world: World) -> None:
    gathering = gathering_make(actor=world.province_35, region_code="35")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press() -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            gathering_freeze(actor=world.province_35, gathering_id=gathering.pk)
            outcomes.append("started")
        except GatheringError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a start hung"
    assert sorted(outcomes) == ["refused", "started"]
    assert Gathering.objects.get(pk=gathering.pk).frozen_report is not None
    assert AuditEvent.objects.filter(object_id=gathering.pk, comment__startswith="Gathering dimulai").count() == 1
