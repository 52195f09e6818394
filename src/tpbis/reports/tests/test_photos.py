"""Photo evidence: what is accepted, what is stored (and what is not), and who may see it."""

from __future__ import annotations

import datetime
import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pillow_heif
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from tpbis.reports.models import CommunityEngagement, Photo, Status
from tpbis.reports.photos import (
    MAX_EDGE,
    MAX_PHOTO_BYTES,
    THUMB_EDGE,
    photo_remove,
    photos_check_count,
    photos_for,
    photos_prepare,
    photos_save,
)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


@pytest.fixture
def record(world: Any) -> CommunityEngagement:
    return CommunityEngagement.objects.create(
        library=world.lamongan_village,
        date=datetime.date(2025, 3, 14),
        title="Pelatihan membuat keripik singkong",
        activity_field="Pendidikan",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=10,
    )


def photo_bytes(size: tuple[int, int] = (800, 600), fmt: str = "JPEG", mode: str = "RGB", **save: Any) -> bytes:
    img = Image.new(mode, size, "#3a7d44" if mode != "RGBA" else (58, 125, 68, 255))
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def noisy_jpeg(size: tuple[int, int] = (800, 600)) -> bytes:
    # Noise compresses badly, so the file has real scan data to cut in half.
    img = Image.merge("RGB", [Image.effect_noise(size, 60).convert("L") for _ in range(3)])
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Xiaomi"
    exif[ExifTags.Base.Model] = "Redmi 12C"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (7.0, 7.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (112.0, 25.0, 1.0)
    return exif


def png_of_size(width: int, height: int) -> bytes:
    """A valid one-bit PNG of any dimensions, built row by row so it never exists in memory decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + (width + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(files: list[SimpleUploadedFile]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        photos_prepare(files=files)
    return info.value.messages


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_it_strips_exif_and_gps_and_downscales(db: None) -> None:
    data = photo_bytes((4000, 3000), exif=exif_with_gps(), xmp=b"<x:xmpmeta>Desa Sembung</x:xmpmeta>")
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo) and "xmp" in source.info  # the source carries both

    [prepared] = photos_prepare(files=[upload("IMG_20250314.jpg", data)])

    for blob, edge in ((prepared.image, MAX_EDGE), (prepared.thumbnail, THUMB_EDGE)):
        stored = Image.open(io.BytesIO(blob))
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert "exif" not in stored.info
        assert "icc_profile" not in stored.info
        assert "xmp" not in stored.info
        assert max(stored.size) <= edge
    assert (prepared.width, prepared.height) == (1600, 1200)
    assert Image.open(io.BytesIO(prepared.image)).size == (1600, 1200)
    assert prepared.original_name == "IMG_20250314.jpg"


def test_it_applies_exif_orientation_before_stripping(db: None) -> None:
    # A phone held upright stores landscape pixels and "rotate 90°" (orientation 6) in EXIF.
    data = photo_bytes((3200, 2400), exif=exif_with_gps(orientation=6))

    [prepared] = photos_prepare(files=[upload("tegak.jpg", data)])

    assert prepared.height > prepared.width
    assert (prepared.width, prepared.height) == (1200, 1600)
    thumb = Image.open(io.BytesIO(prepared.thumbnail))
    assert thumb.height == THUMB_EDGE and thumb.width < thumb.height


def test_it_keeps_small_photos_at_their_size(db: None) -> None:
    [prepared] = photos_prepare(files=[upload("kecil.jpg", photo_bytes((640, 480)))])

    assert (prepared.width, prepared.height) == (640, 480)


def test_it_accepts_png_with_alpha_flattened_on_white(db: None) -> None:
    img = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    img.paste((200, 30, 30, 255), (0, 0, 200, 300))
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")

    [prepared] = photos_prepare(files=[upload("logo.png", buffer.getvalue(), "image/png")])

    stored = Image.open(io.BytesIO(prepared.image))
    assert stored.mode == "RGB"
    right = stored.getpixel((350, 150))
    assert isinstance(right, tuple) and min(right) > 245  # transparent became white, not black
    left = stored.getpixel((50, 150))
    assert isinstance(left, tuple) and left[0] > 180 and left[1] < 60


def test_it_accepts_webp(db: None) -> None:
    [prepared] = photos_prepare(files=[upload("kegiatan.webp", photo_bytes(fmt="WEBP"), "image/webp")])

    assert Image.open(io.BytesIO(prepared.image)).format == "JPEG"
    assert (prepared.width, prepared.height) == (800, 600)


@pytest.mark.skipif(not pillow_heif.libheif_info().get("HEIF"), reason="this libheif build has no HEIF encoder")
def test_it_accepts_heic(db: None) -> None:
    data = photo_bytes((1000, 750), fmt="HEIF")

    [prepared] = photos_prepare(files=[upload("IMG_0042.HEIC", data, "image/heic")])

    assert Image.open(io.BytesIO(prepared.image)).format == "JPEG"
    assert (prepared.width, prepared.height) == (1000, 750)


def test_it_refuses_non_images(db: None) -> None:
    messages = refusal(
        [
            upload("foto1.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", "application/pdf"),
            upload("catatan.jpg", b"Kegiatan hari ini berjalan lancar.", "image/jpeg"),
            upload("kosong.jpg", b""),
        ]
    )

    assert messages == [
        "foto1.pdf: bukan gambar JPEG, PNG, WebP atau HEIC.",
        "catatan.jpg: bukan gambar JPEG, PNG, WebP atau HEIC.",
        "kosong.jpg: bukan gambar JPEG, PNG, WebP atau HEIC.",
    ]


def test_it_refuses_images_in_other_formats(db: None) -> None:
    messages = refusal([upload("animasi.gif", photo_bytes(fmt="GIF", mode="P"), "image/gif")])

    assert messages == ["animasi.gif: bukan gambar JPEG, PNG, WebP atau HEIC."]


def test_it_refuses_truncated_files(db: None) -> None:
    data = noisy_jpeg()

    messages = refusal([upload("rusak.jpg", data[: len(data) // 2])])

    assert messages == ["rusak.jpg: file gambar terpotong atau rusak."]


def test_it_refuses_decompression_bombs(db: None) -> None:
    bomb = png_of_size(30000, 30000)
    assert len(bomb) < 1024 * 1024  # tiny on the wire, 900 million pixels once decoded

    messages = refusal([upload("bom.png", bomb, "image/png")])

    assert len(messages) == 1
    assert messages[0].startswith("bom.png: ukuran gambar terlalu besar (")
    assert "piksel" in messages[0]


def test_it_refuses_images_just_over_the_pixel_limit(db: None) -> None:
    messages = refusal([upload("panorama.png", png_of_size(9000, 9000), "image/png")])

    assert messages == ["panorama.png: ukuran gambar terlalu besar (81.000.000 piksel, batas 80.000.000 piksel)."]


def test_it_refuses_oversize_files_before_decoding(db: None) -> None:
    data = b"\xff\xd8\xff\xe0" + b"\0" * (MAX_PHOTO_BYTES + 1 - 4)

    messages = refusal([upload("besar.jpg", data)])

    assert messages == ["besar.jpg: ukuran 10,1 MB melebihi batas 10 MB."]


def test_it_saves_nothing_when_one_of_three_files_is_bad(record: CommunityEngagement, media: Path) -> None:
    files = [
        upload("satu.jpg", photo_bytes()),
        upload("dua.txt", b"bukan foto", "text/plain"),
        upload("tiga.jpg", photo_bytes()),
    ]

    messages = refusal(files)

    assert messages == ["dua.txt: bukan gambar JPEG, PNG, WebP atau HEIC."]
    assert not Photo.objects.exists()
    assert stored_files(media) == []


def test_it_stores_photos_under_random_names_in_order(record: CommunityEngagement, media: Path, world: Any) -> None:
    prepared = photos_prepare(
        files=[upload("Rumah Bu Siti.jpg", photo_bytes()), upload("b.png", photo_bytes(fmt="PNG"))]
    )

    photos = photos_save(record=record, prepared=prepared, user=world.manager, start_position=1)

    assert [photo.position for photo in photos_for(record)] == [1, 2]
    for photo in photos:
        assert photo.record == record
        assert photo.uploaded_by == world.manager
        assert (photo.width, photo.height) == (800, 600)
        assert "Siti" not in photo.image.name and "b.png" not in photo.image.name
        assert photo.image.name.endswith(".jpg") and len(Path(photo.image.name).stem) == 32
        assert default_storage.exists(photo.image.name) and default_storage.exists(photo.thumbnail.name)
        with default_storage.open(photo.thumbnail.name) as handle:
            assert max(Image.open(handle).size) <= THUMB_EDGE
    assert len(stored_files(media)) == 4


def test_it_keeps_photos_of_other_records_apart(record: CommunityEngagement, media: Path, world: Any) -> None:
    other = CommunityEngagement.objects.create(
        library=world.lamongan_village, title="Lomba mewarnai", activity_field="Pendidikan",
        activity_kind="Lomba", audience="Anak-anak", participants=25,
    )  # fmt: skip
    photos_save(record=other, prepared=photos_prepare(files=[upload("a.jpg", photo_bytes())]), user=None)

    assert not photos_for(record).exists()
    assert photos_for(other).count() == 1


def test_it_checks_the_number_of_photos() -> None:
    photos_check_count(existing=0, adding=1, minimum=1)
    photos_check_count(existing=1, adding=2, minimum=1)
    photos_check_count(existing=0, adding=0, minimum=0)  # advocacy: photos are optional

    with pytest.raises(ValidationError) as none_given:
        photos_check_count(existing=0, adding=0, minimum=1)
    assert none_given.value.messages == ["Lampirkan 1–3 foto kegiatan."]
    with pytest.raises(ValidationError) as too_many:
        photos_check_count(existing=2, adding=2, minimum=1)
    assert too_many.value.messages == ["Paling banyak 3 foto per laporan."]


def saved_photo(record: CommunityEngagement, user: Any = None) -> Photo:
    [photo] = photos_save(record=record, prepared=photos_prepare(files=[upload("a.jpg", photo_bytes())]), user=user)
    return photo


def test_it_removes_a_photo_and_its_files_from_a_returned_record(
    record: CommunityEngagement, media: Path, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    record.status = Status.RETURNED
    record.save()
    photo = saved_photo(record)

    with django_capture_on_commit_callbacks(execute=True):
        photo_remove(photo=photo, user=world.manager)

    assert not Photo.objects.exists()
    assert stored_files(media) == []


def test_it_keeps_photos_of_verified_records(record: CommunityEngagement, media: Path, world: Any) -> None:
    photo = saved_photo(record)
    record.status = Status.VERIFIED
    record.save()

    with pytest.raises(ValidationError):
        photo_remove(photo=photo, user=world.manager)

    assert Photo.objects.filter(pk=photo.pk).exists()
    assert len(stored_files(media)) == 2


@pytest.mark.parametrize("who", ["manager", "facilitator_3524", "province_35", "national"])
def test_it_serves_photos_to_people_in_scope(record: CommunityEngagement, media: Path, world: Any, who: str) -> None:
    photo = saved_photo(record)
    client = world.client_for(getattr(world, who))

    for size, edge in (("full", MAX_EDGE), ("thumb", THUMB_EDGE)):
        response = client.get(reverse("reports:photo", args=[photo.pk, size]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, max-age=86400"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert max(Image.open(io.BytesIO(b"".join(response.streaming_content))).size) <= edge


def test_it_hides_photos_outside_scope(record: CommunityEngagement, media: Path, world: Any) -> None:
    photo = saved_photo(record)

    response = world.client_for(world.facilitator_1905).get(reverse("reports:photo", args=[photo.pk, "full"]))

    assert response.status_code == 404


def test_it_answers_404_for_unknown_photos_and_sizes(record: CommunityEngagement, media: Path, world: Any) -> None:
    photo = saved_photo(record)
    client = world.client_for(world.manager)

    assert client.get(reverse("reports:photo", args=[photo.pk, "asli"])).status_code == 404
    assert client.get(reverse("reports:photo", args=[photo.pk + 1000, "full"])).status_code == 404


def test_it_sends_anonymous_visitors_to_the_login_page(record: CommunityEngagement, media: Path) -> None:
    photo = saved_photo(record)

    response = Client().get(reverse("reports:photo", args=[photo.pk, "thumb"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_redirects_to_a_signed_url_when_photos_are_on_s3(
    record: CommunityEngagement, settings: Any, world: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "tpbis-foto",
                "endpoint_url": "https://s3.example.id",
                "region_name": "ap-southeast-3",
                "access_key": "AKIAUJI",
                "secret_key": "rahasia-uji",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                "location": "media",
            },
        },
    }
    # No network in tests: the row points at an object that would be in the bucket.
    photo = Photo.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        image="photos/2025/03/abc.jpg",
        thumbnail="photos/2025/03/thumbs/abc.jpg",
        width=800,
        height=600,
    )

    response = world.client_for(world.manager).get(reverse("reports:photo", args=[photo.pk, "full"]))
    outsider = world.client_for(world.facilitator_1905).get(reverse("reports:photo", args=[photo.pk, "full"]))

    assert response.status_code == 302
    assert response["Location"].startswith("https://s3.example.id/tpbis-foto/media/photos/2025/03/abc.jpg?")
    assert "X-Amz-Signature=" in response["Location"]
    assert outsider.status_code == 404
