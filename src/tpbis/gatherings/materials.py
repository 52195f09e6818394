"""Materials of a gathering: a PDF or a slide deck (PowerPoint, LibreOffice), recognised by its content,
not by the name or the browser's word."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_MATERIAL_BYTES = 20 * 1024 * 1024
PDF = "application/pdf"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODP = "application/vnd.oasis.opendocument.presentation"
SUFFIX = {PDF: "pdf", PPTX: "pptx", ODP: "odp"}


@dataclass(frozen=True)
class PreparedFile:
    name: str
    content: bytes
    content_type: str


def _slides_type(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names and archive.read("mimetype").strip() == ODP.encode():
            return ODP
        if "[Content_Types].xml" in names and any(n.startswith("ppt/slides/") for n in names):
            return PPTX
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


def _safe_name(name: str, suffix: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[^\w\-]+", "-", stem, flags=re.ASCII).strip("-")[:80] or "materi"
    return f"{stem}.{suffix}"


def material_prepare(*, name: str, data: bytes) -> PreparedFile:
    """The file if it is a PDF, PPTX or ODP of at most 20 MB; a clear message otherwise."""
    if len(data) > MAX_MATERIAL_BYTES:
        raise ValidationError(_("Berkas lebih dari 20 MB."), code="too_big")
    kind = PDF if data.startswith(b"%PDF-") else _slides_type(data)
    if kind is None:
        raise ValidationError(
            _("%(name)s bukan PDF atau salindia (PPTX, ODP). Berkas lain tidak bisa diunggah.") % {"name": name},
            code="type",
        )
    return PreparedFile(_safe_name(name, SUFFIX[kind]), data, kind)
