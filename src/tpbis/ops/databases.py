"""The database half of a backup, per vendor: copy out, check emptiness, copy in, count rows.

A target is described by a Django DATABASES entry, not a Django connection, so a restore (and its test)
can aim at a database that Django is not connected to.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

Counts = dict[str, int]
DatabaseSettings = dict[str, Any]


class BackupError(Exception):
    """A backup or restore that must not go on; the message says why, in the user's language."""


def vendor_of(database: DatabaseSettings) -> str:
    engine = str(database["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(_("Jenis basis data %(engine)s tidak didukung.") % {"engine": engine})


# --- SQLite ----------------------------------------------------------------------------------------


def sqlite_dump(connection: BaseDatabaseWrapper, target: Path) -> Counts:
    """Copy the live database page by page with SQLite's online backup API, then count the copy."""
    if connection.in_atomic_block:
        # The backup would wait forever for this connection's own write lock.
        raise BackupError(_("Cadangan SQLite tidak dapat dibuat dari dalam transaksi yang masih terbuka."))
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        return _sqlite_counts(copy)
    finally:
        copy.close()


def sqlite_table_count(database: DatabaseSettings) -> int:
    name = str(database["NAME"])
    if not name.startswith("file:") and not Path(name).exists():
        return 0
    with _sqlite(name) as db:
        return len(_sqlite_tables(db))


def sqlite_restore(source: Path, database: DatabaseSettings) -> Counts:
    with _sqlite(str(source)) as backup, _sqlite(str(database["NAME"])) as target:
        backup.backup(target)
        return _sqlite_counts(target)


@contextmanager
def _sqlite(name: str) -> Iterator[sqlite3.Connection]:
    # "file:..." names are URIs (Django's in-memory test database is one); others are paths.
    db = sqlite3.connect(name, uri=name.startswith("file:"))
    try:
        yield db
    finally:
        db.close()


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [name for (name,) in rows]


def _sqlite_counts(db: sqlite3.Connection) -> Counts:
    counts = {}
    for table in _sqlite_tables(db):
        quoted = '"' + table.replace('"', '""') + '"'
        counts[table] = db.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()[0]  # noqa: S608 (a table name)
    return counts


# --- PostgreSQL ------------------------------------------------------------------------------------

_PG_TABLES = (
    "SELECT schemaname, tablename FROM pg_tables "
    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
)


def pg_connect(database: DatabaseSettings, **options: Any) -> Any:
    import psycopg

    params = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, **options)


def _pg_counts(cursor: Any) -> Counts:
    from psycopg import sql

    counts = {}
    for schema, table in cursor.execute(_PG_TABLES).fetchall():
        query = sql.SQL("SELECT COUNT(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        name = table if schema == "public" else f"{schema}.{table}"
        counts[name] = cursor.execute(query).fetchone()[0]
    return counts


def pg_binary(name: str, database: DatabaseSettings) -> str:
    """pg_dump / pg_restore of the server's major version: an older client refuses a newer server."""
    with pg_connect(database) as db:
        major = db.info.server_version // 10000
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _("Program %(name)s (PostgreSQL %(major)s) tidak ditemukan. Pasang paket klien PostgreSQL.")
            % {"name": name, "major": major}
        )
    return found


def _pg_env(database: DatabaseSettings) -> dict[str, str]:
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _pg_args(database: DatabaseSettings) -> list[str]:
    args = [f"--dbname={database['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            args.append(f"{option}={database[key]}")
    return args


def pg_dump(database: DatabaseSettings, target: Path) -> Counts:
    """pg_dump in custom format from a snapshot whose row counts are taken in the same snapshot."""
    binary = pg_binary("pg_dump", database)
    with pg_connect(database) as db:
        db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = db.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = _pg_counts(db.cursor())
        command = [binary, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
        _run([*command, f"--file={target}", *_pg_args(database)], database)
        db.rollback()
    return counts


def pg_table_count(database: DatabaseSettings) -> int:
    with pg_connect(database) as db:
        return len(db.execute(_PG_TABLES).fetchall())


def pg_restore(source: Path, database: DatabaseSettings) -> Counts:
    binary = pg_binary("pg_restore", database)
    command = [binary, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    _run([*command, *_pg_args(database), str(source)], database)
    with pg_connect(database) as db:
        return _pg_counts(db.cursor())


def _run(command: list[str], database: DatabaseSettings) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=_pg_env(database), check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s gagal: %(error)s") % {"program": Path(command[0]).name, "error": done.stderr.strip()}
        )
