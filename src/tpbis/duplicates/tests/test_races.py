"""Two reviewers decide on the same pair at the same moment, on PostgreSQL: one wins, the other is told."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection

from conftest import World, make_library
from tpbis.audit.models import AuditEvent
from tpbis.duplicates.detection import libraries_scan
from tpbis.duplicates.models import DuplicateEvent, DuplicatePair, DuplicateStatus
from tpbis.duplicates.services import AlreadyHandled, pair_dismiss, pair_merge
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


def test_a_merge_and_a_dismissal_at_once_leave_one_decision(world: World) -> None:
    twin = make_library("Perpusdes Sembung", world.lamongan_village.region_id)
    libraries_scan()
    # Each reviewer holds the pair as their page showed it: open.
    merging, dismissing = DuplicatePair.objects.get(), DuplicatePair.objects.get()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    messages: list[str] = []

    def act(decide: Callable[[], object], name: str) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            decide()
            outcomes.append(name)
        except AlreadyHandled as refused:
            messages.append(refused.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act, args=(lambda: pair_merge(pair=merging, user=world.province_35, keep="first"), "merged")
        ),
        threading.Thread(
            target=act, args=(lambda: pair_dismiss(pair=dismissing, user=world.facilitator_3524), "dismissed")
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a decision hung"

    assert len(outcomes) == 1 and len(messages) == 1
    assert "sudah ditangani oleh" in messages[0]
    pair = DuplicatePair.objects.get()
    assert pair.status == (DuplicateStatus.MERGED if outcomes == ["merged"] else DuplicateStatus.DISMISSED)
    assert DuplicateEvent.objects.filter(pair=pair).count() == 1
    twin.refresh_from_db()
    deactivations = AuditEvent.objects.filter(object_id=twin.pk, action="deactivate", content_type__model="library")
    assert twin.is_active is (outcomes == ["dismissed"])
    assert deactivations.count() == (1 if outcomes == ["merged"] else 0)
