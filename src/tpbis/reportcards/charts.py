"""A month-end score trend as bars of a small inline SVG: no script and no CDN, light on a phone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format

from tpbis.reportcards.formatting import number_text

CHART_HEIGHT = 100  # the score scale, 0–100, in SVG units
BAR_WIDTH = 24
GAP = 8


@dataclass(frozen=True)
class TrendPoint:
    date: dt.date
    score: Decimal | None
    colour: str


@dataclass(frozen=True)
class Bar:
    x: int
    y: float
    height: float
    colour: str
    label: str  # month, as the axis shows it
    value: str  # score, as the reader writes it

    @property
    def centre(self) -> int:
        return self.x + BAR_WIDTH // 2

    @property
    def value_y(self) -> float:
        return self.y - 3


def trend_bars(points: list[TrendPoint]) -> list[Bar]:
    bars = []
    for i, point in enumerate(points):
        height = float(point.score or 0) * CHART_HEIGHT / 100
        bars.append(
            Bar(
                x=GAP + i * (BAR_WIDTH + GAP),
                y=CHART_HEIGHT - height,
                height=height,
                colour=point.colour,
                label=date_format(point.date, "M"),
                value=number_text(point.score),
            )
        )
    return bars


def chart_width(bars: list[Bar]) -> int:
    return GAP + len(bars) * (BAR_WIDTH + GAP)
