"""A server killed in the middle of a partner import leaves all of it or nothing, never a part.

`manage.py import_libraries` runs in a subprocess against a scratch database of the run's own kind (a
file for SQLite, a database beside the test database for PostgreSQL), is killed with SIGKILL once it
is writing, and the partner count must be what it was; the same import run again must then complete.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.fault

ROWS = 4000
VILLAGE = "35.24.01.2001"
REGENCY = "35.24"
DEADLINE = 60  # seconds for any one step; the whole test stays well under two minutes


def _subset_regions(target: Path) -> Path:
    """Kabupaten Lamongan only (one province, one regency, its districts and villages): seconds, not minutes."""
    source = Path(settings.BASE_DIR) / "data" / "regions"
    keep = {
        "provinces.csv.gz": lambda row: row["code"] == REGENCY[:2],
        "regencies.csv.gz": lambda row: row["code"] == REGENCY,
        "districts.csv.gz": lambda row: row["regency_code"] == REGENCY,
        "villages.csv.gz": lambda row: row["district_code"].startswith(REGENCY + "."),
    }
    target.mkdir()
    for name, wanted in keep.items():
        with gzip.open(source / name, "rt", encoding="utf-8", newline="") as raw:
            reader = csv.DictReader(raw)
            rows = [row for row in reader if wanted(row)]
            fields = reader.fieldnames or []
        with gzip.open(target / name, "wt", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    return target


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=DEADLINE * 2,
        check=False,
    )


class Scratch:
    """A committed database the subprocess writes to and this test reads, outside the test's transaction."""

    def __init__(self, url: str, count: Callable[[], int], writing: Callable[[], bool]) -> None:
        self.url, self.count, self.writing = url, count, writing
        self.env = {**os.environ, "DATABASE_URL": url, "DJANGO_ALLOW_INSECURE_KEY": "1", "DEBUG": "0"}


def _sqlite_scratch(path: Path) -> Scratch:
    def count() -> int:
        with sqlite3.connect(path, timeout=DEADLINE) as db:
            return int(db.execute("SELECT count(*) FROM libraries_library").fetchone()[0])

    def writing() -> bool:
        # The import holds SQLite's one write lock from the start of its transaction to the end.
        db = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            db.close()

    return Scratch(f"sqlite:///{path}", count, writing)


def _postgres_scratch(name: str) -> Iterator[Scratch]:
    import psycopg

    params = connection.get_connection_params()
    admin = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    auth = f"{admin.get('user', 'postgres')}:{admin.get('password') or ''}@"
    url = f"postgres://{auth}{admin.get('host') or '127.0.0.1'}:{admin.get('port') or 5432}/{name}"

    def count() -> int:
        with psycopg.connect(dbname=name, **admin) as db:
            row = db.execute("SELECT count(*) FROM libraries_library").fetchone()
            return int(row[0]) if row else 0

    def writing() -> bool:
        # A backend gets a transaction id with its first write: the import has started writing.
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as db:
            row = db.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL", [name]
            ).fetchone()
            return bool(row and row[0])

    yield Scratch(url, count, writing)
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scratch]:
    """Migrated, with Lamongan's regions: built once for the module, on the run's own database engine."""
    tmp = tmp_path_factory.mktemp("killed-import")
    if connection.vendor == "postgresql":
        made: Iterator[Scratch] = _postgres_scratch(f"{connection.settings_dict['NAME']}_killed_import")
    else:
        made = iter([_sqlite_scratch(tmp / "scratch.sqlite3")])
    db = next(made)
    migrated = _manage(db.env, "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    regions = _subset_regions(tmp / "regions")
    code = f"from pathlib import Path; from tpbis.regions.services import regions_load; regions_load(data_dir=Path({str(regions)!r}))"
    loaded = _manage(db.env, "shell", "-c", code)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    yield db
    next(made, None)


def _partner_file(path: Path) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["nama", "jenis", "dukungan", "tahun", "kode_wilayah"])
    for number in range(ROWS):
        writer.writerow([f"Perpustakaan Uji Putus {number:05d}", "desa_kelurahan", "full_support", "2022", VILLAGE])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_it_leaves_all_or_nothing_when_the_import_is_killed(scratch: Scratch, tmp_path: Path) -> None:
    partners = _partner_file(tmp_path / "mitra.csv")
    before = scratch.count()
    command = [sys.executable, "manage.py", "import_libraries", str(partners)]
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)
        command, env=scratch.env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + DEADLINE
    while not scratch.writing() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # well inside the writing, not at its first statement
    process.send_signal(signal.SIGKILL)
    process.wait(DEADLINE)
    assert process.returncode == -signal.SIGKILL, "the import ended before it could be killed: make the file larger"

    after = scratch.count()
    assert after in (before, before + ROWS), f"{after - before} of {ROWS} partners saved by a killed import"

    rerun = _manage(scratch.env, "import_libraries", str(partners))
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert scratch.count() == before + ROWS
