"""Background work on the database task queue (`db_worker`): hashing a photo once it is stored."""

from __future__ import annotations

from django_tasks import task

from tpbis.duplicates.detection import photos_scan
from tpbis.duplicates.hashing import photo_hash_compute
from tpbis.reports.models import Photo


@task()
def photo_hash_task(photo_id: int) -> str | None:
    """Hash a newly stored photo and propose the activities that already show the same picture."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:
        return None  # removed before the worker reached it
    row = photo_hash_compute(photo=photo)
    if row is None:
        return None
    photos_scan(hashes={row.dhash})
    return row.dhash
