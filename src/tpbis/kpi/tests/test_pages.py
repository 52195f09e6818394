"""Scores on pages: fresh after a verification, explained to the library, ranked, and schemes edited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from conftest import World
from tpbis.kpi.models import Colour, Component, CurrentScore, Scheme
from tpbis.reports.models import CommunityEngagement, Status
from tpbis.reports.services import record_create

TODAY = timezone.localdate()


def engagement(world: World, n: int = 1) -> list[CommunityEngagement]:
    records = []
    for i in range(n):
        record, _ = record_create(
            model=CommunityEngagement,
            user=world.manager,
            library=world.lamongan_village,
            data={
                "date": TODAY,
                "title": f"Kegiatan {i}",
                "activity_field": "Pendidikan",
                "activity_kind": "Pelatihan",
                "audience": "Umum",
                "participants": 10,
            },
        )
        records.append(record)
    return records


def test_it_shows_the_new_score_on_the_next_request_after_a_verification(world: World) -> None:
    (record,) = engagement(world)
    facilitator = world.client_for(world.facilitator_3524)
    before = facilitator.get(f"/mitra/{world.lamongan_village.pk}/").context["explained"]
    assert before.score == Decimal("0.00")  # submitted but not verified: assessed, no points yet
    assert before.colour == Colour.RED
    facilitator.post(f"/laporan/pelibatan/{record.pk}/verify/")
    after = facilitator.get(f"/mitra/{world.lamongan_village.pk}/")
    assert after.context["explained"].score == Decimal("2.50")
    assert CurrentScore.objects.get(library=world.lamongan_village).score == Decimal("2.50")
    body = after.content.decode()
    assert "2,5" in body or "2.5" in body


def test_it_drops_the_score_when_a_verified_record_is_withdrawn(world: World) -> None:
    records = engagement(world, 2)
    facilitator = world.client_for(world.facilitator_3524)
    for record in records:
        facilitator.post(f"/laporan/pelibatan/{record.pk}/verify/")
    assert CurrentScore.objects.get(library=world.lamongan_village).score == Decimal("5.00")
    world.client_for(world.manager).post(f"/laporan/pelibatan/{records[0].pk}/withdraw/")
    assert CurrentScore.objects.get(library=world.lamongan_village).score == Decimal("2.50")


def test_it_tells_the_library_what_is_missing(world: World) -> None:
    engagement(world)
    body = world.client_for(world.manager).get(f"/mitra/{world.lamongan_village.pk}/").content.decode()
    # Concrete records to report, never point weights ("Poin yang masih terbuka: Advokasi 18,75").
    assert "Laporkan 5 kegiatan pelibatan masyarakat, 4 publikasi dan pengunjung 1 bulan untuk mencapai kuning" in body
    assert "Poin yang masih terbuka" not in body


def test_it_ranks_by_score_then_name_within_scope(world: World) -> None:
    records = engagement(world, 3)
    for record in records:
        world.client_for(world.facilitator_3524).post(f"/laporan/pelibatan/{record.pk}/verify/")
    page = world.client_for(world.province_35).get("/iku/").context["page"]
    names = [s.library.name for s in page]
    assert names[0] == "Perpustakaan Desa Sembung"
    assert "Perpustakaan Desa Belo Laut" not in names
    assert set(names) == {"Perpustakaan Desa Sembung", "Perpustakaan Daerah Lamongan", "Perpustakaan Desa Labruk Kidul"}
    # Libraries without records are unassessed and listed after, by name.
    assert names[1:] == ["Perpustakaan Daerah Lamongan", "Perpustakaan Desa Labruk Kidul"]
    assert world.client_for(world.facilitator_3524).get("/iku/?region=19.05").status_code == 404
    assert world.client_for(world.manager).get("/iku/").status_code == 200


def test_it_counts_colours_of_a_region(world: World) -> None:
    engagement(world)
    distribution = world.client_for(world.national).get("/iku/?region=35").context["distribution"]
    assert distribution[Colour.RED]["count"] == 1
    assert distribution[Colour.NONE]["count"] == 2
    assert distribution[Colour.NONE]["pct"] == 66.7


def _scheme_post(weights: list[str], action: str = "save") -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Skema uji",
        "effective_from": TODAY.isoformat(),
        "green_above": "75",
        "yellow_above": "25",
        "notes": "",
        "c-TOTAL_FORMS": str(len(weights)),
        "c-INITIAL_FORMS": "0",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "1000",
        "action": action,
    }
    for i, weight in enumerate(weights):
        data.update(
            {
                f"c-{i}-label": f"Pelibatan {i}",
                f"c-{i}-record_type": "pelibatan",
                f"c-{i}-measure": "count",
                f"c-{i}-field": "",
                f"c-{i}-target": "1",
                f"c-{i}-target_growth": "fixed",
                f"c-{i}-weight": weight,
                f"c-{i}-cap": "",
                f"c-{i}-rounding_step": "0",
            }
        )
    return data


def test_it_refuses_a_scheme_whose_weights_do_not_sum_to_100(world: World) -> None:
    response = world.client_for(world.national).post("/iku/skema/baru/", _scheme_post(["60", "30"]))
    assert response.status_code == 200
    assert "Jumlah bobot semua komponen harus 100" in response.content.decode()
    assert not Scheme.objects.filter(name="Skema uji").exists()


def test_it_previews_colour_changes_before_saving_a_scheme(world: World) -> None:
    (record,) = engagement(world)
    world.client_for(world.facilitator_3524).post(f"/laporan/pelibatan/{record.pk}/verify/")
    client = world.client_for(world.national)
    preview = client.post("/iku/skema/baru/", _scheme_post(["100"], action="preview"))
    assert preview.status_code == 200
    rows = preview.context["preview"]["rows"]
    assert rows == [("Jawa Timur", 1, {("merah", "hijau"): 1})]  # one verified activity is the whole target
    assert not Scheme.objects.filter(name="Skema uji").exists()
    saved = client.post("/iku/skema/baru/", _scheme_post(["100"]))
    assert saved.status_code == 302
    assert Component.objects.filter(scheme__name="Skema uji").count() == 1
    assert CurrentScore.objects.get(library=world.lamongan_village).colour == Colour.GREEN


@pytest.mark.parametrize("persona", ["province_35", "facilitator_3524", "manager"])
def test_it_lets_only_the_national_team_edit_schemes(world: World, persona: str) -> None:
    assert world.client_for(getattr(world, persona)).get("/iku/skema/").status_code == 403


def test_it_ignores_records_whose_date_is_unknown(world: World) -> None:
    (record,) = engagement(world)
    world.client_for(world.facilitator_3524).post(f"/laporan/pelibatan/{record.pk}/verify/")
    CommunityEngagement.objects.filter(pk=record.pk).update(date_unknown=True, status=Status.VERIFIED)
    from tpbis.kpi.services import kpi_refresh
    from tpbis.libraries.models import Library

    kpi_refresh(libraries=Library.objects.filter(pk=world.lamongan_village.pk))
    assert CurrentScore.objects.get(library=world.lamongan_village).score == Decimal("0.00")
