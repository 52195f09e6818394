"""A real streaming replica: API reads are answered from the hot standby, and a writer sees its own write at once.

A private PostgreSQL primary (initdb + pg_ctl on a spare port, never the machine's own server) gets the app's
schema; `pg_basebackup -R` copies it into a second cluster started as a hot standby on another port. A gunicorn
runs the app with DATABASE_URL on the primary and DATABASE_REPLICA_URL on the standby. With the standby's
replay paused, a manager's phone enters a record through the API: the phone lists it at once (pinned to the
primary after its write), while another token of the same manager, which wrote nothing, does not see it until
replay resumes: its reads come from the standby.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection

from tpbis.core.tests.test_postgres_restart import PG_BIN, RUN_AS, _free_port, _manage, _run
from tpbis.core.tests.test_postgres_restart import pytestmark as restart_marks
from tpbis.libraries.tests.test_import_killed import _subset_regions
from tpbis.reports.tests.test_entry import jpeg

pytestmark = restart_marks  # fault; skipped without the PostgreSQL binaries, or runuser as root

SETUP = """
from tpbis.accounts.models import Membership, Role, User
from tpbis.api.tokens import token_create
from tpbis.libraries.models import Library, LibraryKind, Support
library = Library.objects.create(name="Perpustakaan Desa Sembung", kind=LibraryKind.VILLAGE, region_id="35.24.01.2001",
                                 support=Support.FULL, cohort_year=2022)
user = User.objects.create_user("sembung@example.id", "rahasia-uji-123", full_name="Sembung")
Membership.objects.create(user=user, role=Role.MANAGER, library=library)
print(library.pk, token_create(user=user, name="hp", read_only=False)[1], token_create(user=user, name="laptop", read_only=True)[1])
"""
RECORDS = "/api/v1/records/pelibatan"


@dataclass
class Pair:
    """A primary, its hot standby and the app served from both."""

    root: Path
    primary_port: int
    standby_port: int
    base: str = ""
    writer: str = ""
    reader: str = ""
    library_id: int = 0

    def sql(self, port: int, query: str, *params: str) -> str:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="tpbis", autocommit=True) as db:
            row = db.execute(query, params or None).fetchone()
        return "" if row is None else str(row[0])


def _start(data: Path, port: int, root: Path, name: str) -> subprocess.CompletedProcess[str]:
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = str(root / f"{name}.log")
    return _run([*RUN_AS, str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start"])  # type: ignore[operator]


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of the tests (DATABASE_URL=postgres://…)")
    assert PG_BIN is not None
    root = Path(tempfile.mkdtemp(prefix="tpbis-pg-replica-"))
    root.chmod(0o777)
    primary, standby = root / "primary", root / "standby"
    instance = Pair(root, _free_port(), _free_port())
    server: subprocess.Popen[bytes] | None = None
    try:
        initdb = _run(
            [*RUN_AS, str(PG_BIN / "initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
        )
        if initdb.returncode:
            pytest.skip(f"initdb failed: {initdb.stderr[-500:]}")
        # initdb's defaults already stream: wal_level=replica, max_wal_senders=10, replication trusted locally.
        started = _start(primary, instance.primary_port, root, "primary")
        assert started.returncode == 0, started.stderr
        port = str(instance.primary_port)
        created = _run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", port, "-U", "postgres", "tpbis"])
        assert created.returncode == 0, created.stderr
        primary_url = f"postgres://postgres@127.0.0.1:{port}/tpbis"
        env = {**os.environ, "DATABASE_URL": primary_url, "DJANGO_ALLOW_INSECURE_KEY": "1", "DEBUG": "0"}
        for name in ("SECRET_KEY", "DATABASE_REPLICA_URL", "REDIS_URL"):
            env.pop(name, None)
        env["MEDIA_ROOT"] = str(root / "media")
        migrated = _manage(env, "migrate", "--noinput", "-v0")
        assert migrated.returncode == 0, migrated.stderr[-1000:]
        # One Django start for both: the regions (a subset) and the manager with two tokens.
        regions = _subset_regions(root / "regions")
        load = f"from pathlib import Path; from tpbis.regions.services import regions_load; regions_load(data_dir=Path({str(regions)!r}))"
        made = _manage(env, "shell", "-c", load + "\n" + SETUP)
        assert made.returncode == 0, made.stderr[-1000:]
        library_id, instance.writer, instance.reader = made.stdout.split()[-3:]
        instance.library_id = int(library_id)

        backup = [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-D", str(standby)]
        copied = _run([*RUN_AS, *backup, "-R", "-X", "stream", "-c", "fast"])
        assert copied.returncode == 0, copied.stderr
        started = _start(standby, instance.standby_port, root, "standby")
        assert started.returncode == 0, started.stderr
        assert instance.sql(instance.standby_port, "SELECT pg_is_in_recovery()") == "True"

        http = _free_port()
        replica_url = f"postgres://postgres@127.0.0.1:{instance.standby_port}/tpbis"
        log = (root / "gunicorn.log").open("wb")
        # One worker: an API client's pin lives in the process cache (several workers would share Redis).
        server = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-w", "1", "-b", f"127.0.0.1:{http}"],
            env={**env, "DATABASE_REPLICA_URL": replica_url, "REPLICA_PIN_SECONDS": "30"},
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=log,
        )
        instance.base = f"http://127.0.0.1:{http}"
        _wait_for(instance)
        yield instance
    finally:
        if server is not None:
            server.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown: nothing left to finish
            server.wait(30)
        for data in (standby, primary):
            if data.exists():
                _run([*RUN_AS, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(instance: Pair) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{instance.base}/api/v1/me", headers=_auth(instance.reader), timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise AssertionError(f"gunicorn did not answer within 60 s: {(instance.root / 'gunicorn.log').read_text()[-2000:]}")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _listed(instance: Pair, token: str) -> set[str]:
    response = requests.get(f"{instance.base}{RECORDS}", headers=_auth(token), timeout=20)
    assert response.status_code == 200, response.text[:500]
    return {item["client_id"] for item in response.json()["items"]}


def test_it_reads_from_the_standby_and_shows_a_writer_its_own_record_at_once(pair: Pair) -> None:
    assert _listed(pair, pair.reader) == set()
    pair.sql(pair.standby_port, "SELECT pg_wal_replay_pause()")
    client_id = str(uuid.uuid4())
    body: dict[str, Any] = {
        "library_id": pair.library_id,
        "client_id": client_id,
        "date": time.strftime("%Y-%m-%d"),
        "title": "Pelatihan membuat keripik",
        "activity_field": "Ekonomi",
        "activity_kind": "Pelatihan",
        "audience": "Pelaku UMKM",
        "participants_male": 4,
        "participants_female": 11,
        "photos": [base64.b64encode(jpeg("keripik.jpg").read()).decode()],
        "confirm_duplicate": True,
    }
    created = requests.post(f"{pair.base}{RECORDS}", json=body, headers=_auth(pair.writer), timeout=20)
    assert created.status_code == 201, created.text[:500]
    stored = "SELECT count(*) FROM reports_communityengagement WHERE client_id = %s"
    assert pair.sql(pair.primary_port, stored, client_id) == "1"

    # The phone that wrote is pinned to the primary: its record is in its list at once.
    assert client_id in _listed(pair, pair.writer)
    # A client that wrote nothing reads the standby, whose replay is paused: not there yet.
    assert pair.sql(pair.standby_port, stored, client_id) == "0"
    assert client_id not in _listed(pair, pair.reader)

    pair.sql(pair.standby_port, "SELECT pg_wal_replay_resume()")
    deadline = time.monotonic() + 15
    while client_id not in _listed(pair, pair.reader):
        assert time.monotonic() < deadline, "the standby never replayed the record"
        time.sleep(0.2)
