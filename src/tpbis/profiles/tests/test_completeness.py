"""Completeness of the year's profiles on the region dashboard ("profil lengkap: 75%"), per child region."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from conftest import World, make_library
from tpbis.accounts.scope import Scope, scope_for_user
from tpbis.dashboards.selectors import region_for_user
from tpbis.libraries.models import Library
from tpbis.libraries.selectors import library_qs_for_scope
from tpbis.profiles.models import LibraryProfile
from tpbis.profiles.selectors import completeness_by_region
from tpbis.profiles.tests.helpers import YEAR, profile_make


def _plant(world: World) -> None:
    banggle = make_library("Perpustakaan Desa Banggle", "35.24.01.2002")
    talunrejo = make_library("Perpustakaan Desa Talunrejo", "35.24.02.2001")
    profile_make(world.lamongan_village)
    profile_make(world.lamongan_district)
    profile_make(talunrejo)
    profile_make(banggle, year=YEAR - 1)  # last year's profile does not make this year's complete
    profile_make(make_library("Perpustakaan Desa Nonaktif", "35.24.02.2002", is_active=False))
    make_library("TBM Angkatan Depan", "35.24.02.2002", cohort_year=YEAR + 1)
    profile_make(world.lumajang_village)  # another kabupaten


def test_the_kabupaten_dashboard_shows_the_share_of_complete_profiles(world: World) -> None:
    _plant(world)
    response = world.client_for(world.facilitator_3524).get("/dasbor/?wilayah=35.24")
    assert response.status_code == 200
    page = response.content.decode()
    # Sembung, the district library and Talunrejo of the 4 active partners (Banggle only last year).
    assert "profil lengkap: 75%" in page
    assert "(3 dari 4 mitra mengisi profil tahun ini)" in page
    assert f'href="/profil/?wilayah=35.24&amp;tahun={YEAR}"' in page


def test_completeness_is_grouped_by_child_region_in_one_query(world: World, django_assert_num_queries: Any) -> None:
    _plant(world)
    scope = _scope(world)
    region = region_for_user(scope=scope, region_code="35.24")
    with django_assert_num_queries(2):  # the GROUP BY, and the child regions' names
        completeness = completeness_by_region(scope=scope, region=region, year=YEAR)
    rows = {row.code: (row.name, row.expected, row.complete, row.pct) for row in completeness.rows}
    assert rows == {
        "35.24": ("Tingkat Kabupaten Lamongan", 1, 1, 100.0),
        "35.24.01": ("Sukorame", 2, 1, 50.0),
        "35.24.02": ("Bluluk", 1, 1, 100.0),
    }
    assert (completeness.expected, completeness.complete, completeness.pct) == (4, 3, 75.0)


def test_the_province_sees_each_kabupaten(world: World) -> None:
    _plant(world)
    page = world.client_for(world.province_35).get("/dasbor/?wilayah=35").content.decode()
    assert "profil lengkap: 80%" in page  # Lamongan's 3 of 4 and Lumajang's 1 of 1
    assert "Kelengkapan profil per wilayah" in page


def _scope(world: World) -> Scope:
    return scope_for_user(world.facilitator_3524)


def test_completeness_equals_a_count_library_by_library_for_every_region_and_scope(world: World) -> None:
    """The joined count equals counting each expected partner's profile of the year by hand, for the
    nation, a province, a kabupaten/kota, a kecamatan and a village, seen nationally and by a facilitator."""
    _plant(world)
    make_library("Perpustakaan Kabupaten Lumajang", "35.08")
    profile_make(make_library("Perpustakaan Provinsi Jatim", "35"))
    for code in ("35.24.01.2001", "35.08.21.2004", "19.05.01.2006"):
        profile_make(make_library(f"Perpustakaan Desa {code}", code, cohort_year=YEAR), year=YEAR - 1)
    profiled = set(LibraryProfile.objects.filter(year=YEAR).values_list("library_id", flat=True))
    for user in (world.national, world.province_35, world.facilitator_3524):
        scope = scope_for_user(user)
        visible = set(library_qs_for_scope(scope=scope).values_list("pk", flat=True))
        for code in (None, "35", "19", "35.24", "35.08", "35.24.01", "35.24.02", "35.24.01.2001"):
            try:
                region = region_for_user(scope=scope, region_code=code)
            except (Http404, PermissionDenied):
                continue
            expected = [
                lib
                for lib in Library.objects.filter(pk__in=visible, is_active=True, cohort_year__lte=YEAR)
                if not code or lib.region_id == code or lib.region_id.startswith(code + ".")
            ]
            completeness = completeness_by_region(scope=scope, region=region, year=YEAR)
            assert completeness.expected == len(expected), (user, code)
            assert completeness.complete == len([lib for lib in expected if lib.pk in profiled]), (user, code)
            by_child = {row.code: (row.expected, row.complete) for row in completeness.rows}
            length = {None: 2, "35": 5, "19": 5}.get(code, 8 if code and code.count(".") == 1 else 13)
            hand: dict[str, list[int]] = {}
            for lib in expected:
                counts = hand.setdefault(lib.region_id[:length], [0, 0])
                counts[0] += 1
                counts[1] += lib.pk in profiled
            assert by_child == {child: tuple(counts) for child, counts in hand.items()}, (user, code)
