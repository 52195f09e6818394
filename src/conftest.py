"""Shared fixtures: the real region hierarchy (loaded once per test database) and five personas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tpbis.accounts.models import Membership, Role, Title, User
from tpbis.core.tests.browser import browser, browser_page, database_restored  # noqa: F401 (shared fixtures)
from tpbis.libraries.models import Library, LibraryKind, Support
from tpbis.regions.services import regions_load

PASSWORD = "rahasia-uji-123"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Every test sees the full Kemendagri hierarchy; it is loaded once, outside test transactions."""
    with django_db_blocker.unblock():
        regions_load()
    yield


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")


def make_library(name: str, region_code: str, kind: str = LibraryKind.VILLAGE, **extra: Any) -> Library:
    fields: dict[str, Any] = {"support": Support.FULL, "cohort_year": 2022, **extra}
    return Library.objects.create(name=name, kind=kind, region_id=region_code, **fields)


def make_user(
    email: str, role: str, *, region: str | None = None, library: Library | None = None, title: str = ""
) -> User:
    user = User.objects.create_user(email, PASSWORD, full_name=email.split("@")[0].replace(".", " ").title())
    Membership.objects.create(user=user, role=role, region_id=region, library=library, title=title)
    return user


@dataclass
class World:
    """Libraries in three kabupaten and the five personas of the style guide."""

    lamongan_village: Library  # Sembung, Kec. Sukorame?, Kab. Lamongan (35.24)
    lamongan_district: Library  # Perpustakaan Daerah Lamongan, at kabupaten level
    lumajang_village: Library  # Labruk Kidul, Kab. Lumajang (35.08): East Java, not Lamongan
    belo_laut: Library  # Belo Laut, Kab. Bangka Barat (19.05)
    national: User
    province_35: User
    facilitator_3524: User
    facilitator_1905: User
    manager: User  # manages lamongan_village

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def world(db: None) -> World:
    return world_build()


def world_build() -> World:
    """The `world` fixture's data, for module fixtures that build it once (the authorization matrix)."""
    lamongan_village = make_library("Perpustakaan Desa Sembung", "35.24.01.2001")
    lamongan_district = make_library(
        "Perpustakaan Daerah Lamongan", "35.24", kind=LibraryKind.REGENCY, cohort_year=2019
    )
    lumajang_village = make_library("Perpustakaan Desa Labruk Kidul", "35.08.21.2004", support=Support.BOOKS)
    belo_laut = make_library("Perpustakaan Desa Belo Laut", "19.05.01.2006", npp="1905012006")
    return World(
        lamongan_village=lamongan_village,
        lamongan_district=lamongan_district,
        lumajang_village=lumajang_village,
        belo_laut=belo_laut,
        national=make_user("nasional@example.id", Role.NATIONAL),
        province_35=make_user("jatim@example.id", Role.PROVINCE, region="35", title=Title.PIC_PROVINCE),
        facilitator_3524=make_user("lamongan@example.id", Role.FACILITATOR, region="35.24", title=Title.FASDA),
        facilitator_1905=make_user("bangkabarat@example.id", Role.FACILITATOR, region="19.05", title=Title.PIC),
        manager=make_user("sembung@example.id", Role.MANAGER, library=lamongan_village),
    )
