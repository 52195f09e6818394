"""What each persona can and cannot see or change in the partner registry."""

from __future__ import annotations

import pytest

from conftest import World
from tpbis.libraries.models import Library


def _names(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {library.name for library in response.context["page"]}


ALL = {
    "Perpustakaan Desa Sembung",
    "Perpustakaan Daerah Lamongan",
    "Perpustakaan Desa Labruk Kidul",
    "Perpustakaan Desa Belo Laut",
}


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("national", ALL),
        (
            "province_35",
            {"Perpustakaan Desa Sembung", "Perpustakaan Daerah Lamongan", "Perpustakaan Desa Labruk Kidul"},
        ),
        ("facilitator_3524", {"Perpustakaan Desa Sembung", "Perpustakaan Daerah Lamongan"}),
        ("facilitator_1905", {"Perpustakaan Desa Belo Laut"}),
        ("manager", {"Perpustakaan Desa Sembung"}),
    ],
)
def test_it_lists_only_libraries_in_scope(world: World, persona: str, visible: set[str]) -> None:
    response = world.client_for(getattr(world, persona)).get("/mitra/")
    assert response.status_code == 200
    assert _names(response) == visible


@pytest.mark.parametrize(
    ("persona", "library", "status"),
    [
        ("national", "belo_laut", 200),
        ("province_35", "lumajang_village", 200),
        ("province_35", "belo_laut", 404),
        ("facilitator_3524", "lamongan_district", 200),
        ("facilitator_3524", "lumajang_village", 404),
        ("facilitator_3524", "belo_laut", 404),
        ("facilitator_1905", "belo_laut", 200),
        ("facilitator_1905", "lamongan_village", 404),
        ("manager", "lamongan_village", 200),
        ("manager", "lamongan_district", 404),
    ],
)
def test_it_shows_a_library_only_in_scope(world: World, persona: str, library: str, status: int) -> None:
    target: Library = getattr(world, library)
    response = world.client_for(getattr(world, persona)).get(f"/mitra/{target.pk}/")
    assert response.status_code == status
    if status == 200:
        assert target.name in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "library", "status"),
    [
        ("national", "belo_laut", 200),
        ("province_35", "lamongan_village", 200),
        ("facilitator_3524", "lamongan_village", 200),
        ("facilitator_3524", "belo_laut", 404),
        ("manager", "lamongan_village", 403),
        ("manager", "belo_laut", 404),
    ],
)
def test_it_lets_only_facilitators_and_above_edit(world: World, persona: str, library: str, status: int) -> None:
    target: Library = getattr(world, library)
    client = world.client_for(getattr(world, persona))
    assert client.get(f"/mitra/{target.pk}/ubah/").status_code == status
    data = {
        "name": target.name + " (baru)",
        "kind": target.kind,
        "region": target.region_id,
        "support": target.support,
        "cohort_year": target.cohort_year,
        "npp": target.npp or "",
    }
    response = client.post(f"/mitra/{target.pk}/ubah/", data)
    assert response.status_code == (302 if status == 200 else status)
    target.refresh_from_db()
    assert target.name.endswith("(baru)") == (status == 200)


@pytest.mark.parametrize(
    ("persona", "library", "status"),
    [
        ("national", "belo_laut", 302),
        ("province_35", "lamongan_village", 302),
        ("province_35", "belo_laut", 404),
        ("facilitator_3524", "lamongan_village", 403),
        ("facilitator_1905", "lamongan_village", 404),
        ("manager", "lamongan_village", 403),
    ],
)
def test_it_lets_only_provincial_officers_and_above_deactivate(
    world: World, persona: str, library: str, status: int
) -> None:
    target: Library = getattr(world, library)
    response = world.client_for(getattr(world, persona)).post(f"/mitra/{target.pk}/status/", {"active": "0"})
    assert response.status_code == status
    target.refresh_from_db()
    assert target.is_active == (status != 302)


def test_it_keeps_a_deactivated_library_and_hides_it_from_the_default_list(world: World) -> None:
    client = world.client_for(world.province_35)
    client.post(f"/mitra/{world.lamongan_village.pk}/status/", {"active": "0"})
    assert Library.objects.filter(pk=world.lamongan_village.pk).exists()
    assert "Perpustakaan Desa Sembung" not in _names(client.get("/mitra/"))
    assert "Perpustakaan Desa Sembung" in _names(client.get("/mitra/?active=inactive"))
    client.post(f"/mitra/{world.lamongan_village.pk}/status/", {"active": "1"})
    assert "Perpustakaan Desa Sembung" in _names(client.get("/mitra/"))


@pytest.mark.parametrize(
    ("persona", "region", "status"),
    [
        ("national", "19.05.01.2005", 302),
        ("province_35", "35.24.01.2002", 302),
        ("province_35", "19.05.01.2005", 200),  # form error: outside their province
        ("facilitator_3524", "35.24.01.2002", 403),
        ("manager", "35.24.01.2002", 403),
    ],
)
def test_it_lets_only_provincial_officers_and_above_register(
    world: World, persona: str, region: str, status: int
) -> None:
    response = world.client_for(getattr(world, persona)).post(
        "/mitra/baru/",
        {"name": "TBM Pelangi", "kind": "tbm", "region": region, "support": "bantuan_buku", "cohort_year": 2024},
    )
    assert response.status_code == status
    assert Library.objects.filter(name="TBM Pelangi").exists() == (status == 302)
    if status == 200:
        assert "di luar wilayah kerja Anda" in response.content.decode()


def test_it_filters_by_a_region_outside_scope_as_not_found(world: World) -> None:
    response = world.client_for(world.facilitator_3524).get("/mitra/?region=19.05")
    assert response.status_code == 404


def test_it_requires_login(world: World, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/mitra/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


@pytest.mark.parametrize(
    ("query", "visible"),
    [
        ("region=3524", {"Perpustakaan Desa Sembung", "Perpustakaan Daerah Lamongan"}),
        ("region=35.08", {"Perpustakaan Desa Labruk Kidul"}),
        ("kind=kabupaten_kota", {"Perpustakaan Daerah Lamongan"}),
        ("support=bantuan_buku", {"Perpustakaan Desa Labruk Kidul"}),
        ("cohort_year=2019", {"Perpustakaan Daerah Lamongan"}),
        ("account_status=invited", {"Perpustakaan Desa Sembung"}),
        ("q=labruk", {"Perpustakaan Desa Labruk Kidul"}),
        ("q=1905012006", {"Perpustakaan Desa Belo Laut"}),
    ],
)
def test_it_filters_the_list(world: World, query: str, visible: set[str]) -> None:
    response = world.client_for(world.national).get(f"/mitra/?{query}")
    assert response.status_code == 200
    assert _names(response) == visible


def test_it_reports_an_unknown_region_code_in_the_filter(world: World) -> None:
    response = world.client_for(world.national).get("/mitra/?region=99.99")
    assert response.status_code == 200
    assert "tidak dikenal" in response.content.decode()
    assert _names(response) == ALL


def test_it_counts_account_statuses_of_the_filtered_list(world: World) -> None:
    counts = world.client_for(world.province_35).get("/mitra/").context["counts"]
    assert counts["total"] == 3
    assert counts["invited"]["count"] == 1
    assert counts["none"]["count"] == 2
    assert counts["none"]["pct"] == 66.7
