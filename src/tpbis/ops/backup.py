"""Backups (*cadangan*) of the database and the media files, and their restore into an empty system.

A backup is a folder: the database (`database.dump` from pg_dump, or `database.sqlite3` from SQLite's
online backup API), `media/` (every file of the default storage), `manifest.json` (format, time, vendor,
latest applied migration per app, row count per table, size and SHA-256 of every file) and
`manifest.sha256`. A restore checks all of it before it touches anything, and writes only into an empty
database: restoring over live data would mix two histories.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from tpbis.ops import databases
from tpbis.ops.databases import BackupError, Counts, DatabaseSettings

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
_CHUNK = 1024 * 1024

__all__ = ["BackupError", "Manifest", "backup_create", "backup_restore", "backup_verify"]


@dataclass(frozen=True)
class Manifest:
    created_at: str
    vendor: str
    migrations: dict[str, str]
    tables: Counts
    files: dict[str, dict[str, Any]]

    @property
    def media_files(self) -> list[str]:
        return sorted(name for name in self.files if name.startswith(MEDIA + "/"))

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "created_at": self.created_at,
            "vendor": self.vendor,
            "migrations": self.migrations,
            "tables": self.tables,
            "files": self.files,
        }


def backup_create(*, directory: Path, storage: Storage, alias: str = "default") -> Manifest:
    """Write a backup of database `alias` and of `storage` into `directory` (new or empty)."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(_("Folder %(dir)s tidak kosong. Pilih folder baru untuk cadangan.") % {"dir": directory})
    directory.mkdir(parents=True, exist_ok=True)
    connection = connections[alias]
    vendor = databases.vendor_of(connection.settings_dict)
    database_file = directory / DATABASE_FILES[vendor]
    migrations = _applied_migrations(alias)
    if vendor == "sqlite":
        tables = databases.sqlite_dump(connection, database_file)
    else:
        tables = databases.pg_dump(connection.settings_dict, database_file)
    files = {database_file.name: _describe(database_file)}
    for name in _storage_files(storage, ""):
        target = directory / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, _CHUNK)
        files[f"{MEDIA}/{name}"] = _describe(target)
    manifest = Manifest(
        created_at=timezone.now().isoformat(), vendor=vendor, migrations=migrations, tables=tables, files=files
    )
    text = json.dumps(manifest.as_json(), indent=2, sort_keys=True).encode()
    (directory / MANIFEST).write_bytes(text)
    (directory / MANIFEST_SUM).write_text(hashlib.sha256(text).hexdigest() + "\n")
    return manifest


def backup_verify(*, directory: Path, database: DatabaseSettings, storage: Storage) -> Manifest:
    """Every check a restore needs, touching nothing; BackupError lists every problem found."""
    manifest = _manifest_read(directory)
    problems = [_file_problem(directory, name, facts) for name, facts in sorted(manifest.files.items())]
    vendor = databases.vendor_of(database)
    if manifest.vendor != vendor:
        problems.append(
            _("Cadangan ini dari basis data %(backup)s, sedangkan sistem ini memakai %(here)s.")
            % {"backup": manifest.vendor, "here": vendor}
        )
    if DATABASE_FILES.get(manifest.vendor) not in manifest.files:
        problems.append(_("Berkas basis data tidak tercantum di manifest."))
    problems.extend(_schema_problems(manifest))
    problems.extend(_storage_problems(manifest, directory, storage))
    tables = _table_count(database, vendor) if manifest.vendor == vendor else 0
    if tables:
        problems.append(
            _(
                "Basis data tujuan tidak kosong (%(n)s tabel). Pemulihan hanya ke basis data kosong: buat basis "
                "data baru (PostgreSQL) atau pakai berkas SQLite baru, tanpa menjalankan migrate, lalu ulangi."
            )
            % {"n": tables}
        )
    problems = [p for p in problems if p]
    if problems:
        raise BackupError("\n".join(problems))
    return manifest


def backup_restore(*, directory: Path, database: DatabaseSettings, storage: Storage) -> Counts:
    """Verify the backup, then restore the database and the media files; return the restored row counts."""
    manifest = backup_verify(directory=directory, database=database, storage=storage)
    source = directory / DATABASE_FILES[manifest.vendor]
    if manifest.vendor == "sqlite":
        counts = databases.sqlite_restore(source, database)
    else:
        counts = databases.pg_restore(source, database)
    for name in manifest.media_files:
        stored_name = name[len(MEDIA) + 1 :]
        if storage.exists(stored_name):
            continue  # the same bytes are already there (checked by backup_verify)
        with (directory / name).open("rb") as file:
            saved = storage.save(stored_name, File(file))
        if saved != stored_name:
            raise BackupError(
                _("Berkas %(name)s tersimpan dengan nama lain (%(saved)s).") % {"name": name, "saved": saved}
            )
    if counts != manifest.tables:
        different = sorted(t for t in set(counts) | set(manifest.tables) if counts.get(t) != manifest.tables.get(t))
        raise BackupError(
            _("Jumlah baris setelah pemulihan berbeda dengan manifest pada tabel: %(tables)s.")
            % {"tables": ", ".join(different)}
        )
    return counts


# --- reading and checking ------------------------------------------------------------------------


def _manifest_read(directory: Path) -> Manifest:
    manifest_path, sum_path = directory / MANIFEST, directory / MANIFEST_SUM
    if not manifest_path.is_file() or not sum_path.is_file():
        raise BackupError(_("%(dir)s bukan folder cadangan: manifest.json tidak ada.") % {"dir": directory})
    text = manifest_path.read_bytes()
    if hashlib.sha256(text).hexdigest() != sum_path.read_text().strip():
        raise BackupError(_("manifest.json rusak atau diubah (checksum tidak cocok)."))
    try:
        data = json.loads(text)
    except ValueError as error:
        raise BackupError(_("manifest.json tidak dapat dibaca.")) from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(
            _("Format cadangan %(format)s tidak dikenal (sistem ini membaca format %(ours)s).")
            % {"format": data.get("format") if isinstance(data, dict) else "?", "ours": FORMAT}
        )
    try:
        return Manifest(
            created_at=str(data["created_at"]),
            vendor=str(data["vendor"]),
            migrations={str(k): str(v) for k, v in data["migrations"].items()},
            tables={str(k): int(v) for k, v in data["tables"].items()},
            files={str(k): dict(v) for k, v in data["files"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise BackupError(_("manifest.json tidak lengkap.")) from error


def _file_problem(directory: Path, name: str, facts: dict[str, Any]) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        return _("Nama berkas tidak sah di manifest: %(name)s.") % {"name": name}
    local = directory / name
    if not local.is_file():
        return _("Berkas %(name)s hilang dari cadangan.") % {"name": name}
    if _describe(local) != {"sha256": facts.get("sha256"), "size": facts.get("size")}:
        return _("Berkas %(name)s rusak (ukuran atau checksum SHA-256 tidak cocok).") % {"name": name}
    return ""


def _schema_problems(manifest: Manifest) -> list[str]:
    """A backup whose latest migration this code does not know comes from a newer version of the system."""
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return [
        _(
            "Cadangan ini dibuat oleh versi sistem yang lebih baru (migrasi %(app)s.%(name)s tidak dikenal). "
            "Pasang versi yang sama atau lebih baru, lalu ulangi."
        )
        % {"app": app, "name": name}
        for app, name in sorted(manifest.migrations.items())
        if (app, name) not in known
    ]


def _storage_problems(manifest: Manifest, directory: Path, storage: Storage) -> list[str]:
    problems = []
    for name in manifest.media_files:
        stored_name = name[len(MEDIA) + 1 :]
        if storage.exists(stored_name) and _storage_sha256(storage, stored_name) != manifest.files[name].get("sha256"):
            problems.append(
                _("Berkas media %(name)s sudah ada dengan isi lain; pemulihan tidak menimpanya.")
                % {"name": stored_name}
            )
    return problems


def _table_count(database: DatabaseSettings, vendor: str) -> int:
    if vendor == "sqlite":
        return databases.sqlite_table_count(database)
    return databases.pg_table_count(database)


# --- helpers -------------------------------------------------------------------------------------


def _applied_migrations(alias: str) -> dict[str, str]:
    """The latest applied migration of each app (names start with their number, so the largest is last)."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _storage_files(storage: Storage, folder: str) -> list[str]:
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return []
    prefix = f"{folder}/" if folder else ""
    found = [prefix + name for name in names]
    for sub in folders:
        found.extend(_storage_files(storage, prefix + sub))
    return sorted(found)


def _describe(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(_CHUNK), b""):
            digest.update(chunk)
    return {"sha256": digest.hexdigest(), "size": path.stat().st_size}


def _storage_sha256(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as file:
        for chunk in iter(lambda: file.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
