"""Pages stay at a constant number of queries however many partners a region has."""

from __future__ import annotations

from typing import Any

from conftest import World, make_library
from tpbis.regions.models import Region


def _add_libraries(count: int) -> None:
    villages = Region.objects.filter(code__startswith="35.24.", level=4).order_by("code")[:count]
    for village in villages:
        make_library(f"Perpustakaan Desa {village.name}", village.code)


def test_it_lists_partners_in_a_constant_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    _add_libraries(60)
    client = world.client_for(world.facilitator_3524)
    with django_assert_max_num_queries(10):
        response = client.get("/mitra/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 62


def test_it_shows_onboarding_in_a_constant_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    _add_libraries(60)
    client = world.client_for(world.province_35)
    with django_assert_max_num_queries(12):
        response = client.get("/mitra/akun/?wilayah=35.24")
    assert response.status_code == 200
    assert response.context["counts"]["total"] == 62
