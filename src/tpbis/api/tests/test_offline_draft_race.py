"""A draft continued on the phone and sent twice at the same moment, against a live server on PostgreSQL.

The phone never learned the draft's id (the answer to "Simpan sebagai draf" was lost), so the continued
entry goes as a create under the draft's client id. Two copies of it at once (two tabs, a background sync
racing "Kirim sekarang") must send that draft once: one record, one photo, one "dikirim" in its history,
and both senders told of it (200), never an error.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from conftest import World
from tpbis.api.tests.test_offline_race import ON_POSTGRES, ROUNDS, _body
from tpbis.reports.audit import audit_for
from tpbis.reports.models import AuditAction, CommunityEngagement, Status
from tpbis.reports.photos import photos_for
from tpbis.reports.tests.test_races import TIMEOUT, Outcome, _browser_session, _race, tables_restored

pytestmark = [
    pytest.mark.race,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: see test_offline_race.py"),
    pytest.mark.usefixtures("tables_restored"),
]

__all__ = ["tables_restored"]  # the fixture, imported so this module can use it


def _sender(session: requests.Session, url: str, body: dict[str, Any]) -> Any:
    def send() -> Outcome:
        response = session.post(url, json=body, timeout=TIMEOUT)
        answer = response.json()
        said = f"{answer.get('code') or answer.get('id')} {answer.get('status', '')}".strip()
        return Outcome(won=response.status_code == 200, status=response.status_code, message=said)

    return send


def _continued(world: World, tab: requests.Session, url: str, round_: int, *, submit: bool) -> dict[str, Any]:
    """A draft saved (its answer "lost"), and its entry continued on the phone: saved again or sent."""
    entry = _body(world, str(uuid.uuid4()), round_, f"Kelas {round_}")
    draft = {name: entry[name] for name in ("library_id", "client_id", "title")}
    assert tab.post(url, json={**draft, "submit": False}, timeout=TIMEOUT).status_code == 201
    return {**entry, "submit": submit}


def test_a_continued_draft_sent_twice_at_once_is_changed_once(live_server: Any, world: World) -> None:
    """Both kinds in one test: the live server's flush after each test would cost a region reload."""
    tabs = (_browser_session(world.manager), _browser_session(world.manager))
    url = f"{live_server.url}/api/v1/records/pelibatan"
    broken: list[str] = []
    for submit, status, action in (
        (True, Status.SUBMITTED, AuditAction.SUBMIT),
        (False, Status.DRAFT, AuditAction.UPDATE),
    ):
        for round_ in range(ROUNDS):
            body = _continued(world, tabs[0], url, round_, submit=submit)

            first, second = _race(_sender(tabs[0], url, body), _sender(tabs[1], url, body))

            saved = list(CommunityEngagement.objects.filter(client_id=body["client_id"]))
            changes = audit_for(saved[0]).filter(action=action).count() if saved else 0
            photos = photos_for(saved[0]).count() if saved else 0
            if (
                (first.status, second.status) != (200, 200)
                or len(saved) != 1
                or saved[0].status != status
                or (changes, photos) != (1, 1)
            ):
                context = f"{len(saved)} saved, {changes} {action}, {photos} photos"
                broken.append(f"submit={submit} round {round_}: {first}, {second}, {context}")
    assert not broken, "\n".join(broken)
