"""Backup and restore: a round trip keeps every row and every media file; a damaged backup changes nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import World
from tpbis.ops import databases
from tpbis.ops.backup import BackupError, backup_create, backup_restore, backup_verify
from tpbis.ops.databases import DatabaseSettings
from tpbis.regions.models import Region
from tpbis.regions.services import regions_load
from tpbis.reports.models import CommunityEngagement, Photo
from tpbis.reports.tests.test_verification import make_engagement

# pg_dump sees only committed rows, and SQLite's backup API waits for a connection's open transaction to
# end: the tests that back up commit (transaction=True), and the module fixture puts back the regions and
# seeded rows that the end-of-test flush removes.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_database_restored")]


@pytest.fixture(scope="module")
def test_database_restored(django_db_setup: None, database_restored: None) -> None:
    """database_restored, taken only once the test database exists (not the configured one)."""


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[DatabaseSettings]:
    """An empty database of the same vendor as the test database, dropped afterwards."""
    source = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        yield {**source, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    from psycopg import sql

    name = f"tpbis_restore_{uuid.uuid4().hex[:8]}"
    admin = {**source, "NAME": "postgres"}
    with databases.pg_connect(admin, autocommit=True) as db:
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield {**source, "NAME": name}
    finally:
        with databases.pg_connect(admin, autocommit=True) as db:
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def regions(db: None) -> None:
    """The regions, loaded again if an earlier transactional test flushed them."""
    if not Region.objects.exists():
        regions_load()


@pytest.fixture
def demo(regions: None, world: World) -> World:
    for days_ago in range(3):  # three activities, each with a photo and its thumbnail in the media store
        make_engagement(world, days_ago=days_ago)
    assert Photo.objects.count() == 3
    return world


def media_sums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.django_db(transaction=True)
def test_it_round_trips_rows_and_media_and_refuses_a_changed_byte(
    demo: World, tmp_path: Path, scratch: DatabaseSettings
) -> None:
    backup = tmp_path / "cadangan"
    manifest = backup_create(directory=backup, storage=default_storage)
    assert manifest.tables["reports_communityengagement"] == CommunityEngagement.objects.count() == 3
    assert manifest.tables["regions_region"] > 90_000
    assert len(manifest.media_files) == 6  # photo and thumbnail of each activity
    assert manifest.migrations["reports"]
    restored_media = tmp_path / "media-baru"
    target = FileSystemStorage(location=restored_media)

    damaged = tmp_path / "cadangan-rusak"
    shutil.copytree(backup, damaged)
    photo = damaged / manifest.media_files[0]
    data = bytearray(photo.read_bytes())
    data[len(data) // 2] ^= 0x01
    photo.write_bytes(bytes(data))
    with pytest.raises(BackupError) as caught:
        backup_restore(directory=damaged, database=scratch, storage=target)
    assert f"Berkas {manifest.media_files[0]} rusak" in str(caught.value)
    assert _tables(scratch) == 0
    assert not restored_media.exists()

    counts = backup_restore(directory=backup, database=scratch, storage=target)
    assert counts == manifest.tables
    assert counts["reports_photo"] == 3
    assert media_sums(restored_media) == media_sums(Path(default_storage.location))  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_changed_manifest(tmp_path: Path, scratch: DatabaseSettings) -> None:
    backup = tmp_path / "cadangan"
    backup_create(directory=backup, storage=default_storage)
    text = (backup / "manifest.json").read_text()
    (backup / "manifest.json").write_text(text.replace('"format": 1', '"format": 2'))
    with pytest.raises(BackupError, match=r"manifest\.json rusak"):
        backup_verify(directory=backup, database=scratch, storage=FileSystemStorage(location=tmp_path / "m"))


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_backup_of_another_vendor_or_a_newer_schema(tmp_path: Path, scratch: DatabaseSettings) -> None:
    backup = tmp_path / "cadangan"
    backup_create(directory=backup, storage=default_storage)
    _rewrite_manifest(backup, vendor="oracle", migrations={"reports": "9999_dari_masa_depan"})
    with pytest.raises(BackupError) as caught:
        backup_verify(directory=backup, database=scratch, storage=FileSystemStorage(location=tmp_path / "m"))
    message = str(caught.value)
    assert "Cadangan ini dari basis data oracle" in message
    assert "versi sistem yang lebih baru (migrasi reports.9999_dari_masa_depan" in message


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_restore_into_a_database_that_is_not_empty(tmp_path: Path) -> None:
    backup = tmp_path / "cadangan"
    backup_create(directory=backup, storage=default_storage)
    with pytest.raises(BackupError, match="Basis data tujuan tidak kosong"):
        backup_verify(
            directory=backup,
            database=dict(connection.settings_dict),
            storage=FileSystemStorage(location=tmp_path / "m"),
        )


def test_it_refuses_to_write_a_backup_into_a_folder_in_use(db: None, tmp_path: Path) -> None:
    (tmp_path / "lama.txt").write_text("isi")
    with pytest.raises(CommandError, match="tidak kosong"):
        call_command("backup", str(tmp_path))


def test_it_refuses_a_folder_that_is_not_a_backup_in_the_command(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="bukan folder cadangan"):
        call_command("restore", str(tmp_path))


def _tables(database: DatabaseSettings) -> int:
    if databases.vendor_of(database) == "sqlite":
        return databases.sqlite_table_count(database)
    return databases.pg_table_count(database)


def _rewrite_manifest(backup: Path, **changes: Any) -> None:
    """Change the manifest and its checksum together, as a backup of another system would be."""
    data = json.loads((backup / "manifest.json").read_text())
    data.update(changes)
    text = json.dumps(data).encode()
    (backup / "manifest.json").write_bytes(text)
    (backup / "manifest.sha256").write_text(hashlib.sha256(text).hexdigest())
