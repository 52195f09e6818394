"""Robust statistics for one list of numbers: median, MAD, modified z-score (Iglewicz and Hoaglin)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# 0.6745 makes the MAD comparable with a standard deviation for normal data; when over half the values
# are equal the MAD is 0 and the mean absolute deviation (× 1.2533) stands in, as IBM SPSS does.
MAD_FACTOR = 0.6745
MEAN_AD_FACTOR = 1.253314
# The robust spread is never taken below a quarter of the median, nor below one unit: a library that
# always reports 3 computers and now 4, or 1 Mbps and now 2, has not entered a doubtful figure.
RELATIVE_FLOOR = 0.25


def quantile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted numbers, interpolated linearly (as PostgreSQL's percentile_cont)."""
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass(frozen=True)
class Spread:
    """Where most of a set of numbers lies."""

    count: int
    median: float
    mad: float
    mean_ad: float
    mean: float
    stddev: float
    low: float  # 10th percentile
    high: float  # 90th percentile

    def modified_z(self, value: float) -> float:
        scale = self.mad / MAD_FACTOR if self.mad > 0 else MEAN_AD_FACTOR * self.mean_ad
        return (value - self.median) / max(scale, RELATIVE_FLOOR * abs(self.median), 1.0)

    def z(self, value: float) -> float | None:
        return (value - self.mean) / self.stddev if self.stddev > 0 else None


def spread_of(values: Sequence[float], *, mean: float | None = None, stddev: float | None = None) -> Spread:
    """The spread of the values; mean and standard deviation may come from the database already."""
    ordered = sorted(values)
    middle = quantile(ordered, 0.5)
    deviations = sorted(abs(v - middle) for v in ordered)
    if mean is None or stddev is None:
        mean = sum(ordered) / len(ordered)
        stddev = math.sqrt(sum((v - mean) ** 2 for v in ordered) / len(ordered))
    return Spread(
        count=len(ordered),
        median=middle,
        mad=quantile(deviations, 0.5),
        mean_ad=sum(deviations) / len(deviations),
        mean=mean,
        stddev=stddev,
        low=quantile(ordered, 0.1),
        high=quantile(ordered, 0.9),
    )


def distance(*scores: float | None) -> float | None:
    """The largest absolute score of those that could be computed."""
    known = [abs(s) for s in scores if s is not None]
    return max(known) if known else None
