"""The scorer of a country's month ends and days (`FiguresScorer`) gives the score and colour of the full
scoring with its breakdown (`engine.score`) from the same figures, under any scheme: caps, steps, monthly
growth, capacity fields, and components it cannot read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tpbis.kpi.engine import ComponentSpec, SchemeSpec, score
from tpbis.kpi.facts import LATEST_ORDER, FiguresScorer, facts_of

RECORD_TYPES = ["pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung", "replikasi"]
small = st.integers(min_value=0, max_value=40)
amount = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def components(draw: Any) -> ComponentSpec:
    measure = draw(st.sampled_from(["count", "reported", "latest"]))
    return ComponentSpec(
        id=None,
        label="Bagian",
        record_type=draw(st.sampled_from(RECORD_TYPES)),
        measure=measure,
        field=draw(st.sampled_from([*LATEST_ORDER, "other"])) if measure == "latest" else "",
        target=draw(st.decimals(min_value=0, max_value=200, places=1, allow_nan=False, allow_infinity=False)),
        growth=draw(st.sampled_from(["fixed", "monthly"])),
        weight=draw(st.decimals(min_value=0, max_value=40, places=2, allow_nan=False, allow_infinity=False)),
        cap=draw(st.none() | st.decimals(min_value=0, max_value=300, places=0, allow_nan=False, allow_infinity=False)),
        step=draw(st.sampled_from([Decimal(0), Decimal("1.25"), Decimal("2.5"), Decimal(5)])),
    )


schemes = st.builds(
    lambda parts, green, yellow: SchemeSpec(
        id=None,
        name="Skema uji",
        effective_from=dt.date(2018, 1, 1),
        kinds=(),
        green_above=green,
        yellow_above=yellow,
        components=tuple(parts),
    ),
    st.lists(components(), min_size=1, max_size=9),
    st.sampled_from([Decimal(75), Decimal(60)]),
    st.sampled_from([Decimal(25), Decimal(40)]),
)
figures = st.tuples(
    small, small, small, st.integers(0, 12), st.integers(0, 12), st.booleans(),
    st.none() | st.tuples(amount, amount, amount, amount),
)  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(schemes, st.lists(figures, min_size=1, max_size=10), st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))
def test_it_scores_as_the_full_scoring(scheme: SchemeSpec, many: list[tuple[Any, ...]], as_of: dt.date) -> None:
    figures_scorer = FiguresScorer(scheme, as_of)
    for one in many:
        full = score(facts=facts_of(*one), scheme=scheme, as_of=as_of)
        assert figures_scorer(*one) == (full.score, full.colour), one
