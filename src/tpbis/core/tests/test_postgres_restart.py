"""PostgreSQL restarted under load: clean 503s during the outage, recovery after it, no partial record.

A private PostgreSQL (initdb + pg_ctl on a spare port, never the machine's own server) serves a gunicorn
running the app. A manager's phone sends records with two photos each through the API while the
database is restarted. Every answer is a 201 or a clean 503 (JSON, no traceback, no hang); the app
answers 201 again after the restart; every acknowledged record is stored, and no stored record lacks
one of its photos.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from tpbis.libraries.tests.test_import_killed import _subset_regions
from tpbis.reports.tests.test_entry import jpeg

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
RUN_AS = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
TIMEOUT = 20  # per request: a hang fails the test
SENDING = 12  # seconds of submissions: the database stops after 3 and is back after 5

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL server binaries not found under /usr/lib/postgresql"),
    pytest.mark.skipif(shutil.which("runuser") is None and os.geteuid() == 0, reason="runuser is needed as root"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, **kwargs)  # type: ignore[call-overload]  # noqa: S603


@dataclass
class Private:
    """A private PostgreSQL instance and the app served from it."""

    data: Path
    port: int
    url: str
    base: str
    token: str
    library_id: int
    options: str = ""

    def pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run([*RUN_AS, str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args])

    def start(self) -> subprocess.CompletedProcess[str]:
        # The server's output goes to a log: a server holding our pipe open would keep run() waiting.
        return self.pg_ctl("-o", self.options, "-l", str(self.data.parent / "postgres.log"), "-w", "start")


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "manage.py", *args], env=env, cwd=settings.BASE_DIR)


SETUP = """
from tpbis.accounts.models import Membership, Role, User
from tpbis.api.tokens import token_create
from tpbis.libraries.models import Library, LibraryKind, Support
library = Library.objects.create(name="Perpustakaan Desa Sembung", kind=LibraryKind.VILLAGE, region_id="35.24.01.2001",
                                 support=Support.FULL, cohort_year=2022)
user = User.objects.create_user("sembung@example.id", "rahasia-uji-123", full_name="Sembung")
Membership.objects.create(user=user, role=Role.MANAGER, library=library)
print(library.pk, token_create(user=user, name="hp", read_only=False)[1])
"""


@pytest.fixture(scope="module")
def private() -> Iterator[Private]:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of the tests (DATABASE_URL=postgres://…)")
    assert PG_BIN is not None
    root = Path(tempfile.mkdtemp(prefix="tpbis-pg-restart-"))
    data, port = root / "data", _free_port()
    root.chmod(0o777)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        initdb = _run([*RUN_AS, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"])
        if initdb.returncode:
            pytest.skip(f"initdb failed: {initdb.stderr[-500:]}")
        url = f"postgres://postgres@127.0.0.1:{port}/tpbis"
        instance = Private(data, port, url, "", "", 0)
        instance.options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        started = instance.start()
        assert started.returncode == 0, started.stderr
        created = _run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "tpbis"])
        assert created.returncode == 0, created.stderr
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_ALLOW_INSECURE_KEY": "1", "DEBUG": "0"}
        env.pop("SECRET_KEY", None)
        env["MEDIA_ROOT"] = str(root / "media")
        assert _manage(env, "migrate", "--noinput", "-v0").returncode == 0
        regions = _subset_regions(root / "regions")
        loaded = _manage(
            env,
            "shell",
            "-c",
            f"from pathlib import Path; from tpbis.regions.services import regions_load; regions_load(data_dir=Path({str(regions)!r}))",
        )
        assert loaded.returncode == 0, loaded.stderr[-1000:]
        made = _manage(env, "shell", "-c", SETUP)
        assert made.returncode == 0, made.stderr[-1000:]
        library_id, token = made.stdout.split()[-2:]
        http = _free_port()
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        log = (root / "gunicorn.log").open("wb")
        processes.append(
            subprocess.Popen(  # noqa: S603
                [gunicorn, "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{http}", "--timeout", "60"],
                env={**env, "DB_CONN_MAX_AGE": "60"},
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=log,
            )
        )
        instance.base, instance.token, instance.library_id = f"http://127.0.0.1:{http}", token, int(library_id)
        _wait_for(instance)
        yield instance
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
        if data.exists():
            _run([*RUN_AS, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(instance: Private) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{instance.base}/api/v1/me", headers=_auth(instance), timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not answer within 60 s")


def _auth(instance: Private) -> dict[str, str]:
    return {"Authorization": f"Bearer {instance.token}"}


def _photo_count_by_client_id(instance: Private) -> dict[str, int]:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=instance.port, user="postgres", dbname="tpbis") as db:
        rows = db.execute(
            """
            SELECT r.client_id::text, count(p.id) FROM reports_communityengagement r
            LEFT JOIN reports_photo p ON p.object_id = r.id AND p.content_type_id = (
                SELECT id FROM django_content_type WHERE app_label = 'reports' AND model = 'communityengagement')
            GROUP BY r.client_id
            """
        ).fetchall()
    return {client_id: int(count) for client_id, count in rows}


def test_it_answers_503_during_a_restart_and_recovers_without_a_partial_record(private: Private) -> None:
    photos = [base64.b64encode(jpeg(f"foto{i}.jpg").read()).decode() for i in range(2)]
    answers: list[tuple[str, int, str]] = []
    restarted: list[subprocess.CompletedProcess[str]] = []

    def restart() -> None:
        # Stopped for two seconds, as a restart for an upgrade or a crash recovery would be.
        time.sleep(3)
        restarted.append(private.pg_ctl("-m", "fast", "-w", "stop"))
        time.sleep(2)
        restarted.append(private.start())

    restarter = threading.Thread(target=restart)
    restarter.start()
    until = time.monotonic() + SENDING
    while time.monotonic() < until:
        client_id = str(uuid.uuid4())
        body = {
            "library_id": private.library_id,
            "client_id": client_id,
            "date": time.strftime("%Y-%m-%d"),
            "title": f"Kegiatan {len(answers)}",
            "activity_field": "Ekonomi",
            "activity_kind": "Pelatihan",
            "audience": "Pelaku UMKM",
            "participants_male": 4,
            "participants_female": 11,
            "photos": photos,
            "confirm_duplicate": True,
        }
        response = requests.post(
            f"{private.base}/api/v1/records/pelibatan", json=body, headers=_auth(private), timeout=TIMEOUT
        )
        answers.append((client_id, response.status_code, response.text))
    restarter.join(60)

    assert len(restarted) == 2 and all(step.returncode == 0 for step in restarted), restarted
    statuses = [status for _, status, _ in answers]
    assert set(statuses) <= {201, 503}, f"answers other than 201/503: {statuses}"
    assert 503 in statuses, "no request met the outage: the restart was too quick to observe"
    for _, status, text in answers:
        assert "Traceback" not in text
        if status == 503:
            assert json.loads(text)["message"].startswith("Layanan sedang gangguan")
    last_outage = max(i for i, status in enumerate(statuses) if status == 503)
    assert statuses[last_outage + 1 :], "no request after the outage"
    assert all(status == 201 for status in statuses[last_outage + 1 :]), f"did not recover: {statuses}"

    stored = _photo_count_by_client_id(private)
    acknowledged = {client_id for client_id, status, _ in answers if status == 201}
    assert acknowledged <= set(stored), "an acknowledged record is missing"
    assert all(count == 2 for count in stored.values()), f"a record without all its photos: {stored}"
