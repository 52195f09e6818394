"""`setup_demo`: the seeds' libraries on their real villages, one login per role, idempotent."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Max, Min
from django.test import Client, override_settings
from django.utils import timezone
from PIL import Image

from tpbis.accounts.models import Invitation, Membership, Role, User
from tpbis.accounts.scope import Scope, scope_for_user
from tpbis.demo.services import DEFAULT_PASSWORD
from tpbis.kpi.models import Colour, CurrentScore, MonthScore
from tpbis.libraries.models import AccountStatus, Library, LibraryKind, Support
from tpbis.libraries.selectors import LibraryFilters, account_status_counts, library_list_for_user, with_account_status
from tpbis.regions.models import Level
from tpbis.reports.audit import audit_for
from tpbis.reports.models import (
    Advocacy,
    AdvocacyOutcome,
    AuditAction,
    AuditEntry,
    CommunityEngagement,
    InformationService,
    Photo,
    Publicity,
    Replication,
    Status,
    Visitors,
    VocabularyKind,
    VocabularyTerm,
)
from tpbis.reports.rules import record_validate_entry
from tpbis.reports.selectors import returned_for_library, verification_queue

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the demo's photos go: a temporary folder, never the developer's media."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def first_run(django_db_setup: None, django_db_blocker: Any, demo_media: Path) -> Iterator[str]:
    """Load the demo once for the module, inside a transaction rolled back afterwards.

    Each test still runs in its own savepoint (the `db` fixture), so one test's changes never reach another.
    """
    out = StringIO()
    demo_settings = override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=str(demo_media))
    with django_db_blocker.unblock(), demo_settings, transaction.atomic():
        call_command("setup_demo", stdout=out)
        try:
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def demo(first_run: str, db: None, settings: Any, demo_media: Path) -> str:
    # The autouse per-test MEDIA_ROOT would hide the photos the module fixture wrote.
    settings.MEDIA_ROOT = str(demo_media)
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


def test_invited_managers_have_an_open_invitation_and_no_account_yet(demo: str) -> None:
    filters = LibraryFilters(account_status=AccountStatus.INVITED, active="all")
    invited = list(library_list_for_user(scope=Scope(national=True), filters=filters))
    assert invited
    for library in invited:
        # Invited by email: no account exists until the person follows the emailed link.
        assert not User.objects.filter(memberships__library=library).exists()
        invitation = Invitation.objects.get(library=library)
        assert invitation.is_usable
        assert invitation.email.startswith("pengelola.")
        assert invitation.email.endswith("@demo.sim-tpbis.id")
        assert not User.objects.filter(email=invitation.email).exists()


def test_the_twelve_green_libraries_of_bangka_belitung_have_active_managers(demo: str) -> None:
    green = [code for code in SEED_LIBRARIES if code.startswith("19.") and code != "19.03.02.2001"]
    counts = account_status_counts(qs=with_account_status(Library.objects.filter(region_id__in=green)))
    assert counts["total"] == 12
    # Signed in; those that entered a record since the first of the month count as reporting this month.
    assert counts[AccountStatus.ACTIVATED]["count"] + counts[AccountStatus.ACTIVE_MONTH]["count"] == 12


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
    before = _row_counts()
    out = StringIO()
    call_command("setup_demo", stdout=out)
    after = _row_counts()
    assert after == before
    assert "sudah ada" in out.getvalue()
    assert "konsultan@demo.sim-tpbis.id" in out.getvalue()
    assert "http://127.0.0.1:8123/" in out.getvalue()


def _row_counts() -> tuple[int, ...]:
    models: list[Any] = [Library, User, Membership, Invitation, *RECORD_MODELS, Replication, AuditEntry, Photo]
    return tuple(model.objects.count() for model in models)


# -- records --------------------------------------------------------------------------------------

RECORD_MODELS: tuple[Any, ...] = (CommunityEngagement, Advocacy, Publicity, InformationService, Visitors)
GREEN = [code for code in SEED_LIBRARIES if code.startswith("19.") and code != "19.03.02.2001"]


def test_it_gives_the_libraries_records_of_every_type_in_every_status(demo: str) -> None:
    statuses: set[str] = set()
    for model in RECORD_MODELS:
        found = set(model.objects.values_list("status", flat=True).distinct())
        assert Status.VERIFIED in found, model.__name__
        statuses |= found
    assert statuses == set(Status.values)
    assert Visitors.objects.filter(status=Status.SUBMITTED).exists()
    assert Advocacy.objects.filter(outcome=AdvocacyOutcome.FUNDS, amount__gt=0).exists()
    assert Advocacy.objects.filter(outcome=AdvocacyOutcome.IN_KIND, resource_persons__gt=0).exists()
    assert Advocacy.objects.filter(outcome=AdvocacyOutcome.IN_KIND, goods__gt=0).exists()
    assert Advocacy.objects.filter(
        outcome=AdvocacyOutcome.REGULATION, regulation_kind="Peraturan Kepala Desa/Lurah", regulation_date__isnull=False
    ).exists()
    assert set(InformationService.objects.values_list("month", flat=True).distinct()) == {1, 7}
    assert CommunityEngagement.objects.exclude(story="").exists()
    assert CommunityEngagement.objects.filter(participants_disability__gt=0).exists()
    assert "Laporan demo:" in demo


def test_the_records_use_the_vocabularies(demo: str) -> None:
    terms = {
        kind: set(VocabularyTerm.objects.filter(kind=kind).values_list("value", flat=True)) for kind in VocabularyKind
    }
    engagements = CommunityEngagement.objects.all()
    assert set(engagements.values_list("activity_field", flat=True)) <= terms[VocabularyKind.ACTIVITY_FIELD]
    assert set(engagements.values_list("activity_kind", flat=True)) == terms[VocabularyKind.ACTIVITY_KIND]
    assert set(engagements.values_list("audience", flat=True)) <= terms[VocabularyKind.ENGAGEMENT_AUDIENCE]
    for targets in Advocacy.objects.values_list("targets", flat=True):
        assert targets and set(targets) <= terms[VocabularyKind.ADVOCACY_TARGET]
    regulations = set(Advocacy.objects.exclude(regulation_kind="").values_list("regulation_kind", flat=True))
    assert regulations <= terms[VocabularyKind.REGULATION_KIND]
    assert set(Publicity.objects.values_list("media_kind", flat=True)) == terms[VocabularyKind.MEDIA_KIND]
    assert set(Replication.objects.values_list("funding_source", flat=True)) <= terms[VocabularyKind.FUNDING_SOURCE]


def test_publicity_links_never_pose_as_real_posts(demo: str) -> None:
    names = set(Publicity.objects.values_list("media_name", flat=True))
    assert {"Instagram", "Facebook", "Radar Bangka"} <= names
    assert any(name.startswith("RRI") for name in names)
    for link in Publicity.objects.values_list("link", flat=True):
        parts = urlsplit(link)
        assert parts.scheme == "https"
        assert parts.hostname == "example.org" or parts.path == "/", link


def test_records_cover_january_of_last_year_to_today(demo: str) -> None:
    today = timezone.localdate()
    dates = CommunityEngagement.objects.aggregate(first=Min("date"), last=Max("date"))
    assert dates["first"] >= dt.date(today.year - 1, 1, 1)
    assert dates["first"] < dt.date(today.year - 1, 2, 1)
    assert dates["last"] <= today
    months = set(Visitors.objects.values_list("year", "month").distinct())
    assert (today.year - 1, 1) in months and (today.year - 1, 12) in months
    # Entered over time, not all on the day the demo was loaded.
    assert CommunityEngagement.objects.filter(created_at__year=today.year - 1).exists()
    assert Visitors.objects.filter(input_date__year=today.year - 1).exists()


def test_libraries_without_an_account_have_no_records(demo: str) -> None:
    with_manager = Membership.objects.filter(role=Role.MANAGER).values("library_id")
    for model in RECORD_MODELS:
        assert not model.objects.exclude(library_id__in=with_manager).exists(), model.__name__
    reporting = set(CommunityEngagement.objects.values_list("library_id", flat=True))
    assert 40 <= len(reporting) <= 120


def test_the_twelve_green_libraries_report_enough_of_every_type_this_year(demo: str) -> None:
    year = timezone.localdate().year
    libraries = Library.objects.filter(region_id__in=GREEN, kind=LibraryKind.VILLAGE)
    assert libraries.count() == 12
    for library in libraries:
        verified = {"library": library, "status": Status.VERIFIED}
        assert CommunityEngagement.objects.filter(**verified, date__year=year).count() >= 7, library.name
        assert Advocacy.objects.filter(**verified, date__year=year).count() >= 14, library.name
        assert Publicity.objects.filter(**verified, date__year=year).count() >= 4, library.name
        assert Visitors.objects.filter(**verified, year=year).exists(), library.name
        assert InformationService.objects.filter(
            **verified, year=year, month=1, books__gte=1000, digital_books__gte=100, computers__gte=3, bandwidth__gte=20
        ).exists(), library.name


def test_the_twelve_green_libraries_open_green_with_score_100(demo: str) -> None:
    scores = CurrentScore.objects.filter(library__region_id__in=GREEN, library__kind=LibraryKind.VILLAGE)
    assert sorted(scores.values_list("score", "colour")) == [(100, Colour.GREEN)] * 12
    colours = set(CurrentScore.objects.values_list("colour", flat=True))
    assert {Colour.GREEN, Colour.YELLOW, Colour.RED} <= colours
    assert MonthScore.objects.filter(library__region_id="19.05.01.2006").exists()


def test_verified_records_were_verified_after_entry_by_an_officer_of_their_region(demo: str) -> None:
    verifiers = {user.pk: scope_for_user(user) for user in User.objects.filter(email__in=EXPECTED_SCOPES)}
    for model in RECORD_MODELS:
        records = model.objects.filter(status=Status.VERIFIED).select_related("library")
        for record in records:
            assert record.verified_at > record.created_at
            assert record.verified_by_id != record.entered_by_id
            role = verifiers[record.verified_by_id].role_for_region(record.library.region_id)
            assert Scope.at_least(role, Role.FACILITATOR), record
    bangka_barat = CommunityEngagement.objects.filter(status=Status.VERIFIED, library__regency_id="19.05")
    assert {r.verified_by.email for r in bangka_barat.select_related("verified_by")} == {
        "pic.bangkabarat@demo.sim-tpbis.id"
    }
    for model in RECORD_MODELS:
        assert not model.objects.exclude(status=Status.VERIFIED).exclude(verified_by=None).exists()


def test_every_record_has_its_history(demo: str) -> None:
    for model in (*RECORD_MODELS, Replication):
        entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
        assert entries.filter(action=AuditAction.CREATE).count() == model.objects.count()
        assert entries.filter(action=AuditAction.VERIFY).count() == model.objects.filter(status=Status.VERIFIED).count()
    returned = CommunityEngagement.objects.filter(status=Status.RETURNED).first()
    assert returned is not None
    history = list(audit_for(returned))
    assert [entry.action for entry in history] == [AuditAction.CREATE, AuditAction.RETURN]
    assert history[0].at == returned.created_at and history[0].user_id == returned.entered_by_id
    assert history[1].comment == returned.return_comment != ""
    assert history[1].at > history[0].at


def test_engagements_count_participants_by_sex(demo: str) -> None:
    assert not CommunityEngagement.objects.filter(participants_male__isnull=True).exists()
    assert not CommunityEngagement.objects.exclude(
        participants=F("participants_male") + F("participants_female")
    ).exists()
    assert not Visitors.objects.exclude(total=F("male") + F("female")).exists()


def test_demo_records_pass_the_entry_rules(demo: str) -> None:
    for model in RECORD_MODELS:
        for record in model.objects.select_related("library"):
            record_validate_entry(record)


def test_the_verification_queue_waits_oldest_first(demo: str) -> None:
    facilitator = User.objects.get(email="pic.bangkabarat@demo.sim-tpbis.id")
    queue = list(
        verification_queue(model=CommunityEngagement, scope=scope_for_user(facilitator), user_id=facilitator.pk)
    )
    assert len(queue) >= 3
    assert queue[0].created_at < queue[-1].created_at
    assert Replication.objects.filter(region_id="19.05", funding_source="APBD", status=Status.VERIFIED).exists()
    assert Replication.objects.filter(region_id="35.24", status=Status.SUBMITTED).exists()


def test_the_demo_manager_has_a_record_to_correct_and_a_draft(demo: str) -> None:
    belo_laut = Library.objects.get(region_id="19.05.01.2006", kind=LibraryKind.VILLAGE)
    returned = returned_for_library(library_id=belo_laut.pk)
    assert [r.return_comment for r in returned] == ["Foto kegiatan belum dilampirkan, mohon ditambahkan."]
    assert Publicity.objects.filter(library=belo_laut, status=Status.DRAFT).exists()
    client = Client()
    client.force_login(User.objects.get(email="pengelola.belolaut@demo.sim-tpbis.id"))
    response = client.get(f"/mitra/{belo_laut.pk}/")
    assert "1 laporan dikembalikan untuk diperbaiki" in response.content.decode()


def test_recent_engagements_have_demo_photos(demo: str) -> None:
    photos = Photo.objects.filter(content_type=ContentType.objects.get_for_model(CommunityEngagement))
    per_record = Counter(photos.values_list("object_id", flat=True))
    assert len(per_record) >= 30
    assert set(per_record.values()) == {1, 2}
    photo = photos.first()
    assert photo is not None
    with Image.open(photo.image.path) as image:
        assert image.size == (640, 480)
    engagement = CommunityEngagement.objects.get(pk=photo.object_id)
    client = Client()
    client.force_login(User.objects.get(email="nasional@demo.sim-tpbis.id"))
    response = client.get(f"/laporan/pelibatan/{engagement.pk}/")
    assert response.status_code == 200
    assert client.get(f"/laporan/foto/{photo.pk}/thumb/").status_code == 200
