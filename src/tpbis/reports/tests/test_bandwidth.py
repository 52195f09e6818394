"""Internet bandwidth of the monthly information-service record: never negative, whichever door it enters."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from conftest import World
from tpbis.reports.models import InformationService


def _month_before() -> dt.date:
    return timezone.localdate().replace(day=1) - dt.timedelta(days=1)


def _post_form(world: World, bandwidth: str) -> Any:
    month = _month_before()
    return world.client_for(world.manager).post(
        f"/laporan/peningkatan/baru/?perpustakaan={world.lamongan_village.pk}",
        {
            "month": month.month,
            "year": month.year,
            "books": "100",
            "digital_books": "0",
            "computers": "1",
            "bandwidth": bandwidth,
            "client_id": str(uuid.uuid4()),
        },
    )


def test_it_refuses_a_negative_bandwidth_in_the_web_form(world: World) -> None:
    response = _post_form(world, "-5")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "bandwidth" in errors
    assert "negatif" in " ".join(errors["bandwidth"])
    assert not InformationService.objects.exists()


def test_it_accepts_zero_bandwidth_for_a_library_without_internet(world: World) -> None:
    response = _post_form(world, "0")
    assert response.status_code == 302
    assert InformationService.objects.get().bandwidth == 0
