"""Draws the app's icons (static/offline/icon-*.png) from the project's colours: `python -m tpbis.offline.icons`.

An open book in white on the programme's green; the maskable icon keeps the book inside the middle
80 % circle that Android's launcher masks may cut to.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

GREEN = (11, 93, 75)
LIGHT = (227, 242, 238)
OUT = Path(__file__).resolve().parents[3] / "static" / "offline"


def _icon(size: int, *, book_share: float, rounded: bool) -> Image.Image:
    scale = 4  # drawn large, then shrunk: smooth edges without anti-aliasing support in ImageDraw
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 6, fill=GREEN)
    else:
        draw.rectangle((0, 0, big, big), fill=GREEN)
    width = big * book_share
    left, top = (big - width) / 2, big / 2 - width * 0.36
    bottom, middle, right = big / 2 + width * 0.36, big / 2, left + width
    dip = width * 0.08
    # Two pages meeting at the spine, which dips a little: an open book.
    draw.polygon([(left, top), (middle, top + dip), (middle, bottom + dip), (left, bottom)], fill="white")
    draw.polygon([(middle, top + dip), (right, top), (right, bottom), (middle, bottom + dip)], fill=LIGHT)
    line = max(scale * 2, int(width * 0.02))
    for share in (0.25, 0.42, 0.59):
        y = top + (bottom - top) * share
        draw.line([(left + width * 0.08, y), (middle - width * 0.06, y + dip * 0.6)], fill=GREEN, width=line)
        draw.line([(middle + width * 0.06, y + dip * 0.6), (right - width * 0.08, y)], fill=GREEN, width=line)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    # The browser's tab icon, asked for at /favicon.ico (no page links an icon: each would download it).
    # 32 colours are plenty at 32 px: 520 bytes instead of 1.8 KB.
    _icon(32, book_share=0.7, rounded=True).quantize(colors=32, method=Image.Quantize.FASTOCTREE).save(
        OUT / "icon-32.png", optimize=True
    )
    _icon(192, book_share=0.62, rounded=True).save(OUT / "icon-192.png", optimize=True)
    _icon(512, book_share=0.62, rounded=True).save(OUT / "icon-512.png", optimize=True)
    _icon(512, book_share=0.5, rounded=False).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
