"""A record's history shows numbers as people write them: 30, not 3E+1."""

from __future__ import annotations

from decimal import Decimal

from conftest import World
from tpbis.reports.models import InformationService
from tpbis.reports.services import record_create, record_update


def test_it_shows_thirty_not_an_exponent_on_a_record_history(world: World) -> None:
    data = {"year": 2026, "month": 11, "books": 100, "digital_books": 0, "computers": 2, "bandwidth": Decimal("10")}
    record, _ = record_create(model=InformationService, user=world.manager, data=data, library=world.lamongan_village)
    record_update(record=record, user=world.manager, data={**data, "bandwidth": Decimal("30.00")})

    page = world.client_for(world.facilitator_3524).get(f"/laporan/peningkatan/{record.pk}/").content.decode()

    assert "10 → 30" in page
    assert "3E+1" not in page
    assert "1E+1" not in page
