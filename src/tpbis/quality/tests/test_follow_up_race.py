"""Two people mark the same flag at the same moment, on PostgreSQL: one mark is taken, the other is told."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection

from conftest import World
from tpbis.audit.models import AuditEvent
from tpbis.quality.models import FlagFollowUp, FollowUp, OutlierFlag
from tpbis.quality.scan import outliers_scan
from tpbis.quality.services import FlagConflict, flag_follow_up
from tpbis.quality.tests.helpers import USUAL, visitor_months
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


def test_two_marks_at_once_one_wins_and_the_other_is_told(world: World) -> None:
    visitor_months(world.lamongan_village, [*USUAL[:10], 2400])
    outliers_scan(today=dt.date(2026, 12, 6))
    flag = OutlierFlag.objects.get()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def mark(user_attr: str, status: str) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            flag_follow_up(flag=flag, user=getattr(world, user_attr), status=status, note=user_attr, seen_version=1)
            outcomes.append("taken")
        except FlagConflict as conflict:
            outcomes.append("refused: " + " ".join(conflict.messages))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=mark, args=("facilitator_3524", FollowUp.CORRECTED)),
        threading.Thread(target=mark, args=("province_35", FollowUp.CONFIRMED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a mark hung"
    assert sorted(o.split(":")[0] for o in outcomes) == ["refused", "taken"]
    refused = next(o for o in outcomes if o.startswith("refused"))
    assert "Tanda ini baru saja diubah oleh" in refused
    flag.refresh_from_db()
    assert flag.version == 2
    assert FlagFollowUp.objects.filter(flag=flag).count() == 1
    assert AuditEvent.objects.filter(object_id=flag.pk, content_type__model="outlierflag").count() == 1
