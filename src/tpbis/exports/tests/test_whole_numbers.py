"""Whole numbers in downloads read as whole numbers: "20", never "20.00"."""

from __future__ import annotations

from decimal import Decimal

from conftest import World
from tpbis.exports.tests.helpers import csv_rows
from tpbis.reports.models import InformationService


def test_it_writes_a_whole_bandwidth_without_decimals_and_keeps_a_fraction(world: World) -> None:
    for month, bandwidth in ((1, Decimal("20.00")), (7, Decimal("10.50"))):
        InformationService.objects.create(library=world.lamongan_village, year=2026, month=month, bandwidth=bandwidth)
    rows = csv_rows(world.client_for(world.facilitator_3524).get("/ekspor/peningkatan.csv"))
    header = rows[0]
    column = next(i for i, label in enumerate(header) if "andwidth" in label)
    assert sorted(row[column] for row in rows[1:]) == ["10.5", "20"]
