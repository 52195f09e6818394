"""Server-rendered SVG data for the dashboard: a records-per-month bar chart and a tile map of provinces.

Plain numbers for the template to draw; no script and no library, so a phone gets a few kilobytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tpbis.dashboards.selectors import ChildRow, MonthRecords

CHART_TYPES = ("pelibatan", "advokasi", "publikasi", "peningkatan")
CHART_COLOURS = {"pelibatan": "#0b5d4b", "advokasi": "#3f8f7a", "publikasi": "#8a6100", "peningkatan": "#6b7b8c"}
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")

# Provinces on a 15 × 6 grid, placed by their capitals' longitude (column) and latitude (row).
PROVINCE_TILES: dict[str, tuple[int, int, str]] = {
    "11": (0, 0, "ACEH"), "12": (1, 0, "SUMUT"), "13": (1, 1, "SUMBAR"), "14": (2, 1, "RIAU"),
    "21": (3, 1, "KEPRI"), "15": (2, 2, "JAMBI"), "17": (1, 2, "BKL"), "16": (2, 3, "SUMSEL"),
    "19": (4, 2, "BABEL"), "18": (3, 3, "LPG"), "36": (3, 4, "BTN"), "31": (4, 4, "DKI"),
    "32": (5, 4, "JABAR"), "33": (6, 4, "JATENG"), "34": (6, 5, "DIY"), "35": (7, 4, "JATIM"),
    "51": (8, 4, "BALI"), "52": (9, 4, "NTB"), "53": (10, 5, "NTT"), "61": (5, 1, "KALBAR"),
    "62": (6, 2, "KALTENG"), "63": (7, 2, "KALSEL"), "64": (7, 1, "KALTIM"), "65": (7, 0, "KALTARA"),
    "71": (10, 0, "SULUT"), "75": (9, 1, "GTLO"), "72": (8, 1, "SULTENG"), "76": (8, 2, "SULBAR"),
    "73": (8, 3, "SULSEL"), "74": (9, 3, "SULTRA"), "82": (11, 1, "MALUT"), "81": (11, 3, "MALUKU"),
    "96": (12, 1, "PBD"), "92": (13, 1, "PABAR"), "94": (13, 2, "PATENG"), "91": (14, 2, "PAPUA"),
    "95": (14, 3, "PAPEG"), "93": (14, 4, "PASEL"),
}  # fmt: skip
TILE = 56  # px per tile, gap included
# Share of green libraries → fill, darkest for the best; grey when a province has no partner yet.
GREEN_STEPS = ((50.0, "#0b5d4b"), (25.0, "#3f8f7a"), (10.0, "#86c2b0"), (0.0, "#d6ece5"))
NO_PARTNERS = "#e6e6e6"


@dataclass(frozen=True)
class Segment:
    record_type: str
    y: float
    height: float
    colour: str
    value: int


@dataclass(frozen=True)
class Bar:
    x: float
    label: str
    total: int
    segments: list[Segment]


def month_bars(months: list[MonthRecords], *, height: int = 140, width: int = 32) -> dict[str, Any]:
    """Stacked bars of counted records per month (engagement, advocacy, publicity, information service)."""
    totals = [sum(m.records[t].submitted for t in CHART_TYPES) for m in months]
    peak = max(totals, default=0) or 1
    bars = []
    for i, (month, total) in enumerate(zip(months, totals, strict=True)):
        y = float(height)
        segments = []
        for record_type in CHART_TYPES:
            value = month.records[record_type].submitted
            h = height * value / peak
            y -= h
            segments.append(Segment(record_type, round(y, 1), round(h, 1), CHART_COLOURS[record_type], value))
        label = MONTH_ABBR[month.month.month - 1] + (f" {month.month:%y}" if len(months) > 12 else "")
        bars.append(Bar(x=i * width, label=label, total=total, segments=segments))
    return {
        "bars": bars,
        "width": max(len(months), 1) * width,
        "height": height,
        "bar_width": width - 6,
        "label_x": width // 2,
        "peak": peak,
        "legend": [(t, CHART_COLOURS[t]) for t in CHART_TYPES],
    }


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    abbr: str
    x: int
    y: int
    fill: str
    dark: bool
    green_pct: float
    partners: int


def _fill(row: ChildRow) -> str:
    if not row.partners:
        return NO_PARTNERS
    for threshold, colour in GREEN_STEPS:
        if row.green_pct >= threshold:
            return colour
    return GREEN_STEPS[-1][1]


def province_tiles(rows: list[ChildRow]) -> dict[str, Any]:
    """Tiles of the province map from the nation's child rows (one per province)."""
    tiles = []
    for row in rows:
        code = row.region.query_code
        if code not in PROVINCE_TILES:
            continue
        col, line, abbr = PROVINCE_TILES[code]
        fill = _fill(row)
        tiles.append(
            Tile(
                code=code,
                name=row.region.name,
                abbr=abbr,
                x=col * TILE,
                y=line * TILE,
                fill=fill,
                dark=fill in {"#0b5d4b", "#3f8f7a"},
                green_pct=row.green_pct,
                partners=row.partners,
            )
        )
    return {
        "tiles": tiles,
        "width": 15 * TILE,
        "height": 6 * TILE,
        "size": TILE - 4,
        "legend": [
            ("≥ 50%", GREEN_STEPS[0][1]),
            ("25–50%", GREEN_STEPS[1][1]),
            ("10–25%", GREEN_STEPS[2][1]),
            ("< 10%", GREEN_STEPS[3][1]),
        ],
        "no_partners": NO_PARTNERS,
    }
