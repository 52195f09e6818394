"""The dashboard prints a whole KPI score whole: "100", not "100,00"; a fraction keeps its decimals."""

from __future__ import annotations

import html
import re

from conftest import World
from tpbis.dashboards.tests.test_figures import build

PERIOD = "mulai=2024-01-01&sampai=2024-09-30"


def test_it_prints_a_score_of_100_without_decimals(world: World) -> None:
    build(world)
    body = world.client_for(world.national).get(f"/dasbor/?wilayah=35&{PERIOD}").content.decode()
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))
    assert re.search(r"Perpustakaan Desa Sembung · [^—]+ — 100 ", text)  # the top list
    assert not re.search(r"— \d+,00 ", text)
