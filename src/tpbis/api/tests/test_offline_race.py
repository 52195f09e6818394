"""The same queued entry sent from two tabs at the same moment, against a live server on PostgreSQL.

An offline phone's queue may send one entry twice at once (two open tabs, a background sync racing the
"send now" button). Exactly one record may come of it, and both senders must hear about that record:
one gets 201, the other the 200 of an identical resend; never a second record, never an error.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import uuid
from typing import Any

import pytest
import requests
from django.conf import settings
from django.utils import timezone
from PIL import Image

from conftest import World
from tpbis.reports.models import CommunityEngagement, Photo
from tpbis.reports.tests.test_races import TIMEOUT, Outcome, _browser_session, _race, tables_restored

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.race,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason=(
            "needs PostgreSQL (DATABASE_URL=postgres://…): SQLite's in-memory test database is one connection "
            "shared by the live server's threads, so two requests cannot race on it"
        ),
    ),
    pytest.mark.usefixtures("tables_restored"),
]

__all__ = ["tables_restored"]  # the fixture, imported so this module can use it

ROUNDS = int(os.environ.get("RACE_ROUNDS", "5"))
Tabs = tuple[requests.Session, requests.Session]


def _photo() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 90)).save(buffer, "JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


def _body(world: World, client_id: str, round_: int, title: str) -> dict[str, Any]:
    return {
        "library_id": world.lamongan_village.pk,
        "client_id": client_id,
        "date": (timezone.localdate() - dt.timedelta(days=round_ % 20)).isoformat(),
        "title": title,
        "activity_field": "Ekonomi",
        "activity_kind": "Pelatihan",
        "audience": "Pelaku UMKM",
        "participants_male": 4,
        "participants_female": 11,
        "photos": [_photo()],
    }


def _sender(session: requests.Session, url: str, body: dict[str, Any]) -> Any:
    def send() -> Outcome:
        response = session.post(url, json=body, timeout=TIMEOUT)
        answer = response.json()
        said = answer.get("code") or str(answer.get("id"))
        return Outcome(won=response.status_code == 201, status=response.status_code, message=said)

    return send


def _same_entry(url: str, world: World, tabs: Tabs) -> list[str]:
    """Both tabs send one queued entry: 201 and 200 with the same id, one record, one photo."""
    broken: list[str] = []
    for round_ in range(ROUNDS):
        client_id = str(uuid.uuid4())
        body = _body(world, client_id, round_, f"Kiriman dua tab {round_}")
        first, second = _race(_sender(tabs[0], url, body), _sender(tabs[1], url, body))
        saved = CommunityEngagement.objects.filter(client_id=client_id)
        statuses = sorted([first.status, second.status])
        ids = {first.message, second.message}
        if statuses != [200, 201] or saved.count() != 1 or ids != {str(saved.get().pk)}:
            broken.append(f"round {round_}: {first}, {second}, {saved.count()} saved")
            continue
        photos = Photo.objects.filter(object_id=saved.get().pk, content_type__model="communityengagement")
        if photos.count() != 1:
            broken.append(f"round {round_}: {photos.count()} photos kept")
    return broken


def _two_contents(url: str, world: World, tabs: Tabs) -> list[str]:
    """Two different entries under one client id at once: the first saved wins, the other hears 409."""
    broken: list[str] = []
    for round_ in range(ROUNDS):
        client_id = str(uuid.uuid4())
        titles = (f"Lomba mewarnai {round_}", f"Bedah buku resep {round_}")
        first, second = _race(
            _sender(tabs[0], url, _body(world, client_id, round_, titles[0])),
            _sender(tabs[1], url, _body(world, client_id, round_, titles[1])),
        )
        saved = list(CommunityEngagement.objects.filter(client_id=client_id))
        winner = titles[0] if first.won else titles[1]
        outcome = sorted([(first.status, first.message), (second.status, second.message)])
        if (
            [status for status, _ in outcome] != [201, 409]
            or outcome[1][1] != "client_id_conflict"
            or len(saved) != 1
            or saved[0].title != winner
        ):
            broken.append(f"round {round_}: {first}, {second}, saved {[r.title for r in saved]}")
    return broken


def _request(session: requests.Session, method: str, url: str, body: dict[str, Any] | None) -> Any:
    def call() -> Outcome:
        response = session.request(method, url, json=body, timeout=TIMEOUT)
        return Outcome(won=response.status_code == 200, status=response.status_code, message=response.text[:300])

    return call


def _edit_against_verification(url: str, world: World, tabs: Tabs) -> list[str]:
    """A queued correction and a facilitator's verification at once: either the edit lands first (and is what
    gets verified) or it is refused as stale with nothing saved; never an edit silently lost or overwriting."""
    broken: list[str] = []
    verifier = _browser_session(world.facilitator_3524)
    for round_ in range(ROUNDS):
        body = _body(world, str(uuid.uuid4()), round_, f"Koreksi bersamaan {round_}")
        saved = tabs[0].post(url, json=body, timeout=TIMEOUT).json()
        edit = {k: v for k, v in body.items() if k not in ("library_id", "client_id", "photos")}
        edit.update(title=f"Koreksi bersamaan {round_} (diperbaiki)", version=saved["version"])
        record_url = f"{url}/{saved['id']}"
        edited, verified = _race(
            _request(tabs[1], "put", record_url, edit), _request(verifier, "post", f"{record_url}/verify", None)
        )
        record = CommunityEngagement.objects.get(pk=saved["id"])
        context = f"round {round_}: edit={edited}, verify={verified}, title={record.title!r}, status={record.status}"
        if edited.won and record.title != edit["title"]:
            broken.append(f"{context}: an acknowledged edit is missing")
        elif not edited.won and (edited.status != 409 or "stale_version" not in edited.message):
            broken.append(f"{context}: the edit was refused without stale_version")
        elif not edited.won and record.title != body["title"]:
            broken.append(f"{context}: a refused edit was saved")
        elif not verified.won and not edited.won:
            broken.append(f"{context}: nobody won")
    return broken


def test_it_keeps_one_record_per_client_id_when_two_tabs_send_at_once(live_server: Any, world: World) -> None:
    """All races in one test: the live server's flush after each test would cost a region reload."""
    tabs = (_browser_session(world.manager), _browser_session(world.manager))
    url = f"{live_server.url}/api/v1/records/pelibatan"
    failures = [
        f"{race.__name__}: {line}"
        for race in (_same_entry, _two_contents, _edit_against_verification)
        for line in race(url, world, tabs)
    ]
    assert not failures, "\n".join(failures)
