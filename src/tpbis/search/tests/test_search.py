"""Search (/cari/): what each persona finds, and that nothing outside their scope is ever shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from conftest import World, make_user
from tpbis.accounts.models import Role, User
from tpbis.libraries.models import Library
from tpbis.reports.models import Advocacy, AdvocacyOutcome, CommunityEngagement, Publicity
from tpbis.search import matching
from tpbis.search.selectors import COUNT_CAP, GROUP_LIMIT

POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full text and trigrams")
SQLITE = pytest.mark.skipif(connection.vendor != "sqlite", reason="the LIKE fallback of SQLite")
DAY = dt.date(2026, 3, 10)


def activity(library: Library, title: str, **extra: Any) -> CommunityEngagement:
    fields: dict[str, Any] = {
        "date": DAY,
        "activity_field": "Pendidikan",
        "activity_kind": "Pelatihan",
        "audience": "Umum",
        "participants": 20,
        **extra,
    }
    return CommunityEngagement.objects.create(library=library, title=title, **fields)


@dataclass
class Seeded:
    world: World
    labruk_manager: User
    belo_laut_manager: User


@pytest.fixture
def seeded(world: World) -> Seeded:
    """In each of Sembung, Labruk Kidul and Belo Laut: an activity, an advocacy effort, a publication and
    a manager, all named after the village so a leak shows which scope it came from."""
    for library, village in (
        (world.lamongan_village, "Sembung"),
        (world.lumajang_village, "Labruk Kidul"),
        (world.belo_laut, "Belo Laut"),
    ):
        activity(library, f"Pelatihan komputer untuk petani {village}")
        Advocacy.objects.create(
            library=library, date=DAY, title=f"Audiensi anggaran literasi {village}", outcome=AdvocacyOutcome.FUNDS
        )
        Publicity.objects.create(
            library=library, date=DAY, title=f"Berita perpustakaan {village}", media_kind="Media Online", media_name="X"
        )
    return Seeded(
        world=world,
        labruk_manager=make_user("pengelola.labruk@example.id", Role.MANAGER, library=world.lumajang_village),
        belo_laut_manager=make_user("pengelola.belolaut@example.id", Role.MANAGER, library=world.belo_laut),
    )


def search(client: Client, q: str) -> tuple[Any, dict[str, list[str]]]:
    response = client.get("/cari/", {"q": q})
    assert response.status_code == 200
    groups = {group.key: [hit.title for hit in group.hits] for group in response.context["groups"]}
    return response, groups


def people(client: Client, q: str) -> set[str]:
    response = client.get("/cari/", {"q": q})
    return {hit.detail.split(";")[0] for g in response.context["groups"] if g.key == "people" for hit in g.hits}


VILLAGES_SEEN = {
    "manager": {"Sembung"},
    "facilitator_3524": {"Sembung"},
    "province_35": {"Sembung", "Labruk Kidul"},
    "national": {"Sembung", "Labruk Kidul", "Belo Laut"},
}
LIBRARIES_SEEN = {
    "manager": {"Perpustakaan Desa Sembung"},
    "facilitator_3524": {"Perpustakaan Desa Sembung", "Perpustakaan Daerah Lamongan"},
    "province_35": {"Perpustakaan Desa Sembung", "Perpustakaan Daerah Lamongan", "Perpustakaan Desa Labruk Kidul"},
    "national": {
        "Perpustakaan Desa Sembung",
        "Perpustakaan Daerah Lamongan",
        "Perpustakaan Desa Labruk Kidul",
        "Perpustakaan Desa Belo Laut",
    },
}
PEOPLE_SEEN = {
    # A manager sees only the people of their own library.
    "manager": {"sembung@example.id"},
    "facilitator_3524": {"sembung@example.id", "lamongan@example.id"},
    "province_35": {"sembung@example.id", "lamongan@example.id", "jatim@example.id", "pengelola.labruk@example.id"},
    "national": {
        "sembung@example.id",
        "lamongan@example.id",
        "jatim@example.id",
        "pengelola.labruk@example.id",
        "pengelola.belolaut@example.id",
        "bangkabarat@example.id",
        "nasional@example.id",
    },
}
ALL_VILLAGES = {"Sembung", "Labruk Kidul", "Belo Laut"}


@pytest.mark.parametrize("persona", sorted(VILLAGES_SEEN))
def test_it_finds_records_only_in_scope(seeded: Seeded, persona: str) -> None:
    client = seeded.world.client_for(getattr(seeded.world, persona))
    for q, key, prefix in (
        ("pelatihan komputer", "records-pelibatan", "Pelatihan komputer untuk petani "),
        ("audiensi anggaran", "records-advokasi", "Audiensi anggaran literasi "),
        ("berita perpustakaan", "records-publikasi", "Berita perpustakaan "),
    ):
        response, groups = search(client, q)
        assert {title.removeprefix(prefix) for title in groups[key]} == VILLAGES_SEEN[persona]
        html = response.content.decode()
        for village in ALL_VILLAGES - VILLAGES_SEEN[persona]:
            assert prefix + village not in html


@pytest.mark.parametrize("persona", sorted(LIBRARIES_SEEN))
def test_it_finds_libraries_only_in_scope(seeded: Seeded, persona: str) -> None:
    client = seeded.world.client_for(getattr(seeded.world, persona))
    _, groups = search(client, "Perpustakaan")
    assert set(groups["libraries"]) == LIBRARIES_SEEN[persona]


@pytest.mark.parametrize("persona", sorted(PEOPLE_SEEN))
def test_it_finds_people_only_in_scope(seeded: Seeded, persona: str) -> None:
    client = seeded.world.client_for(getattr(seeded.world, persona))
    assert people(client, "example.id") == PEOPLE_SEEN[persona]
    # Asking for someone by name outside the scope says nothing about whether they exist.
    if persona != "national":
        response, groups = search(client, "bangkabarat")
        assert "people" not in groups
        assert "bangkabarat@example.id" not in response.content.decode()


def test_it_shows_regions_only_within_the_areas_covered(seeded: Seeded) -> None:
    world = seeded.world
    _, as_facilitator = search(world.client_for(world.facilitator_3524), "Lumajang")
    _, as_province = search(world.client_for(world.province_35), "Lumajang")
    _, as_national = search(world.client_for(world.national), "Bangka Barat")
    _, as_province_abroad = search(world.client_for(world.province_35), "Bangka Barat")
    assert "regions" not in as_facilitator
    assert as_province["regions"][0] == "Kab. Lumajang"
    assert as_national["regions"][0] == "Kab. Bangka Barat"
    assert "regions" not in as_province_abroad
    # 29 villages are called Sembung across the country; the Lamongan facilitator sees only theirs.
    response = world.client_for(world.facilitator_3524).get("/cari/", {"q": "sembung"})
    regions = next(g for g in response.context["groups"] if g.key == "regions")
    assert regions.count == 1
    assert "/dasbor/?wilayah=35.24.01.2001" in regions.hits[0].url


def test_a_manager_never_sees_regions(seeded: Seeded) -> None:
    _, groups = search(seeded.world.client_for(seeded.world.manager), "Lamongan")
    assert "regions" not in groups


def test_it_sends_anonymous_visitors_to_sign_in(seeded: Seeded) -> None:
    response = Client().get("/cari/", {"q": "Sembung"})
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


def test_it_links_each_hit_to_its_page(seeded: Seeded) -> None:
    world = seeded.world
    client = world.client_for(world.facilitator_3524)
    response = client.get("/cari/", {"q": "Sembung"})
    html = response.content.decode()
    record = CommunityEngagement.objects.get(library=world.lamongan_village)
    assert f'href="/mitra/{world.lamongan_village.pk}/"' in html
    assert f'href="/laporan/pelibatan/{record.pk}/"' in html
    assert client.get(f"/laporan/pelibatan/{record.pk}/").status_code == 200


def test_it_finds_a_library_by_npp_and_by_its_village(seeded: Seeded) -> None:
    client = seeded.world.client_for(seeded.world.national)
    _, by_npp = search(client, "1905012006")
    _, by_village = search(client, "Belo Laut")
    assert by_npp["libraries"] == ["Perpustakaan Desa Belo Laut"]
    assert "Perpustakaan Desa Belo Laut" in by_village["libraries"]


def test_it_finds_part_of_a_word(seeded: Seeded) -> None:
    _, groups = search(seeded.world.client_for(seeded.world.manager), "mbung")
    assert groups["libraries"] == ["Perpustakaan Desa Sembung"]


# ---------------------------------------------------------------------------------------- input limits


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("a", "paling sedikit 2 huruf"),
        ("  a  ", "paling sedikit 2 huruf"),
        ("", "Ketik kata yang dicari"),
        ("x" * 101, "paling banyak 100 huruf (sekarang 101)"),
    ],
)
def test_it_explains_a_query_too_short_or_too_long(world: World, q: str, message: str) -> None:
    response = world.client_for(world.national).get("/cari/", {"q": q})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["groups"] == []


def test_it_accepts_a_query_of_exactly_100_characters(seeded: Seeded) -> None:
    q = ("Sembung " * 13)[:100]
    response = seeded.world.client_for(seeded.world.national).get("/cari/", {"q": q})
    assert response.status_code == 200
    assert response.context["searched"]


def test_it_shows_only_the_box_without_a_query(world: World) -> None:
    response = world.client_for(world.manager).get("/cari/")
    assert response.status_code == 200
    assert not response.context["searched"]
    assert "errorlist" not in response.content.decode()


ODD = [
    "%",
    "%%",
    "_",
    "__",
    "'",
    "''",
    '"',
    "a'b",
    "100%",
    "semb_ng",
    "\\",
    "\\%",
    "<script>",
    "😀😀",
    "ñandú",
    "Ωμέγα",
]
ODD += ["'; DROP TABLE x; --", "a:*", "a & b", "!(x)", "a|b", "x\x00y", "\t\n  ab", "ab\x7f", "((", "'':*", "-- --"]


@pytest.mark.parametrize("q", ODD)
def test_it_never_fails_on_odd_input(seeded: Seeded, q: str) -> None:
    response = seeded.world.client_for(seeded.world.national).get("/cari/", {"q": q})
    assert response.status_code == 200


@pytest.mark.parametrize("q", ["%%", "__", "_%"])
def test_wildcards_are_matched_literally(seeded: Seeded, q: str) -> None:
    _, groups = search(seeded.world.client_for(seeded.world.national), q)
    assert groups == {}


# --------------------------------------------------------------------------------------- bounded work


def test_it_shows_ten_per_group_with_the_full_count(seeded: Seeded) -> None:
    library = seeded.world.lamongan_village
    for n in range(11):
        activity(library, f"Kelas membaca {n}")
    response = seeded.world.client_for(seeded.world.manager).get("/cari/", {"q": "kelas membaca"})
    group = next(g for g in response.context["groups"] if g.key == "records-pelibatan")
    assert len(group.hits) == GROUP_LIMIT
    assert (group.count, group.capped) == (11, False)
    assert "(11)" in response.content.decode()


def test_it_caps_the_count_of_a_common_word(seeded: Seeded) -> None:
    library = seeded.world.lamongan_village
    CommunityEngagement.objects.bulk_create(
        CommunityEngagement(
            library=library,
            title=f"Dongeng anak {n}",
            date=DAY,
            activity_field="Pendidikan",
            activity_kind="Pelatihan",
            audience="Anak-Anak",
            participants=5,
        )
        for n in range(COUNT_CAP + 5)
    )
    response = seeded.world.client_for(seeded.world.national).get("/cari/", {"q": "dongeng"})
    group = next(g for g in response.context["groups"] if g.key == "records-pelibatan")
    assert (group.count, group.capped) == (COUNT_CAP, True)
    assert f"({COUNT_CAP}+)" in response.content.decode()


def test_the_number_of_queries_does_not_grow_with_the_data(seeded: Seeded, django_assert_max_num_queries: Any) -> None:
    world = seeded.world
    for n in range(30):
        activity(world.lamongan_village, f"Perpustakaan keliling {n}")
        make_user(f"petugas{n}.perpustakaan@example.id", Role.MANAGER, library=world.belo_laut)
    client = world.client_for(world.national)
    client.get("/cari/", {"q": "perpustakaan"})  # sessions and caches warm
    # At worst 6 groups × (page + capped count) + region labels + people's roles = 14, plus the request's
    # own (session, user, scope, the bell): 30 matching people and records must not add one query each.
    with django_assert_max_num_queries(18):
        response = client.get("/cari/", {"q": "perpustakaan"})
    assert response.status_code == 200


# ------------------------------------------------------------------------------- database-specific paths


def test_it_finds_a_record_by_its_words_in_any_order(seeded: Seeded) -> None:
    client = seeded.world.client_for(seeded.world.manager)
    for text in ("komputer untuk", "untuk komputer", "petani komp"):
        _, groups = search(client, text)
        assert groups["records-pelibatan"] == ["Pelatihan komputer untuk petani Sembung"], text
    _, groups = search(client, "komputer nelayan")
    assert "records-pelibatan" not in groups


def test_it_lists_the_newest_records_first(seeded: Seeded) -> None:
    world = seeded.world
    activity(world.lamongan_village, "Lomba mewarnai, komputer dan membaca bersama warga desa")
    _, groups = search(world.client_for(world.manager), "komputer")
    assert groups["records-pelibatan"] == [
        "Lomba mewarnai, komputer dan membaca bersama warga desa",
        "Pelatihan komputer untuk petani Sembung",
    ]


@POSTGRES
def test_postgres_forgives_a_typo_in_a_name_when_pg_trgm_is_installed(seeded: Seeded, monkeypatch: Any) -> None:
    assert matching.trigram_available("default"), "the search migration enables pg_trgm"
    client = seeded.world.client_for(seeded.world.facilitator_3524)
    _, groups = search(client, "Sembng")
    assert groups["libraries"] == ["Perpustakaan Desa Sembung"]
    # Without the extension (a role that may not create it) search still works, without typo tolerance.
    monkeypatch.setattr(matching, "trigram_available", lambda alias: False)
    _, without = search(client, "Sembng")
    _, substring = search(client, "mbung")
    assert "libraries" not in without
    assert substring["libraries"] == ["Perpustakaan Desa Sembung"]


@POSTGRES
def test_postgres_typo_tolerance_stays_in_scope(seeded: Seeded) -> None:
    _, groups = search(seeded.world.client_for(seeded.world.facilitator_3524), "Belo Lau")
    assert "libraries" not in groups
    assert "people" not in groups


def test_the_results_page_needs_no_inline_code(seeded: Seeded) -> None:
    from tpbis.core.tests.test_content_security_policy import policy_problems

    client = seeded.world.client_for(seeded.world.national)
    assert policy_problems(client, "/cari/?q=Sembung") == []
    assert policy_problems(client, "/cari/?q=a") == []
