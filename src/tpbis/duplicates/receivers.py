"""How writes in the lower apps reach the duplicate scan, connected from DuplicatesConfig.ready():
a stored photo is hashed by a background task, which also looks for the same photo on other activities
(the same day at two libraries: one activity entered twice); a saved library is checked against its
village once the change is committed. Entering a record costs nothing more: an activity without a
photo in common is never proposed."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from tpbis.libraries.models import Library
from tpbis.reports.models import Photo

logger = logging.getLogger(__name__)


def _photo_saved(sender: Any, instance: Photo, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:
        return
    photo_id = instance.pk

    def enqueue() -> None:
        from tpbis.duplicates.tasks import photo_hash_task

        try:
            photo_hash_task.enqueue(photo_id)
        except Exception:  # the photo is stored; the backfill command hashes what the queue missed
            logger.exception("hashing of photo %s could not be queued", photo_id)

    transaction.on_commit(enqueue)


def _library_saved(sender: Any, instance: Library, raw: bool = False, **kwargs: Any) -> None:
    if raw or not instance.is_active:
        return
    region = instance.region_id

    def run() -> None:
        from tpbis.duplicates.detection import libraries_scan

        try:
            libraries_scan(region_codes={region})
        except Exception:
            logger.exception("duplicate scan of libraries in %s failed", region)

    transaction.on_commit(run)


def connect() -> None:
    post_save.connect(_photo_saved, sender=Photo, dispatch_uid="duplicates_photo_hash")
    post_save.connect(_library_saved, sender=Library, dispatch_uid="duplicates_library_scan")
