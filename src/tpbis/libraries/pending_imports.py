"""Uploaded import files waiting between their preview and their apply step (*pratinjau impor*).

A file waits in storage under `imports/<user id>/<token>`; it is deleted when applied or, never applied,
once older than `IMPORT_PENDING_HOURS` (by `manage.py imports_cleanup` and by every new preview).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

ROOT = "imports"
_TOKEN = re.compile(r"^[0-9a-f]{32}\.(csv|txt|tsv|xlsx|xlsm)$")


def pending_import_max_age() -> timedelta:
    return timedelta(hours=settings.IMPORT_PENDING_HOURS)


def pending_import_save(*, user_id: int, content: bytes, filename: str) -> str:
    """Store the upload for its apply step; the token names it for this user only."""
    extension = filename[filename.rfind(".") :].lower()
    token = uuid.uuid4().hex + extension
    default_storage.save(f"{ROOT}/{user_id}/{token}", ContentFile(content))
    return token


def pending_import_read(*, user_id: int, token: str) -> bytes | None:
    """The stored upload of this user for `token`; None when malformed, someone else's, gone or expired."""
    if not _TOKEN.match(token):
        return None
    path = f"{ROOT}/{user_id}/{token}"
    try:
        if _expired(path, timezone.now()):
            default_storage.delete(path)
            return None
        with default_storage.open(path, "rb") as stored:
            content: bytes = stored.read()
    except FileNotFoundError:  # never stored, already applied, or removed by a cleanup meanwhile
        return None
    return content


def pending_import_delete(*, user_id: int, token: str) -> None:
    if _TOKEN.match(token):
        default_storage.delete(f"{ROOT}/{user_id}/{token}")


def pending_imports_cleanup(*, now: datetime | None = None) -> int:
    """Delete every stored upload older than the limit; return how many were deleted."""
    now = now or timezone.now()
    try:
        user_dirs, _files = default_storage.listdir(ROOT)
    except FileNotFoundError:
        return 0
    removed = 0
    for user_dir in user_dirs:
        try:
            _dirs, names = default_storage.listdir(f"{ROOT}/{user_dir}")
        except FileNotFoundError:
            continue
        for name in names:
            path = f"{ROOT}/{user_dir}/{name}"
            try:
                if _expired(path, now):
                    default_storage.delete(path)
                    removed += 1
            except FileNotFoundError:  # applied by its owner while we looked
                continue
    return removed


def _expired(path: str, now: datetime) -> bool:
    return default_storage.get_modified_time(path) < now - pending_import_max_age()
