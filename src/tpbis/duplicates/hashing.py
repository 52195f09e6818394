"""Perceptual hashes of stored photos: the same picture uploaded twice (re-sized, re-compressed) gets
the same 64-bit difference hash (dHash), while different pictures almost never do.

dHash is computed with Pillow, which the project already has, exactly as the `imagehash` library's
`dhash()` does (grey, 9×8 Lanczos resize, one bit per left<right neighbour, row by row, most significant
bit first). `imagehash` itself would bring numpy, scipy and PyWavelets (about 150 MB installed) for
these few lines.
"""

from __future__ import annotations

import itertools
import logging
from typing import IO

from django.db import IntegrityError, transaction
from PIL import Image

from tpbis.duplicates.models import PhotoHash
from tpbis.reports.models import Photo

logger = logging.getLogger(__name__)

HASH_SIZE = 8
# A flat picture (all one colour) hashes to zero: every blank photo would match every other one.
DEGENERATE_HASHES = frozenset({"0" * 16})


def dhash_of(image: Image.Image) -> str:
    """The 64-bit difference hash of a picture as 16 hex digits (imagehash's `str(dhash(image))`)."""
    small = image.convert("L").resize((HASH_SIZE + 1, HASH_SIZE), Image.Resampling.LANCZOS)
    pixels = list(small.getdata())
    value = 0
    for row in range(HASH_SIZE):
        line = pixels[row * (HASH_SIZE + 1) : (row + 1) * (HASH_SIZE + 1)]
        for left, right in itertools.pairwise(line):
            value = (value << 1) | (1 if right > left else 0)
    return f"{value:016x}"


def dhash_of_file(file: IO[bytes]) -> str:
    with Image.open(file) as image:
        return dhash_of(image)


def photo_hash_compute(*, photo: Photo) -> PhotoHash | None:
    """Hash the photo's stored thumbnail (same picture as the photo, a fiftieth of the pixels to decode)
    and keep it beside the photo; None when the file cannot be read (it is retried by the backfill)."""
    stored = photo.thumbnail if photo.thumbnail else photo.image
    try:
        with stored.open("rb") as file:
            value = dhash_of_file(file)
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("photo %s could not be hashed", photo.pk, exc_info=True)
        return None
    library_id = getattr(photo.record, "library_id", None) if photo.record is not None else None
    fields = {
        "dhash": value,
        "content_type_id": photo.content_type_id,
        "object_id": photo.object_id,
        "library_id": library_id,
    }
    try:
        with transaction.atomic():
            row, _created = PhotoHash.objects.update_or_create(photo_id=photo.pk, defaults=fields)
    except IntegrityError:
        # The photo was removed while it was being hashed.
        return None
    return row
