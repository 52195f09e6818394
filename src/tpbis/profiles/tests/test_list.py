"""The profile list of a region and the menu entries that lead to the profile."""

from __future__ import annotations

import random

from conftest import World
from tpbis.profiles.demo import profiles_demo_load
from tpbis.profiles.models import LibraryProfile
from tpbis.profiles.tests.helpers import YEAR, profile_make


def test_the_facilitator_lists_their_kabupatens_profiles_with_the_share_stated(world: World) -> None:
    profile_make(world.lamongan_village, members=1_234)
    profile_make(world.lumajang_village)
    response = world.client_for(world.facilitator_3524).get(f"/profil/?tahun={YEAR}")
    assert response.status_code == 200
    page = response.content.decode()
    names = [library.name for library in response.context["page"]]
    assert names == [world.lamongan_district.name, world.lamongan_village.name]  # by region code
    assert "profil lengkap: 50%" in page
    assert "1.234" in page
    assert "Belum diisi" in page
    assert f'href="/ekspor/iplm.xlsx?tahun={YEAR}&amp;wilayah=35.24"' in page


def test_a_manager_lists_only_their_library_and_cannot_export(world: World) -> None:
    response = world.client_for(world.manager).get("/profil/")
    assert [library.name for library in response.context["page"]] == [world.lamongan_village.name]
    assert "/ekspor/iplm" not in response.content.decode()


def test_the_menu_leads_each_role_to_the_profile(world: World) -> None:
    manager_page = world.client_for(world.manager).get("/", follow=True).content.decode()
    assert f'href="/profil/{world.lamongan_village.pk}/"' in manager_page
    assert "Profil perpustakaan" in manager_page
    facilitator_page = world.client_for(world.facilitator_3524).get("/", follow=True).content.decode()
    assert 'href="/profil/"' in facilitator_page
    assert "Profil IPLM" in facilitator_page


def test_the_demo_states_profiles_with_locations_in_the_demo_kabupaten(world: World) -> None:
    made = profiles_demo_load(rng=random.Random(1), actor=world.national)
    profiles = LibraryProfile.objects.all()
    assert made == profiles.count() >= 1
    assert {p.library.regency_id for p in profiles} <= {"35.24", "19.05"}  # Lumajang's library gets none
    for profile in profiles:
        profile.full_clean()  # within every bound, the location inside Indonesia
        assert profile.latitude is not None
