"""Two people hand over the same manager at the same moment, on PostgreSQL: one wins, the other is told who."""

from __future__ import annotations

import os
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from conftest import World, make_user
from tpbis.accounts.models import Invitation, Membership, Role, User
from tpbis.audit.models import AuditAction, AuditEvent
from tpbis.libraries.handover import library_handover
from tpbis.reports.tests.test_races import tables_restored  # noqa: F401 (fixture)

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
ROUNDS = int(os.environ.get("RACE_ROUNDS", "5"))
TIMEOUT = 20

pytestmark = [
    pytest.mark.race,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite's test database cannot hold two transactions",
    ),
    pytest.mark.usefixtures("tables_restored"),
    pytest.mark.django_db(transaction=True),
]


def _race(world: World, actors: list[User], manager: User) -> list[tuple[User, str | None]]:
    """Both actors hand over `manager` at once; (actor, None) for the winner, (actor, message) for a loser."""
    barrier = threading.Barrier(len(actors))
    outcomes: list[tuple[User, str | None]] = []

    def hand_over(actor: User, email: str) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            library_handover(
                library=world.lamongan_village, actor=actor, old_user=manager, new_email=email, comment="Pindah tugas"
            )
            outcomes.append((actor, None))
        except ValidationError as error:
            outcomes.append((actor, " ".join(error.messages)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=hand_over, args=(actor, f"pengganti.{n}@example.id")) for n, actor in enumerate(actors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a hand-over hung"
    return outcomes


def test_it_lets_only_one_of_two_simultaneous_hand_overs_through(world: World) -> None:
    actors = [world.facilitator_3524, world.province_35]
    for round_ in range(ROUNDS):
        manager = (
            world.manager
            if round_ == 0
            else make_user(f"pengelola.{round_}@example.id", Role.MANAGER, library=world.lamongan_village)
        )
        before_events = AuditEvent.objects.filter(action=AuditAction.HANDOVER).count()
        before_invitations = Invitation.objects.count()

        outcomes = _race(world, actors, manager)

        winners = [actor for actor, message in outcomes if message is None]
        losers = [(actor, message) for actor, message in outcomes if message is not None]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        message = losers[0][1] or ""
        assert "baru saja diakhiri" in message and winners[0].get_full_name() in message, message
        assert not Membership.objects.filter(user=manager, library=world.lamongan_village).exists()
        assert AuditEvent.objects.filter(action=AuditAction.HANDOVER).count() == before_events + 1
        assert Invitation.objects.count() == before_invitations + 1, "the loser invited nobody"
