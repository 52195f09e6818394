"""Helpers for handing out activation links on paper."""

from __future__ import annotations

import segno


def qr_svg(url: str) -> str:
    """An inline SVG QR code for a link (error correction M survives a crumpled print-out)."""
    return str(segno.make(url, error="m", micro=False).svg_inline(scale=4, border=2))
