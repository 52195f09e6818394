"""Text normalisation shared by searches and imports."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s/-]")


def fold(value: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces: the key two spellings share."""
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = value.replace("\ufeff", "").replace(".", " ").replace("_", " ")
    value = _PUNCT.sub(" ", value.lower())
    return _SPACES.sub(" ", value).strip()
