"""`setup_demo`: the seeds' libraries on their real villages, one login per role, idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from tpbis.accounts.models import Invitation, Membership, User
from tpbis.accounts.scope import Scope, scope_for_user
from tpbis.demo.services import DEFAULT_PASSWORD
from tpbis.libraries.models import AccountStatus, Library, LibraryKind, Support
from tpbis.libraries.selectors import LibraryFilters, account_status_counts, library_list_for_user, with_account_status
from tpbis.regions.models import Level

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def first_run(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """Load the demo once for the module, inside a transaction rolled back afterwards.

    Each test still runs in its own savepoint (the `db` fixture), so one test's changes never reach another.
    """
    out = StringIO()
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        call_command("setup_demo", stdout=out)
        try:
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def demo(first_run: str, db: None) -> str:
    return first_run


SEED_LIBRARIES = {
    "19.06.04.2003": "Perpustakaan Desa Cendil",
    "19.01.05.2004": "Perpustakaan Desa Sempan",
    "19.05.01.2005": "Perpustakaan Desa Air Belo",
    "19.05.01.2006": "Perpustakaan Desa Belo Laut",
    "19.05.06.2010": "Perpustakaan Desa Teluk Limau",
    "19.05.02.2007": "Perpustakaan Desa Rambat",
    "19.05.02.2012": "Perpustakaan Desa Bukit Terak",
    "19.05.03.2008": "Perpustakaan Desa Ranggi Asam",
    "19.05.03.2009": "Perpustakaan Desa Ketap",
    "19.05.05.2006": "Perpustakaan Desa Benteng Kota",
    "19.05.06.2001": "Perpustakaan Desa Sekar Biru",
    "19.05.06.2005": "Perpustakaan Desa Puput",
    "19.03.02.2001": "Perpustakaan Desa Tanjung Labu",
    "35.08.21.2004": "Perpustakaan Desa Labruk Kidul",
    "35.05.17.1006": "Perpustakaan Kelurahan Klemunan",
}


def test_it_places_the_seeds_village_libraries_on_their_codes(demo: str) -> None:
    found = {
        lib.region_id: lib for lib in Library.objects.filter(region_id__in=SEED_LIBRARIES, kind=LibraryKind.VILLAGE)
    }
    assert {code: lib.name for code, lib in found.items()} == SEED_LIBRARIES
    assert found["19.05.01.2006"].regency_id == "19.05"
    assert found["19.05.01.2006"].province_id == "19"


def test_it_registers_provincial_and_kabupaten_libraries_at_their_level(demo: str) -> None:
    provincial = dict(Library.objects.filter(kind=LibraryKind.PROVINCE).values_list("region_id", "name"))
    assert provincial == {
        "35": "Dinas Perpustakaan dan Kearsipan Provinsi Jawa Timur",
        "19": "Dinas Perpustakaan dan Kearsipan Provinsi Kepulauan Bangka Belitung",
    }
    regency = set(Library.objects.filter(kind=LibraryKind.REGENCY).values_list("region_id", flat=True))
    assert regency == {"35.24", "19.05", "19.06", "35.08", "35.05", "35.72", "35.13"}
    assert Library.objects.get(kind=LibraryKind.REGENCY, region_id="35.24").name == "Perpustakaan Daerah Lamongan"


def test_it_puts_every_partner_on_a_real_region_of_the_right_level(demo: str) -> None:
    libraries = list(Library.objects.select_related("region"))
    assert 150 <= len(libraries) <= 250
    for library in libraries:
        if library.kind in (LibraryKind.VILLAGE, LibraryKind.TBM):
            assert library.region.level == Level.VILLAGE
            assert library.name.endswith(library.region.name)
            prefix = "Perpustakaan Kelurahan " if library.region.code[9] == "1" else "Perpustakaan Desa "
            assert library.kind == LibraryKind.TBM or library.name.startswith(prefix)
        assert library.province_id in {"35", "19"}
    assert {lib.support for lib in libraries} == set(Support.values)
    assert {lib.cohort_year for lib in libraries} == set(range(2018, 2026))
    funding = {lib.funding_source for lib in libraries if lib.support == Support.REPLICATION}
    assert funding == {"APBD Kabupaten/Kota", "APBDes"}
    assert any(lib.kind == LibraryKind.TBM and lib.name.startswith("TBM ") for lib in libraries)
    assert any(not lib.is_active for lib in libraries)
    assert any(lib.npp for lib in libraries)
    assert any(lib.contact_name and lib.contact_phone for lib in libraries)


def _status_counts(province: str) -> dict[str, Any]:
    return account_status_counts(qs=with_account_status(Library.objects.filter(province_id=province)))


def test_most_east_java_partners_have_no_account_as_the_seeds_report(demo: str) -> None:
    jatim = _status_counts("35")
    assert 60 <= jatim[AccountStatus.NONE]["pct"] <= 80
    assert jatim[AccountStatus.INVITED]["count"] > 0
    assert jatim[AccountStatus.ACTIVATED]["count"] > 0
    assert _status_counts("19")[AccountStatus.NONE]["pct"] < jatim[AccountStatus.NONE]["pct"]


def test_invited_managers_have_an_open_invitation_and_no_password(demo: str) -> None:
    filters = LibraryFilters(account_status=AccountStatus.INVITED, active="all")
    invited = list(library_list_for_user(scope=Scope(national=True), filters=filters))
    assert invited
    for library in invited:
        manager = User.objects.get(memberships__library=library)
        assert not manager.has_usable_password()
        assert manager.last_login is None
        assert manager.email.startswith("pengelola.")
        assert manager.email.endswith("@demo.sim-tpbis.id")
        assert Invitation.objects.get(library=library).is_usable


def test_the_twelve_green_libraries_of_bangka_belitung_have_active_managers(demo: str) -> None:
    green = [code for code in SEED_LIBRARIES if code.startswith("19.") and code != "19.03.02.2001"]
    counts = account_status_counts(qs=with_account_status(Library.objects.filter(region_id__in=green)))
    assert counts["total"] == 12
    assert counts[AccountStatus.ACTIVATED]["count"] == 12


EXPECTED_SCOPES = {
    "nasional@demo.sim-tpbis.id": Scope(national=True),
    "provinsi.jatim@demo.sim-tpbis.id": Scope(provinces=frozenset({"35"})),
    "konsultan@demo.sim-tpbis.id": Scope(provinces=frozenset({"35", "19"})),
    "fasda.lamongan@demo.sim-tpbis.id": Scope(regencies=frozenset({"35.24"})),
    "pic.bangkabarat@demo.sim-tpbis.id": Scope(regencies=frozenset({"19.05"})),
}


def test_it_creates_one_login_per_role_with_its_scope(demo: str) -> None:
    for email, scope in EXPECTED_SCOPES.items():
        assert scope_for_user(User.objects.get(email=email)) == scope, email
    belo_laut = Library.objects.get(region_id="19.05.01.2006", kind=LibraryKind.VILLAGE)
    manager = User.objects.get(email="pengelola.belolaut@demo.sim-tpbis.id")
    assert scope_for_user(manager) == Scope(libraries=frozenset({belo_laut.pk}))
    assert manager.last_login is not None
    national = User.objects.get(email="nasional@demo.sim-tpbis.id")
    assert national.is_staff and national.is_superuser
    titles = dict(Membership.objects.filter(user__email__startswith="pic.").values_list("region_id", "title"))
    assert titles == {"19.05": "pic"}
    assert Membership.objects.get(user__email__startswith="fasda.").title == "fasda"


def test_every_demo_login_signs_in_with_the_demo_password(demo: str) -> None:
    for email in [*EXPECTED_SCOPES, "pengelola.belolaut@demo.sim-tpbis.id"]:
        assert Client().login(username=email, password=DEFAULT_PASSWORD), email


def test_it_prints_the_logins_and_the_address(demo: str) -> None:
    for email in [*EXPECTED_SCOPES, "pengelola.belolaut@demo.sim-tpbis.id"]:
        line = next(line for line in demo.splitlines() if email in line)
        assert DEFAULT_PASSWORD in line
    assert "http://127.0.0.1:8000/" in demo
    # The regions were already there, so they are not loaded again.
    assert "Wilayah dimuat" not in demo


def test_a_second_run_creates_nothing_and_still_prints_the_logins(demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8123")
    before = (Library.objects.count(), User.objects.count(), Membership.objects.count(), Invitation.objects.count())
    out = StringIO()
    call_command("setup_demo", stdout=out)
    after = (Library.objects.count(), User.objects.count(), Membership.objects.count(), Invitation.objects.count())
    assert after == before
    assert "sudah ada" in out.getvalue()
    assert "konsultan@demo.sim-tpbis.id" in out.getvalue()
    assert "http://127.0.0.1:8123/" in out.getvalue()
