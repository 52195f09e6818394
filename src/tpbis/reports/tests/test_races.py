"""Two facilitators act on the same record at the same moment, against a live server on PostgreSQL.

One returns a submitted record with a comment while the other verifies it (one by one, in bulk, or
through the REST API). Every round must end in a state one of them really caused: the winner's
status, the return comment only on a returned record, a history that is a true chain of transitions,
and the loser told clearly that someone else was faster (never a second success that changed nothing).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from conftest import World, make_user
from tpbis.accounts.models import Role, Title, User
from tpbis.api.tokens import token_create
from tpbis.core.tests.browser import _models_without_regions, _snapshot_without_regions
from tpbis.regions.models import Region
from tpbis.reports.audit import audit_for
from tpbis.reports.models import AuditAction, CommunityEngagement, Status
from tpbis.reports.photos import photos_prepare
from tpbis.reports.services import record_create
from tpbis.reports.tests.test_entry import jpeg

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
    # The live server's end-of-test flush empties every table; put them back for the tests after these.
    pytest.mark.usefixtures("tables_restored"),
]

ROUNDS = int(os.environ.get("RACE_ROUNDS", "5"))  # 20 of 20 rounds went wrong before the fix
TIMEOUT = 20  # seconds per request: a deadlock fails the test instead of hanging it
COMMENT = "Foto kegiatan tidak sesuai, mohon diganti."

# The status each audited action leads to, and the statuses it may start from.
TARGET = {
    AuditAction.VERIFY: Status.VERIFIED,
    AuditAction.RETURN: Status.RETURNED,
    AuditAction.SUBMIT: Status.SUBMITTED,
    AuditAction.WITHDRAW: Status.WITHDRAWN,
}
ALLOWED_FROM = {
    AuditAction.VERIFY: {Status.SUBMITTED},
    AuditAction.RETURN: {Status.SUBMITTED, Status.VERIFIED},
    AuditAction.SUBMIT: {Status.DRAFT, Status.RETURNED},
    AuditAction.WITHDRAW: {Status.DRAFT, Status.SUBMITTED, Status.VERIFIED, Status.RETURNED},
}
COPY_REGIONS_OUT = f"COPY {Region._meta.db_table} TO STDOUT"
COPY_REGIONS_IN = f"COPY {Region._meta.db_table} FROM STDIN"
MESSAGE = re.compile(r'<p class="msg msg-(\w+)">(.*?)</p>', re.S)


@pytest.fixture(scope="module")
def tables_restored(django_db_blocker: Any) -> Iterator[None]:
    """The browser tests' `database_restored`, with PostgreSQL's COPY for the 90,000 regions (a second, not 30)."""
    with django_db_blocker.unblock():
        snapshot = _snapshot_without_regions()
        regions = io.BytesIO()
        with connection.cursor() as cursor, cursor.cursor.copy(COPY_REGIONS_OUT) as copy:
            for chunk in copy:
                regions.write(chunk)
    yield
    with django_db_blocker.unblock():
        if Region.objects.exists():
            return  # nothing was flushed (the test was skipped)
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True, reset_sequences=False)
        connection.creation.deserialize_db_from_string(snapshot)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), _models_without_regions()):
                cursor.execute(sql)
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(COPY_REGIONS_IN) as copy,
        ):
            copy.write(regions.getvalue())


@dataclass
class Outcome:
    """What one facilitator saw: did the action succeed, and what was said."""

    won: bool
    status: int
    message: str


def _engagement(world: World, title: str) -> CommunityEngagement:
    record, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        library=world.lamongan_village,
        data={
            "date": timezone.localdate() - dt.timedelta(days=1),
            "title": title,
            "activity_field": "Kesehatan",
            "activity_kind": "Promosi",
            "audience": "Umum",
            "participants": 20,
        },
        photos=photos_prepare(files=[jpeg()]),
    )
    return record


def _second_facilitator() -> User:
    return make_user("lamongan.dua@example.id", Role.FACILITATOR, region="35.24", title=Title.FASDA)


def _browser_session(user: User) -> requests.Session:
    """A signed-in session as a browser would hold it: session cookie plus the CSRF cookie and header."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    csrf = get_random_string(32)
    session.cookies.set(settings.CSRF_COOKIE_NAME, csrf)
    session.headers["X-CSRFToken"] = csrf
    return session


def _token_session(user: User) -> requests.Session:
    _, key = token_create(user=user, name="uji balapan", read_only=False)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    return session


def _web_outcome(response: requests.Response, success_text: str) -> Outcome:
    """After the redirect, the page's flash messages say who won; a 409 says it without a page."""
    messages = MESSAGE.findall(response.text)
    won = response.status_code == 200 and any(kind == "success" and success_text in text for kind, text in messages)
    said = " | ".join(text for kind, text in messages if kind in ("error", "warning"))
    return Outcome(won=won, status=response.status_code, message=said)


def _api_outcome(response: requests.Response) -> Outcome:
    body = response.json()
    if response.status_code == 200:
        return Outcome(won=True, status=200, message="")
    errors = [m for messages in body.get("errors", {}).values() for m in messages]
    return Outcome(won=False, status=response.status_code, message=" ".join([body.get("message", ""), *errors]))


def _race(first: Callable[[], Outcome], second: Callable[[], Outcome]) -> tuple[Outcome, Outcome]:
    """Run both at the same instant (a barrier releases them together) and wait for both answers."""
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    results: list[Any] = [None, None]

    def run(index: int, action: Callable[[], Outcome]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except Exception as error:  # surfaced in the assertion below, with the round's context
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    assert all(isinstance(r, Outcome) for r in results), f"a request failed or hung: {results}"
    return results[0], results[1]


def _history_chain(record: Any) -> list[tuple[str, str, str]]:
    """The status transitions the history shows, checked to be a true chain from 'submitted'.

    Returns (action, from, to) per status-changing entry, in the order people read them.
    """
    chain: list[tuple[str, str, str]] = []
    current = Status.SUBMITTED.value
    for entry in audit_for(record):
        if entry.action not in TARGET:
            continue
        target = TARGET[entry.action].value
        shown = entry.changes.get("status")
        if shown is not None:
            assert shown[0] == current, f"history says {shown[0]}→{shown[1]} but the record was {current}: {chain}"
            assert shown[1] == target, f"a {entry.action} entry shows status {shown}"
        else:
            assert current in ALLOWED_FROM[entry.action], f"history shows {entry.action} from {current}: {chain}"
        chain.append((entry.action, current, target))
        current = target
    return chain


def _check_round(
    record: Any,
    *,
    verify: Outcome,
    give_back: Outcome,
    verifier: User,
    loser_status: set[int],
    loser_says: tuple[str, ...] = ("baru saja",),
) -> None:
    record.refresh_from_db()
    chain = _history_chain(record)
    actions = [action for action, _, _ in chain]
    context = f"verify={verify}, return={give_back}, status={record.status}, history={chain}"

    assert verify.won or give_back.won, f"nobody won: {context}"
    assert actions.count(AuditAction.VERIFY) == int(verify.won), f"verifications logged ≠ acknowledged: {context}"
    assert actions.count(AuditAction.RETURN) == int(give_back.won), f"returns logged ≠ acknowledged: {context}"
    final = chain[-1][2] if chain else Status.SUBMITTED.value
    assert record.status == final, f"the record's status is not where its history ends: {context}"
    if verify.won and give_back.won:
        # Only one order is possible: verified first, then returned (a verified record may be returned).
        assert actions == [AuditAction.VERIFY, AuditAction.RETURN], f"both won out of order: {context}"
    if record.status == Status.VERIFIED:
        assert record.verified_by_id == verifier.pk, context
        assert record.return_comment == "", f"a verified record carries a return comment: {context}"
    else:
        assert record.status == Status.RETURNED, context
        assert record.return_comment == COMMENT, context
    for loser in (o for o in (verify, give_back) if not o.won):
        assert loser.status in loser_status, f"the loser got {loser.status}: {context}"
        assert any(words in loser.message for words in loser_says), f"the loser was not told who was faster: {context}"


@dataclass
class Facilitators:
    """Two facilitators of Lamongan, each signed in on their own browser and with their own API token;
    and the API tokens of two managers of Lamongan libraries in different kecamatan."""

    verifier: User
    returner: User
    verifier_web: requests.Session
    returner_web: requests.Session
    verifier_api: requests.Session
    returner_api: requests.Session
    managers_api: tuple[requests.Session, requests.Session]


def _web_single(base: str, world: World, people: Facilitators, round_: int) -> None:
    record = _engagement(world, f"Balapan web {round_}")
    url = f"{base}/laporan/pelibatan/{record.pk}"

    def verify() -> Outcome:
        return _web_outcome(people.verifier_web.post(f"{url}/verify/", timeout=TIMEOUT), "diverifikasi")

    def give_back() -> Outcome:
        response = people.returner_web.post(f"{url}/return/", {"comment": COMMENT}, timeout=TIMEOUT)
        return _web_outcome(response, "dikembalikan")

    verified, returned = _race(verify, give_back)
    _check_round(record, verify=verified, give_back=returned, verifier=people.verifier, loser_status={200, 409})


def _web_bulk(base: str, world: World, people: Facilitators, round_: int) -> None:
    contested = _engagement(world, f"Balapan massal {round_}")
    bystander = _engagement(world, f"Ikut massal {round_}")

    def verify_both() -> Outcome:
        ids = [str(contested.pk), str(bystander.pk)]
        response = people.verifier_web.post(
            f"{base}/laporan/verifikasi/pelibatan/massal/", {"ids": ids}, timeout=TIMEOUT
        )
        said = MESSAGE.findall(response.text)
        counts = [re.match(r"(\d+) laporan diverifikasi", text) for kind, text in said if kind == "success"]
        verified = sum(int(c.group(1)) for c in counts if c)
        # It won the contested record only when the page counts both as verified.
        warnings = " | ".join(text for kind, text in said if kind in ("error", "warning"))
        return Outcome(won=verified == 2, status=response.status_code, message=warnings)

    def give_back() -> Outcome:
        url = f"{base}/laporan/pelibatan/{contested.pk}/return/"
        return _web_outcome(people.returner_web.post(url, {"comment": COMMENT}, timeout=TIMEOUT), "dikembalikan")

    verified, returned = _race(verify_both, give_back)
    # A bulk verification skips what someone else just handled and says how many it skipped.
    _check_round(
        contested,
        verify=verified,
        give_back=returned,
        verifier=people.verifier,
        loser_status={200, 409},
        loser_says=("dilewati", "baru saja"),
    )
    bystander.refresh_from_db()
    assert bystander.status == Status.VERIFIED, "the uncontested record was not verified"
    assert [a for a, _, _ in _history_chain(bystander)] == [AuditAction.VERIFY], "the uncontested record's history"


def _api(base: str, world: World, people: Facilitators, round_: int) -> None:
    record = _engagement(world, f"Balapan API {round_}")
    url = f"{base}/api/v1/records/pelibatan/{record.pk}"

    def verify() -> Outcome:
        return _api_outcome(people.verifier_api.post(f"{url}/verify", timeout=TIMEOUT))

    def give_back() -> Outcome:
        return _api_outcome(people.returner_api.post(f"{url}/return", json={"comment": COMMENT}, timeout=TIMEOUT))

    verified, returned = _race(verify, give_back)
    _check_round(record, verify=verified, give_back=returned, verifier=people.verifier, loser_status={409})


def _two_submissions(base: str, world: World, people: Facilitators, round_: int) -> None:
    """Records of two libraries of one kabupaten at once: both rebuild the kabupaten's summary rows."""
    photo = base64.b64encode(jpeg().read()).decode()
    libraries = (world.lamongan_village, world.lamongan_district)

    def submit(index: int) -> Outcome:
        body = {
            "library_id": libraries[index].pk,
            "date": (timezone.localdate() - dt.timedelta(days=round_ % 20)).isoformat(),
            "title": f"Kiriman bersamaan {round_} {index}",
            "activity_field": "Ekonomi",
            "activity_kind": "Pelatihan",
            "audience": "Pelaku UMKM",
            "participants_male": 4,
            "participants_female": 11,
            "photos": [photo],
        }
        response = people.managers_api[index].post(f"{base}/api/v1/records/pelibatan", json=body, timeout=TIMEOUT)
        return Outcome(won=response.status_code == 201, status=response.status_code, message=response.text[:200])

    first, second = _race(lambda: submit(0), lambda: submit(1))
    assert first.won and second.won, f"a submission was refused: {first}, {second}"
    for index, library in enumerate(libraries):
        saved = CommunityEngagement.objects.filter(library=library, title=f"Kiriman bersamaan {round_} {index}")
        assert saved.count() == 1, f"the acknowledged record of {library} is missing"


SCENARIOS: dict[str, Callable[[str, World, Facilitators, int], None]] = {
    "web form, verify vs return": _web_single,
    "web form, bulk verify vs return": _web_bulk,
    "REST v1, verify vs return": _api,
    "REST v1, two libraries of one kabupaten submit at once": _two_submissions,
}


def test_it_keeps_one_winner_and_a_true_history_when_two_facilitators_race(live_server: Any, world: World) -> None:
    """All three races in one test: the live server's flush after each test would cost a region reload.

    Every round runs; the failure lists how many rounds of each race went wrong and the first of them.
    """
    verifier, returner = world.facilitator_3524, _second_facilitator()
    people = Facilitators(
        verifier=verifier,
        returner=returner,
        verifier_web=_browser_session(verifier),
        returner_web=_browser_session(returner),
        verifier_api=_token_session(verifier),
        returner_api=_token_session(returner),
        managers_api=(
            _token_session(world.manager),
            _token_session(make_user("perpusda.lamongan@example.id", Role.MANAGER, library=world.lamongan_district)),
        ),
    )
    failures: list[str] = []
    for name, scenario in SCENARIOS.items():
        broken: list[str] = []
        for round_ in range(ROUNDS):
            try:
                scenario(live_server.url, world, people, round_)
            except AssertionError as error:
                broken.append(f"round {round_}: {str(error).splitlines()[0]}")
        if broken:
            failures.append(f"{name}: {len(broken)} of {ROUNDS} rounds wrong; first {broken[0]}")
    assert not failures, "\n".join(failures)
