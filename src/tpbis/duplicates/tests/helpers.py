"""Activities with photos, made the way the entry form stores them."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image, ImageDraw

from tpbis.libraries.models import Library
from tpbis.reports.models import CommunityEngagement, Status
from tpbis.reports.photos import photos_prepare, photos_save

DAY = dt.date(2026, 11, 14)


def picture(seed: int, size: tuple[int, int] = (1200, 900)) -> bytes:
    """A JPEG with shapes placed by `seed`: the same seed is the same picture."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse([x, y, x + rng.randrange(40, 400), y + rng.randrange(40, 400)], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def upload(seed: int, size: tuple[int, int] = (1200, 900)) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"foto-{seed}.jpg", picture(seed, size), content_type="image/jpeg")


def hash_photos() -> None:
    """What the background task does for each stored photo, for every photo at once."""
    call_command("duplicates_hash_photos", stdout=io.StringIO())


def activity(
    library: Library,
    title: str = "Pelatihan komputer untuk ibu-ibu PKK",
    *,
    date: dt.date = DAY,
    photos: tuple[int, ...] = (),
    status: str = Status.SUBMITTED,
    **extra: Any,
) -> CommunityEngagement:
    record = CommunityEngagement.objects.create(
        library=library,
        date=date,
        title=title,
        activity_field="Inklusi Digital",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=20,
        status=status,
        **extra,
    )
    if photos:
        photos_save(record=record, prepared=photos_prepare(files=[upload(seed) for seed in photos]), user=None)
    return record
