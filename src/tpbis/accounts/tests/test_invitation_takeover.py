"""An invitation never sets the password of, nor changes, an account that exists; it tells a facilitator nothing
about accounts elsewhere; accepting one closes the library's other links."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.core import mail
from django.test import Client

from conftest import PASSWORD, World
from tpbis.accounts.models import Invitation, Membership, Role, User
from tpbis.accounts.services import manager_invite
from tpbis.audit.models import AuditEvent

NEW_PASSWORD = "kata-sandi-penyerang-99"


def _invite(client: Client, library_pk: int, email: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(f"/mitra/{library_pk}/undang/", {"email": email, "name": "", "phone": ""})


def _mailed_link(to: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [to])
    match = re.search(r"http://[^\s]+/akun/aktivasi/[\w-]+/", message.body)
    assert match
    return match.group(0).split("127.0.0.1:8000", 1)[-1]


def _page_link(response: Any) -> str:
    match = re.search(r"http://[^\s<\"]+/akun/aktivasi/[\w-]+/", response.content.decode())
    assert match, "an open link is shown"
    return match.group(0).split("127.0.0.1:8000", 1)[-1]


def _signup(link: str, **extra: str) -> Any:
    data = {"full_name": "Penyerang", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **extra}
    return Client().post(link, data)


def test_it_never_lets_an_invitation_set_the_national_accounts_password(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=world.national.pk).update(is_superuser=True, is_staff=True)
    facilitator = world.client_for(world.facilitator_3524)

    response = _invite(facilitator, world.lamongan_village.pk, world.national.email, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    # The facilitator never sees a link for an address: it goes to the mailbox only.
    assert "/akun/aktivasi/" not in response.content.decode()
    link = _mailed_link(world.national.email)
    # Even holding the mailed link, nobody can set the password: the page asks to sign in.
    page = Client().get(link).content.decode()
    assert "Masuk untuk menerima" in page and "password1" not in page
    answer = _signup(link)
    assert answer.status_code in (200, 403)
    national = User.objects.get(pk=world.national.pk)
    assert national.check_password(PASSWORD)
    assert not national.check_password(NEW_PASSWORD)
    assert Client().login(email=world.national.email, password=PASSWORD)
    assert not Client().login(email=world.national.email, password=NEW_PASSWORD)
    assert not Membership.objects.filter(user=national, library=world.lamongan_village).exists()


def test_it_refuses_an_open_link_for_an_existing_address_without_touching_it(world: World) -> None:
    facilitator = world.client_for(world.facilitator_3524)
    link = _page_link(facilitator.post(f"/mitra/{world.lamongan_village.pk}/undang/", {}))

    response = _signup(link, email=world.national.email)

    assert response.status_code == 200
    assert "sudah terdaftar" in response.content.decode()
    national = User.objects.get(pk=world.national.pk)
    assert national.check_password(PASSWORD) and national.full_name == world.national.full_name
    assert not Membership.objects.filter(user=national, library=world.lamongan_village).exists()


def test_it_answers_the_same_for_an_existing_and_a_new_address(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    facilitator = world.client_for(world.facilitator_3524)

    def shown(email: str) -> str:
        html = _invite(facilitator, world.lamongan_village.pk, email, django_capture_on_commit_callbacks)
        return html.content.decode().replace(email, "EMAIL").replace(quote(email), "EMAIL")

    existing = shown(world.national.email)
    User.objects.filter(pk=world.facilitator_1905.pk).update(is_active=False)
    disabled = shown(world.facilitator_1905.email)
    new = shown("belum.ada@example.id")

    strip = re.compile(r"[A-Za-z0-9]{64}|\d{1,2}(?:%20| )\w+(?:%20| )\d{4}")  # CSRF tokens, dates
    assert strip.sub("", existing) == strip.sub("", new) == strip.sub("", disabled)


def test_it_adds_the_role_only_after_the_owner_signs_in_and_accepts(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    facilitator = world.client_for(world.facilitator_3524)
    _invite(facilitator, world.lamongan_village.pk, world.facilitator_1905.email, django_capture_on_commit_callbacks)
    link = _mailed_link(world.facilitator_1905.email)
    assert not Membership.objects.filter(user=world.facilitator_1905, library=world.lamongan_village).exists()

    owner = Client()
    assert owner.login(email=world.facilitator_1905.email, password=PASSWORD)
    assert "Terima undangan" in owner.get(link).content.decode()
    accepted = owner.post(link)

    assert accepted.status_code == 302
    assert Membership.objects.filter(
        user=world.facilitator_1905, role=Role.MANAGER, library=world.lamongan_village
    ).exists()
    assert User.objects.get(pk=world.facilitator_1905.pk).check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="role_add", actor=world.facilitator_1905).exists()
    assert Client().get(link).status_code == 404  # used once


def test_it_refuses_the_acceptance_from_another_signed_in_account(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    facilitator = world.client_for(world.facilitator_3524)
    _invite(facilitator, world.lamongan_village.pk, world.national.email, django_capture_on_commit_callbacks)
    link = _mailed_link(world.national.email)

    response = facilitator.post(link)

    assert response.status_code == 403
    assert not Membership.objects.filter(user=world.facilitator_3524, role=Role.MANAGER).exists()
    assert not Membership.objects.filter(user=world.national, role=Role.MANAGER).exists()


def test_it_closes_the_librarys_other_links_when_one_is_used(world: World) -> None:
    first = manager_invite(library=world.belo_laut, created_by=world.facilitator_1905)
    second = manager_invite(library=world.belo_laut, created_by=world.facilitator_1905)
    link = f"/akun/aktivasi/{first.token}/"

    assert _signup(link, email="pengelola.belolaut@example.id").status_code == 302

    second.invitation.refresh_from_db()
    assert second.invitation.revoked_at is not None
    assert Client().get(f"/akun/aktivasi/{second.token}/").status_code == 404
    answer = _signup(f"/akun/aktivasi/{second.token}/", email="orang.kedua@example.id")
    assert answer.status_code == 404
    managers = Membership.objects.filter(library=world.belo_laut, role=Role.MANAGER)
    assert [m.user.email for m in managers] == ["pengelola.belolaut@example.id"]
    revoked = AuditEvent.objects.filter(action="invite_revoke", object_id=second.invitation.pk)
    assert revoked.exists()


def test_it_stops_a_link_after_too_many_refused_sign_ups(world: World) -> None:
    issued = manager_invite(library=world.belo_laut, created_by=world.facilitator_1905)
    link = f"/akun/aktivasi/{issued.token}/"
    for _ in range(Invitation.MAX_FAILED_ATTEMPTS):
        assert _signup(link, email=world.national.email).status_code == 200

    assert Client().get(link).status_code == 404


def test_it_audits_who_invited_whom(world: World, django_capture_on_commit_callbacks: Any) -> None:
    facilitator = world.client_for(world.facilitator_3524)
    _invite(facilitator, world.lamongan_village.pk, "baru@example.id", django_capture_on_commit_callbacks)

    event = AuditEvent.objects.get(action="invite")
    assert event.actor == world.facilitator_3524
    assert event.library_id == world.lamongan_village.pk
    assert event.changes["email"] == [None, "baru@example.id"]
