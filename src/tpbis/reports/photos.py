"""Photo evidence (*foto kegiatan*) for records: validate uploads, re-encode without metadata, store, remove.

Every upload is decoded and written anew as a JPEG of at most MAX_EDGE pixels, so what we store carries
no EXIF, GPS position, ICC profile or anything else the phone put in the original, and never the user's
file name.
"""

from __future__ import annotations

import io
import logging
import math
import os
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pillow_heif
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps

from tpbis.accounts.models import User
from tpbis.libraries.models import Library
from tpbis.reports.models import Photo, StagedPhoto, Status

logger = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_EDGE = 1600
THUMB_EDGE = 320
# Enough for the 48–64 MP sensors of current phones, and below Pillow's own warning threshold (89 M), so
# our check answers first. A JPEG is decoded at a reduced scale (draft), so it never costs this much memory.
MAX_PIXELS = 80_000_000
JPEG_QUALITY = 82
THUMB_QUALITY = 75
# Pillow identifiers of the accepted formats. Only these decoders are ever tried, so a file posing as
# a photo cannot reach rarer, riskier ones (EPS would call Ghostscript, for instance).
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
MAX_NAME_CHARS = 80
# Photos attached to a form that came back are kept this long for the person to send it again.
STAGED_PHOTO_DAYS = 2
# What one person may have waiting across their open forms; past it their oldest make room.
MAX_STAGED_PER_USER = 12
MAX_STAGED_BYTES_PER_USER = 4 * MAX_PHOTO_BYTES

pillow_heif.register_heif_opener()
# A truncated upload must be refused, not half-decoded into a grey-bottomed photo.
ImageFile.LOAD_TRUNCATED_IMAGES = False

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class PreparedPhoto:
    """A validated photo, re-encoded and ready to store; `original_name` is only for messages."""

    image: bytes
    thumbnail: bytes
    width: int
    height: int
    original_name: str


class MediaUnavailable(ValidationError):
    """The media store refused a write: nothing was saved, and sending again later may well succeed."""


class _Refused(Exception):
    """One file cannot be accepted; the message is already translated and names no file."""


def photos_prepare(*, files: Sequence[UploadedFile]) -> list[PreparedPhoto]:
    """Validate and re-encode every file; raise one ValidationError with a message per bad file."""
    prepared: list[PreparedPhoto] = []
    errors: list[str] = []
    for upload in files:
        name = _display_name(upload)
        try:
            prepared.append(_prepare_one(upload, name))
        except _Refused as refusal:
            errors.append(f"{name}: {refusal}")
    if errors:
        raise ValidationError(errors)
    return prepared


def photos_check_count(*, existing: int, adding: int, minimum: int, maximum: int = 3, removing: int = 0) -> None:
    """Refuse a record that would end up with fewer than `minimum` or more than `maximum` photos.

    `existing` counts the photos stored now, `removing` those of them about to be removed.
    """
    total = existing - removing + adding
    if total > maximum:
        raise ValidationError(_("Paling banyak %(max)d foto per laporan.") % {"max": maximum})
    if total < minimum and removing:
        raise ValidationError(
            _("Laporan ini perlu paling sedikit %(min)d foto: jika menghapus foto, tambahkan foto penggantinya.")
            % {"min": minimum}
        )
    if total < minimum:
        raise ValidationError(_("Lampirkan %(min)d–%(max)d foto kegiatan.") % {"min": minimum, "max": maximum})


def photos_save(
    *, record: models.Model, prepared: Sequence[PreparedPhoto], user: User | None, start_position: int = 0
) -> list[Photo]:
    """Store the prepared photos under random names and attach them to `record` from `start_position` on."""
    content_type = ContentType.objects.get_for_model(record)
    saved: list[Photo] = []
    written: list[str] = []
    try:
        with transaction.atomic():
            for offset, item in enumerate(prepared):
                photo = Photo(
                    content_type=content_type,
                    object_id=record.pk,
                    width=item.width,
                    height=item.height,
                    position=start_position + offset,
                    uploaded_by=user,
                )
                stem = uuid.uuid4().hex
                photo.image.save(f"{stem}.jpg", ContentFile(item.image), save=False)
                written.append(photo.image.name)
                photo.thumbnail.save(f"{stem}.jpg", ContentFile(item.thumbnail), save=False)
                written.append(photo.thumbnail.name)
                photo.save()
                saved.append(photo)
    except OSError as error:
        # A full disk or a media store gone away: nothing of this submission is kept, and the person is
        # told it is worth sending again (the record's own transaction rolls back on this error too).
        _delete_files(written)
        raise MediaUnavailable(
            {
                "photos": _(
                    "Foto tidak dapat disimpan karena penyimpanan sedang bermasalah. Laporan belum tersimpan; coba kirim lagi sebentar lagi."
                )
            }
        ) from error
    except BaseException:
        # Files are not transactional: take back what this call wrote so a failed save leaves nothing.
        _delete_files(written)
        raise
    return saved


def photos_stage(
    *, prepared: Sequence[PreparedPhoto], user: User, library: Library, keep: Collection[int] = ()
) -> list[StagedPhoto]:
    """Store photos a form accepted but could not save yet (it came back with an error), for this user.

    Expired ones go first; when the user has more waiting than the caps allow, their oldest go too,
    except those of the form at hand (`keep`).
    """
    staged_photos_purge()
    saved: list[StagedPhoto] = []
    written: list[str] = []
    try:
        with transaction.atomic():
            for item in prepared:
                photo = StagedPhoto(
                    user=user,
                    library=library,
                    width=item.width,
                    height=item.height,
                    size=len(item.image) + len(item.thumbnail),
                )
                stem = uuid.uuid4().hex
                photo.image.save(f"{stem}.jpg", ContentFile(item.image), save=False)
                written.append(photo.image.name)
                photo.thumbnail.save(f"{stem}.jpg", ContentFile(item.thumbnail), save=False)
                written.append(photo.thumbnail.name)
                photo.save()
                saved.append(photo)
    except OSError as error:
        _delete_files(written)
        raise MediaUnavailable(
            {"photos": _("Foto tidak dapat disimpan karena penyimpanan sedang bermasalah. Coba lagi sebentar lagi.")}
        ) from error
    except BaseException:
        _delete_files(written)
        raise
    _evict_over_cap(user, keep={*keep, *(photo.pk for photo in saved)})
    return saved


def staged_photos_owned(*, user: User, library: Library | None, ids: Iterable[str | int]) -> list[StagedPhoto]:
    """The user's own waiting photos for this library among `ids`, in the order given.

    Anybody else's id, another library's, an expired one or garbage is left out: a form can only carry
    back what its own user attached.
    """
    wanted = [int(value) for value in ids if str(value).isdigit()]
    if not wanted or library is None:
        return []
    fresh_since = timezone.now() - timedelta(days=STAGED_PHOTO_DAYS)
    found = {
        photo.pk: photo
        for photo in StagedPhoto.objects.filter(pk__in=wanted, user=user, library=library, created_at__gte=fresh_since)
    }
    return [found[pk] for pk in dict.fromkeys(wanted) if pk in found]


def staged_photos_discard(*, photos: Sequence[StagedPhoto]) -> None:
    """Delete waiting photos the person removed from their form (rows now, files once committed)."""
    names = [name for photo in photos for name in (photo.image.name, photo.thumbnail.name)]
    StagedPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
    transaction.on_commit(lambda: _delete_files(names))


def staged_photos_purge(*, days: int = STAGED_PHOTO_DAYS) -> int:
    """Delete waiting photos older than `days` (forms abandoned); returns how many went."""
    expired = list(StagedPhoto.objects.filter(created_at__lt=timezone.now() - timedelta(days=days))[:500])
    staged_photos_discard(photos=expired)
    return len(expired)


def photos_adopt(
    *, record: models.Model, staged: Sequence[StagedPhoto], user: User | None, start_position: int = 0
) -> list[Photo]:
    """Make waiting photos the record's own: the same stored files, now attached to `record`.

    Runs inside the caller's transaction; a photo taken meanwhile by another save (a second tab) refuses
    the whole save rather than attaching fewer photos than the person saw.
    """
    if not staged:
        return []
    ids = [photo.pk for photo in staged]
    locked = {photo.pk: photo for photo in StagedPhoto.objects.select_for_update().filter(pk__in=ids)}
    if len(locked) != len(ids):
        raise ValidationError({"photos": _("Foto yang dilampirkan tadi sudah tidak tersedia. Lampirkan lagi.")})
    content_type = ContentType.objects.get_for_model(record)
    adopted = [
        Photo(
            content_type=content_type,
            object_id=record.pk,
            image=locked[pk].image.name,
            thumbnail=locked[pk].thumbnail.name,
            width=locked[pk].width,
            height=locked[pk].height,
            position=start_position + offset,
            uploaded_by=user,
        )
        for offset, pk in enumerate(ids)
    ]
    Photo.objects.bulk_create(adopted)
    # The rows go, the files stay: they are the record's photos now.
    StagedPhoto.objects.filter(pk__in=ids).delete()
    return adopted


def _evict_over_cap(user: User, *, keep: Collection[int]) -> None:
    waiting = list(StagedPhoto.objects.filter(user=user).order_by("-created_at", "-pk").values_list("pk", "size"))
    count = total = 0
    evict: list[int] = []
    for pk, size in waiting:
        count, total = count + 1, total + size
        over = count > MAX_STAGED_PER_USER or total > MAX_STAGED_BYTES_PER_USER
        if over and pk not in keep:
            evict.append(pk)
    if evict:
        staged_photos_discard(photos=list(StagedPhoto.objects.filter(pk__in=evict)))


def photos_for(record: models.Model) -> QuerySet[Photo]:
    """The record's photos in the order the manager attached them."""
    content_type = ContentType.objects.get_for_model(record)
    return Photo.objects.filter(content_type=content_type, object_id=record.pk).order_by("position", "pk")


def photo_remove(*, photo: Photo, user: User | None) -> None:
    """Delete a photo of a record that is not verified yet (a manager replacing it while correcting).

    Verified evidence stays. The caller checks the user's right over the record and writes the audit entry.
    """
    record = photo.record
    if record is None or _is_verified(record):
        raise ValidationError(_("Foto pada laporan yang sudah diverifikasi tidak dapat dihapus."))
    _forget([photo])


def photos_remove(*, record: models.Model, photo_ids: Collection[int], user: User | None) -> list[int]:
    """Delete the record's photos with these ids and number the rest 0..n-1 in their order.

    Returns the numbers the removed photos had on the record's page (1 for the first). An id that is not a
    photo of this record refuses the whole removal; so does a verified record. The caller checks the user's
    right over the record and writes the audit entry.
    """
    current = list(photos_for(record))
    wanted = set(photo_ids)
    _check_removable(record, wanted, {photo.pk for photo in current})
    _forget([photo for photo in current if photo.pk in wanted])
    remaining = [photo for photo in current if photo.pk not in wanted]
    moved = []
    for position, photo in enumerate(remaining):
        if photo.position != position:
            photo.position = position
            moved.append(photo)
    Photo.objects.bulk_update(moved, ["position"])
    return [number for number, photo in enumerate(current, start=1) if photo.pk in wanted]


def photos_check_removable(*, record: models.Model, photo_ids: Collection[int]) -> None:
    """Raise what `photos_remove` would refuse, without removing anything."""
    _check_removable(record, set(photo_ids), set(photos_for(record).values_list("pk", flat=True)))


def _check_removable(record: models.Model, wanted: set[int], stored: set[int]) -> None:
    if not wanted:
        return
    if _is_verified(record):
        raise ValidationError({"remove_photos": _("Foto pada laporan yang sudah diverifikasi tidak dapat dihapus.")})
    if not wanted <= stored:
        raise ValidationError({"remove_photos": _("Foto yang dipilih bukan foto laporan ini.")})


def _is_verified(record: models.Model) -> bool:
    return getattr(record, "status", None) == Status.VERIFIED


def _forget(photos: Sequence[Photo]) -> None:
    names = [name for photo in photos for name in (photo.image.name, photo.thumbnail.name)]
    Photo.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
    # Only once the rows are really gone: a rolled-back transaction must still find its files.
    transaction.on_commit(lambda: _delete_files(names))


def _prepare_one(upload: UploadedFile, name: str) -> PreparedPhoto:
    size = upload.size if upload.size is not None else _measure(upload)
    if size > MAX_PHOTO_BYTES:
        raise _Refused(
            _("ukuran %(size)s MB melebihi batas %(limit)d MB.")
            % {
                # Rounded up, so a file just over the limit never reads as exactly the limit.
                "size": number_format(math.ceil(size * 10 / (1024 * 1024)) / 10, decimal_pos=1),
                "limit": MAX_PHOTO_BYTES // (1024 * 1024),
            }
        )
    upload.seek(0)
    try:
        img = Image.open(upload, formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise _Refused(_too_many_pixels(None)) from exc
    except Exception as exc:
        # Only the header has been read here; whatever fails to parse it is not a photo we accept.
        raise _Refused(_("bukan gambar JPEG, PNG, WebP atau HEIC.")) from exc
    with img:
        return _reencode(img, name)


def _reencode(img: ImageFile.ImageFile, name: str) -> PreparedPhoto:
    if img.format not in ACCEPTED_FORMATS:
        raise _Refused(_("bukan gambar JPEG, PNG, WebP atau HEIC."))
    pixels = img.width * img.height
    if pixels > MAX_PIXELS:
        raise _Refused(_too_many_pixels(pixels))
    if img.format == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale when that still covers MAX_EDGE: far less memory and time.
        img.draft(None, (MAX_EDGE, MAX_EDGE))
    try:
        img.load()
    except Exception as exc:
        # Decoders signal damaged data with OSError, SyntaxError, ValueError, EOFError or their own
        # types (pillow_heif); any of them means the same thing to the person uploading.
        raise _Refused(_("file gambar terpotong atau rusak.")) from exc
    icc_profile = img.info.get("icc_profile")
    photo = _upright(img)
    photo = _to_rgb_or_rgba(photo)
    photo.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    photo = _to_srgb(photo, icc_profile)
    flat = _flatten(photo)
    thumb = flat.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    return PreparedPhoto(
        image=_jpeg(flat, JPEG_QUALITY),
        thumbnail=_jpeg(thumb, THUMB_QUALITY),
        width=flat.width,
        height=flat.height,
        original_name=name,
    )


def _upright(img: Image.Image) -> Image.Image:
    # Phones store a portrait photo as landscape pixels plus an orientation tag; the tag goes with the
    # metadata, so it must be applied to the pixels first.
    try:
        return ImageOps.exif_transpose(img) or img
    except Exception:
        # Malformed EXIF should not cost the manager the photo; it is shown as stored.
        return img


def _to_rgb_or_rgba(img: Image.Image) -> Image.Image:
    if img.mode in ("RGB", "RGBA"):
        return img
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        # 16-bit greyscale PNG: scale to 8 bits instead of letting convert() clip everything to white.
        return img.convert("I").point(lambda value: value * (1 / 256)).convert("L").convert("RGB")
    has_alpha = "A" in img.getbands() or "transparency" in img.info
    return img.convert("RGBA" if has_alpha else "RGB")


def _to_srgb(img: Image.Image, icc_profile: Any) -> Image.Image:
    # The profile is dropped with the rest of the metadata; converting first keeps the colours of photos
    # taken in wide gamut (Display P3 on iPhones) from turning dull.
    if not icc_profile or not isinstance(icc_profile, bytes):
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(img, source, _SRGB, outputMode=img.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return img
    return converted or img


def _flatten(img: Image.Image) -> Image.Image:
    # A fresh image carries no `info` at all, and transparent areas become white rather than black.
    flat = Image.new("RGB", img.size, (255, 255, 255))
    flat.paste(img, mask=img.getchannel("A") if img.mode == "RGBA" else None)
    return flat


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # Progressive JPEGs show a rough whole picture early on a slow connection.
    img.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def _too_many_pixels(pixels: int | None) -> str:
    limit = number_format(MAX_PIXELS, force_grouping=True)
    if pixels is None:
        return _("ukuran gambar terlalu besar (lebih dari %(limit)s piksel).") % {"limit": limit}
    return _("ukuran gambar terlalu besar (%(pixels)s piksel, batas %(limit)s piksel).") % {
        "pixels": number_format(pixels, force_grouping=True),
        "limit": limit,
    }


def _measure(upload: UploadedFile) -> int:
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    return size


def _display_name(upload: UploadedFile) -> str:
    name = os.path.basename((upload.name or "").replace("\\", "/"))
    name = "".join(char for char in name if char.isprintable()).strip() or _("(tanpa nama)")
    return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…"


def _delete_files(names: Sequence[str]) -> None:
    for name in names:
        if name:
            try:
                default_storage.delete(name)
            except OSError:
                # The store is failing: leave the stray file rather than hide the error being reported.
                logger.warning("Photo file %s could not be deleted", name, exc_info=True)
