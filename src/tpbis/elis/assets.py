"""Course images and PDFs: images are decoded and written anew, resized for a phone; PDFs are checked."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_EDGE = 960  # wide enough for a phone held sideways; a few tens of KB per picture
MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


@dataclass(frozen=True)
class PreparedAsset:
    name: str
    kind: str
    content: bytes
    content_type: str
    width: int = 0
    height: int = 0


def image_prepare(*, name: str, data: bytes) -> PreparedAsset:
    """A JPEG of at most MAX_EDGE pixels; anything that is not a raster image (an SVG, a script) is refused."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError(gettext("Gambar %(name)s lebih dari 5 MB.") % {"name": name})
    try:
        opened = Image.open(io.BytesIO(data))
        if opened.format not in IMAGE_FORMATS or opened.width * opened.height > MAX_PIXELS:
            raise ValidationError(gettext("%(name)s bukan gambar JPEG, PNG, WEBP atau GIF.") % {"name": name})
        opened.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(gettext("%(name)s bukan gambar yang bisa dibaca.") % {"name": name}) from error
    image: Image.Image = ImageOps.exif_transpose(opened)
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True, progressive=True)
    return PreparedAsset(name, "image", out.getvalue(), "image/jpeg", image.width, image.height)


def pdf_prepare(*, name: str, data: bytes) -> PreparedAsset:
    if len(data) > MAX_PDF_BYTES:
        raise ValidationError(gettext("PDF %(name)s lebih dari 10 MB.") % {"name": name})
    if not data.startswith(b"%PDF-"):
        raise ValidationError(gettext("%(name)s bukan berkas PDF.") % {"name": name})
    return PreparedAsset(name, "pdf", data, "application/pdf")
