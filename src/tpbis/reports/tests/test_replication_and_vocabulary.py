"""Self-replication funding per region, and vocabularies the national team extends."""

from __future__ import annotations

import uuid

from django.utils import timezone

from conftest import World
from tpbis.reports.models import Replication, Status, VocabularyKind, VocabularyTerm

YEAR = timezone.localdate().year


def _replication(region: str) -> dict[str, object]:
    return {
        "region": region,
        "year": YEAR,
        "funds": "21500000",
        "funding_source": "APBD",
        "villages": "12",
        "client_id": str(uuid.uuid4()),
    }


def test_it_records_a_kabupaten_replication(world: World) -> None:
    response = world.client_for(world.facilitator_3524).post("/laporan/replikasi/baru/", _replication("3524"))
    assert response.status_code == 302
    record = Replication.objects.get()
    assert record.region_id == "35.24"
    assert record.status == Status.SUBMITTED
    # A facilitator elsewhere cannot see it; the province, which did not enter it, verifies it.
    assert world.client_for(world.facilitator_1905).get(f"/laporan/replikasi/{record.pk}/").status_code == 404
    assert world.client_for(world.province_35).post(f"/laporan/replikasi/{record.pk}/verify/").status_code == 302
    record.refresh_from_db()
    assert record.status == Status.VERIFIED


def test_it_lists_replications_newest_year_first(world: World) -> None:
    client = world.client_for(world.province_35)
    for year in (YEAR - 1, YEAR):
        client.post("/laporan/replikasi/baru/", {**_replication("35.24"), "year": year})
    response = client.get("/laporan/replikasi/")
    assert response.status_code == 200
    assert [r.year for r in response.context["page"]] == [YEAR, YEAR - 1]


def test_it_refuses_replication_outside_scope_or_from_a_manager(world: World) -> None:
    out = world.client_for(world.facilitator_3524).post("/laporan/replikasi/baru/", _replication("19.05"))
    assert out.status_code == 200
    assert "di luar wilayah kerja Anda" in out.content.decode()
    assert world.client_for(world.manager).get("/laporan/replikasi/baru/").status_code == 403
    assert not Replication.objects.exists()


def test_it_offers_a_term_the_national_team_added(world: World) -> None:
    VocabularyTerm.objects.create(kind=VocabularyKind.ACTIVITY_FIELD, value="Lingkungan Hidup", position=85)
    VocabularyTerm.objects.filter(kind=VocabularyKind.ACTIVITY_FIELD, value="Olahraga").update(is_active=False)
    body = world.client_for(world.manager).get("/laporan/pelibatan/baru/").content.decode()
    assert "Lingkungan Hidup" in body
    assert ">Olahraga<" not in body


def test_it_ships_the_real_vocabularies(world: World) -> None:
    values = set(VocabularyTerm.objects.filter(kind=VocabularyKind.ENGAGEMENT_AUDIENCE).values_list("value", flat=True))
    assert values == {"Umum", "Pelajar", "Anak-Anak", "Lansia", "Pelaku UMKM", "Mahasiswa", "Petani/Nelayan"}
