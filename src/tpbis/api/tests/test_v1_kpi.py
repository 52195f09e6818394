"""KPI endpoints of the REST API v1, scoped like the pages."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import World
from tpbis.reports.models import CommunityEngagement
from tpbis.reports.services import record_create, record_verify


def _verified_activity(world: World) -> None:
    record, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        library=world.lamongan_village,
        data={
            "date": timezone.localdate(),
            "title": "Kelas baca",
            "activity_field": "Pendidikan",
            "activity_kind": "Pelatihan",
            "audience": "Umum",
            "participants": 9,
        },
    )
    record_verify(record=record, user=world.facilitator_3524)


def test_it_explains_a_library_score(world: World) -> None:
    _verified_activity(world)
    response = world.client_for(world.manager).get(f"/api/v1/kpi/libraries/{world.lamongan_village.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["score"] == 2.5
    assert body["colour"] == "merah"
    assert body["parts"][0]["achieved"] == 1
    assert any("untuk mencapai kuning" in tip for tip in body["advice"])


@pytest.mark.parametrize(("persona", "status"), [("facilitator_1905", 404), ("province_35", 200)])
def test_it_scopes_library_scores(world: World, persona: str, status: int) -> None:
    url = f"/api/v1/kpi/libraries/{world.lamongan_village.pk}"
    assert world.client_for(getattr(world, persona)).get(url).status_code == status


def test_it_ranks_and_counts_colours_in_scope(world: World) -> None:
    _verified_activity(world)
    client = world.client_for(world.province_35)
    ranking = client.get("/api/v1/kpi/ranking").json()
    assert ranking["items"][0]["name"] == "Perpustakaan Desa Sembung"
    assert [row["rank"] for row in ranking["items"]] == [1, 2, 3]
    colours = client.get("/api/v1/kpi/regions?region=3524").json()
    assert colours["merah"]["count"] == 1
    assert colours["belum_dinilai"]["count"] == 1
    assert client.get("/api/v1/kpi/regions?region=19.05").status_code == 404
