"""Kemendagri region codes: dotted (`35.08.21.2004`) and undotted (`3508212004`) forms."""

from __future__ import annotations

import re

# Part lengths of an undotted code: province 2, kabupaten/kota 2, kecamatan 2, desa/kelurahan 4.
_PART_LENGTHS = (2, 2, 2, 4)
_DOTTED = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def normalize_code(raw: str | int | float | None) -> str | None:
    """Return the dotted code for a typed code in either form, or None when it cannot be one."""
    if raw is None:
        return None
    if isinstance(raw, float):
        if not raw.is_integer():
            return None
        raw = int(raw)
    text = str(raw).strip().replace(" ", "")
    if not text:
        return None
    if "." in text:
        return text if _DOTTED.match(text) else None
    if not text.isdigit():
        return None
    parts: list[str] = []
    position = 0
    for length in _PART_LENGTHS:
        if position == len(text):
            break
        parts.append(text[position : position + length])
        position += length
    if position != len(text) or len(parts[-1]) != _PART_LENGTHS[len(parts) - 1]:
        return None
    return ".".join(parts)


def undotted(code: str) -> str:
    return code.replace(".", "")


def level_of(code: str) -> int:
    """1 province, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan."""
    return code.count(".") + 1
