"""Inviting managers of libraries without an account, activation links and the QR sheet."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from conftest import World
from tpbis.accounts.models import Invitation, Membership, Role, User
from tpbis.libraries.models import AccountStatus, Library
from tpbis.libraries.selectors import with_account_status


def _status(library: Library) -> str:
    return with_account_status(Library.objects.filter(pk=library.pk)).get().account_status  # type: ignore[attr-defined]


def _link(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"http://[^\s<\"]+/akun/aktivasi/[\w-]+/", response.content.decode())
    assert match, "the activation link is shown"
    return match.group(0).split("127.0.0.1:8000", 1)[-1]


def test_it_counts_a_library_with_an_active_signed_in_manager_as_activated(world: World) -> None:
    assert _status(world.lamongan_district) == AccountStatus.NONE
    world.manager.last_login = timezone.now()
    world.manager.save()
    assert _status(world.lamongan_village) == AccountStatus.ACTIVATED
    world.manager.is_active = False
    world.manager.save()
    assert _status(world.lamongan_village) == AccountStatus.NONE


def test_it_invites_without_email_and_lets_the_first_opener_create_the_manager(world: World) -> None:
    facilitator = world.client_for(world.facilitator_3524)
    response = facilitator.post(
        f"/mitra/{world.lamongan_district.pk}/undang/", {"name": "Bu Siti", "phone": "0812-3456-7890"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Halo Bu Siti," in body
    assert "https://wa.me/6281234567890?text=" in body
    assert _status(world.lamongan_district) == AccountStatus.INVITED
    link = _link(response)

    stranger = Client()
    page = stranger.get(link)
    assert page.status_code == 200
    assert "Perpustakaan Daerah Lamongan" in page.content.decode()
    done = stranger.post(
        link,
        {
            "full_name": "Siti Aminah",
            "email": "Siti@Example.id",
            "password1": "buku-desa-2026",
            "password2": "buku-desa-2026",
        },
    )
    assert done.status_code == 302
    user = User.objects.get(email="siti@example.id")
    assert Membership.objects.filter(user=user, role=Role.MANAGER, library=world.lamongan_district).exists()
    assert _status(world.lamongan_district) == AccountStatus.ACTIVATED
    # One-time: the same link no longer works.
    assert Client().get(link).status_code == 404


def _mailed_link(message: str) -> str:
    match = re.search(r"http://[^\s]+/akun/aktivasi/[\w-]+/", message)
    assert match, "the activation link is in the email"
    return match.group(0).split("127.0.0.1:8000", 1)[-1]


def test_it_emails_an_invitation_when_an_email_is_given(world: World, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    facilitator = world.client_for(world.facilitator_3524)
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator.post(f"/mitra/{world.lamongan_district.pk}/undang/", {"email": "Pustaka@Lamongan.id"})
    assert response.status_code == 200
    # The link goes only to the address; the facilitator gets a text telling the person to check it.
    assert "/akun/aktivasi/" not in response.content.decode()
    assert "pustaka@lamongan.id" in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pustaka@lamongan.id"]
    assert not User.objects.filter(email="pustaka@lamongan.id").exists()
    assert _status(world.lamongan_district) == AccountStatus.INVITED
    link = _mailed_link(mail.outbox[0].body)
    page = Client().post(link, {"full_name": "Pak Budi", "password1": "buku-desa-2026", "password2": "buku-desa-2026"})
    assert page.status_code == 302
    user = User.objects.get(email="pustaka@lamongan.id")
    assert user.check_password("buku-desa-2026")
    assert Membership.objects.filter(user=user, role=Role.MANAGER, library=world.lamongan_district).exists()
    assert _status(world.lamongan_district) == AccountStatus.ACTIVATED


def test_it_refuses_an_expired_link(world: World) -> None:
    response = world.client_for(world.facilitator_3524).post(f"/mitra/{world.lamongan_district.pk}/undang/", {})
    link = _link(response)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert Client().get(link).status_code == 404
    assert _status(world.lamongan_district) == AccountStatus.NONE


def test_it_rejects_mismatched_passwords_and_changes_nothing(world: World) -> None:
    link = _link(world.client_for(world.facilitator_3524).post(f"/mitra/{world.lamongan_district.pk}/undang/", {}))
    response = Client().post(
        link, {"full_name": "X", "email": "x@example.id", "password1": "buku-desa-2026", "password2": "lain-sekali-99"}
    )
    assert response.status_code == 200
    assert "Kedua kata sandi tidak sama" in response.content.decode()
    assert not User.objects.filter(email="x@example.id").exists()


def test_it_refuses_an_email_that_already_has_an_account(world: World) -> None:
    link = _link(world.client_for(world.facilitator_3524).post(f"/mitra/{world.lamongan_district.pk}/undang/", {}))
    response = Client().post(
        link,
        {
            "full_name": "X",
            "email": world.facilitator_1905.email,
            "password1": "buku-desa-2026",
            "password2": "buku-desa-2026",
        },
    )
    assert response.status_code == 200
    assert "sudah terdaftar" in response.content.decode()
    assert not Membership.objects.filter(user=world.facilitator_1905, library=world.lamongan_district).exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("facilitator_1905", 404), ("manager", 403), ("province_35", 200), ("national", 200)]
)
def test_it_lets_only_facilitators_in_scope_invite(world: World, persona: str, status: int) -> None:
    response = world.client_for(getattr(world, persona)).post(f"/mitra/{world.lamongan_village.pk}/undang/", {})
    assert response.status_code == status
    assert Invitation.objects.exists() == (status == 200)


def test_it_prints_a_qr_sheet_for_every_library_without_account_in_a_kabupaten(world: World) -> None:
    response = world.client_for(world.facilitator_3524).post("/mitra/akun/lembar-qr/", {"wilayah": "3524"})
    assert response.status_code == 200
    body = response.content.decode()
    # Sembung has a (not yet activated) manager account: invited, so no card; the district library gets one.
    assert body.count('class="qr-card"') == 1
    assert "Perpustakaan Daerah Lamongan" in body
    assert "<svg" in body
    assert Invitation.objects.filter(library=world.lamongan_district).count() == 1


def test_it_refuses_a_qr_sheet_outside_scope(world: World) -> None:
    response = world.client_for(world.facilitator_3524).post("/mitra/akun/lembar-qr/", {"wilayah": "19.05"})
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_it_counts_account_status_per_child_region(world: World) -> None:
    response = world.client_for(world.province_35).get("/mitra/akun/?wilayah=35")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.context["rows"]}
    assert rows["35.24"]["total"] == 2
    assert rows["35.24"]["invited"] == 1  # Sembung's manager has an account but never signed in
    assert rows["35.24"]["none"] == 1
    assert rows["35.08"]["none"] == 1
    assert response.context["counts"]["none"]["count"] == 2


@pytest.mark.parametrize(("persona", "status"), [("facilitator_3524", 404), ("manager", 403)])
def test_it_hides_onboarding_outside_scope(world: World, persona: str, status: int) -> None:
    response = world.client_for(getattr(world, persona)).get("/mitra/akun/?wilayah=19.05")
    assert response.status_code == status


def test_it_marks_a_library_whose_manager_reported_this_month(world: World) -> None:
    from tpbis.reports.models import CommunityEngagement
    from tpbis.reports.services import record_create

    world.manager.last_login = timezone.now()
    world.manager.save()
    assert _status(world.lamongan_village) == AccountStatus.ACTIVATED
    record_create(
        model=CommunityEngagement,
        user=world.facilitator_3524,  # entered by someone else: the library itself has not reported
        library=world.lamongan_village,
        data={
            "date": timezone.localdate(),
            "title": "Dongeng",
            "activity_field": "Pendidikan",
            "activity_kind": "Promosi",
            "audience": "Anak-Anak",
            "participants": 8,
        },
    )
    assert _status(world.lamongan_village) == AccountStatus.ACTIVATED
    record_create(
        model=CommunityEngagement,
        user=world.manager,
        library=world.lamongan_village,
        data={
            "date": timezone.localdate(),
            "title": "Kelas menulis",
            "activity_field": "Pendidikan",
            "activity_kind": "Pelatihan",
            "audience": "Pelajar",
            "participants": 12,
        },
    )
    assert _status(world.lamongan_village) == AccountStatus.ACTIVE_MONTH
    rows = {r["code"]: r for r in world.client_for(world.province_35).get("/mitra/akun/?wilayah=35").context["rows"]}
    assert rows["35.24"]["active_month"] == 1
