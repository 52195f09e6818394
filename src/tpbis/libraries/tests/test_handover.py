"""Manager hand-over (*serah terima*): the old manager's access ends, their work stays theirs, a successor is
invited, and the library's history says who did it and when."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from conftest import World, make_user
from tpbis.accounts.models import Invitation, Membership, Role, User
from tpbis.accounts.services import manager_invite
from tpbis.api.tokens import token_create
from tpbis.audit.models import AuditAction, AuditEvent
from tpbis.libraries.handover import library_handover, manager_remove
from tpbis.notifications.models import Kind, Notification
from tpbis.reports.models import CommunityEngagement
from tpbis.reports.photos import photos_prepare
from tpbis.reports.services import record_create
from tpbis.reports.tests.test_entry import jpeg

NEW_PASSWORD = "sandi-baru-yang-panjang-1"


def _engagement(world: World, title: str = "Pelatihan menjahit") -> CommunityEngagement:
    record, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        library=world.lamongan_village,
        data={
            "date": timezone.localdate() - dt.timedelta(days=3),
            "title": title,
            "activity_field": "Ekonomi",
            "activity_kind": "Pelatihan",
            "audience": "Umum",
            "participants": 12,
        },
        photos=photos_prepare(files=[jpeg()]),
    )
    return record


def _hand_over(client: Client, world: World, capture: Any, **data: str) -> Any:
    body = {"old_user": str(world.manager.pk), "comment": "Pindah tugas ke kantor kecamatan", "invite": "link"}
    with capture(execute=True):
        return client.post(f"/mitra/{world.lamongan_village.pk}/serah-terima/", {**body, **data})


def _link_in(text: str) -> str:
    match = re.search(r"http://[^\s<\"]+/akun/aktivasi/[\w-]+/", text)
    assert match, "an activation link is given"
    return match.group(0).split("127.0.0.1:8000", 1)[-1]


def test_it_ends_the_old_managers_access_and_keeps_their_records_theirs(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    record = _engagement(world)
    _, key = token_create(user=world.manager, name="HP lama", read_only=False)
    old = world.client_for(world.manager)
    assert old.get(f"/mitra/{world.lamongan_village.pk}/").status_code == 200

    response = _hand_over(world.client_for(world.facilitator_3524), world, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert not Membership.objects.filter(user=world.manager, library=world.lamongan_village).exists()
    world.manager.refresh_from_db()
    assert world.manager.is_active, "the account stays"
    record.refresh_from_db()
    assert record.entered_by_id == world.manager.pk, "what they entered stays attributed to them"
    assert old.get(f"/mitra/{world.lamongan_village.pk}/").status_code == 404
    assert old.get(f"/laporan/pelibatan/{record.pk}/").status_code == 404
    assert old.get(f"/laporan/pelibatan/{record.pk}/ubah/").status_code == 404
    assert old.get("/").status_code == 403, "home no longer lands on the library"
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(f"/api/v1/records/pelibatan/{record.pk}").status_code == 404
    assert api.get(f"/api/v1/partners/{world.lamongan_village.pk}").status_code == 404


def test_it_invites_the_successor_with_a_link_that_works(world: World, django_capture_on_commit_callbacks: Any) -> None:
    response = _hand_over(
        world.client_for(world.facilitator_3524),
        world,
        django_capture_on_commit_callbacks,
        invite="email",
        email="Pengelola.Baru@example.id",
        name="Sri Wahyuni",
    )

    assert response.status_code == 200
    invitation = Invitation.objects.get(library=world.lamongan_village, email="pengelola.baru@example.id")
    assert invitation.role == Role.MANAGER
    assert invitation.created_by == world.facilitator_3524
    message = next(m for m in mail.outbox if m.to == ["pengelola.baru@example.id"])
    link = _link_in(message.body)
    data = {"full_name": "Sri Wahyuni", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert Client().post(link, data).status_code == 302
    successor = User.objects.get(email="pengelola.baru@example.id")
    assert Membership.objects.filter(user=successor, library=world.lamongan_village, role=Role.MANAGER).exists()
    assert world.client_for(successor).get(f"/mitra/{world.lamongan_village.pk}/").status_code == 200


def test_it_shows_an_open_link_for_whatsapp(world: World, django_capture_on_commit_callbacks: Any) -> None:
    response = _hand_over(world.client_for(world.facilitator_3524), world, django_capture_on_commit_callbacks)

    page = response.content.decode()
    assert "https://wa.me/" in page
    link = _link_in(page)
    assert Client().get(link).status_code == 200
    assert Invitation.objects.get(library=world.lamongan_village, email="").accepted_at is None


def test_it_writes_the_hand_over_into_the_librarys_history(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    facilitator = world.client_for(world.facilitator_3524)
    _hand_over(facilitator, world, django_capture_on_commit_callbacks, invite="email", email="baru@example.id")

    event = AuditEvent.objects.get(action=AuditAction.HANDOVER, library_id=world.lamongan_village.pk)
    assert event.actor == world.facilitator_3524
    assert event.comment == "Pindah tugas ke kantor kecamatan"
    assert world.manager.email in event.changes["pengelola"][0]
    assert event.changes["pengelola"][1] == "baru@example.id"
    page = facilitator.get(f"/mitra/{world.lamongan_village.pk}/").content.decode()
    history = page[page.index('id="history-title"') :]
    assert "Serah terima" in history
    assert world.facilitator_3524.email in history
    assert timezone.localtime(event.at).strftime("%Y") in history
    assert "Pindah tugas ke kantor kecamatan" in history


def test_it_tells_the_old_manager(world: World, django_capture_on_commit_callbacks: Any) -> None:
    _hand_over(world.client_for(world.facilitator_3524), world, django_capture_on_commit_callbacks)

    note = Notification.objects.get(recipient=world.manager, kind=Kind.HANDOVER)
    assert world.lamongan_village.name in note.title
    assert "Pindah tugas ke kantor kecamatan" in note.body


def test_it_ends_access_without_inviting_anyone(world: World, django_capture_on_commit_callbacks: Any) -> None:
    response = _hand_over(
        world.client_for(world.facilitator_3524), world, django_capture_on_commit_callbacks, invite="none"
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(library=world.lamongan_village).exists()
    assert not Invitation.objects.filter(library=world.lamongan_village).exists()


def test_it_keeps_the_other_managers_access(world: World) -> None:
    second = make_user("kedua.sembung@example.id", Role.MANAGER, library=world.lamongan_village)

    manager_remove(
        library=world.lamongan_village, actor=world.facilitator_3524, old_user=world.manager, comment="Pensiun"
    )

    assert world.client_for(second).get(f"/mitra/{world.lamongan_village.pk}/").status_code == 200
    assert world.client_for(world.manager).get(f"/mitra/{world.lamongan_village.pk}/").status_code == 404


def test_it_lets_a_library_have_two_managers_invited_by_email(world: World) -> None:
    first = manager_invite(library=world.belo_laut, created_by=world.facilitator_1905, email="satu@example.id")
    second = manager_invite(library=world.belo_laut, created_by=world.facilitator_1905, email="dua@example.id")
    for issued, email in ((first, "satu@example.id"), (second, "dua@example.id")):
        data = {"full_name": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        assert Client().post(f"/akun/aktivasi/{issued.token}/", data).status_code == 302

    managers = Membership.objects.filter(library=world.belo_laut, role=Role.MANAGER)
    assert sorted(m.user.email for m in managers) == ["dua@example.id", "satu@example.id"]
    page = world.client_for(world.facilitator_1905).get(f"/mitra/{world.belo_laut.pk}/").content.decode()
    assert page.count("serah-terima/?pengelola=") == 4, "Serahkan and Akhiri akses for each manager"


def test_it_hides_the_library_from_a_facilitator_of_another_region(world: World) -> None:
    outsider = world.client_for(world.facilitator_1905)
    url = f"/mitra/{world.lamongan_village.pk}/serah-terima/"

    assert outsider.get(url).status_code == 404
    answer = outsider.post(url, {"old_user": world.manager.pk, "comment": "x", "invite": "none"})

    assert answer.status_code == 404
    assert Membership.objects.filter(user=world.manager, library=world.lamongan_village).exists()


def test_it_refuses_the_manager_themself(world: World) -> None:
    other = make_user("kedua.sembung@example.id", Role.MANAGER, library=world.lamongan_village)
    manager = world.client_for(world.manager)
    url = f"/mitra/{world.lamongan_village.pk}/serah-terima/"

    assert manager.get(url).status_code == 403
    assert manager.post(url, {"old_user": other.pk, "comment": "x", "invite": "none"}).status_code == 403
    assert Membership.objects.filter(user=other, library=world.lamongan_village).exists()
    page = manager.get(f"/mitra/{world.lamongan_village.pk}/").content.decode()
    assert "serah-terima" not in page


def test_a_second_hand_over_of_the_same_manager_says_who_was_faster(world: World) -> None:
    province = world.province_35
    library_handover(
        library=world.lamongan_village,
        actor=world.facilitator_3524,
        old_user=world.manager,
        new_email="",
        comment="Pindah tugas",
    )

    with pytest.raises(ValidationError) as refused:
        library_handover(
            library=world.lamongan_village, actor=province, old_user=world.manager, new_email="", comment="Pindah"
        )

    text = " ".join(refused.value.messages)
    assert "baru saja diakhiri" in text
    assert world.facilitator_3524.get_full_name() in text
    assert AuditEvent.objects.filter(action=AuditAction.HANDOVER).count() == 1
    assert Invitation.objects.filter(library=world.lamongan_village).count() == 1, "the loser invited nobody"


def test_a_stale_form_gets_the_clear_message(world: World, django_capture_on_commit_callbacks: Any) -> None:
    first = world.client_for(world.facilitator_3524)
    second = world.client_for(world.province_35)
    _hand_over(first, world, django_capture_on_commit_callbacks, invite="none")

    response = _hand_over(second, world, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "baru saja diakhiri" in response.content.decode()
    assert not Invitation.objects.filter(library=world.lamongan_village).exists()


def test_it_asks_for_the_email_when_inviting_by_email(world: World, django_capture_on_commit_callbacks: Any) -> None:
    response = _hand_over(
        world.client_for(world.facilitator_3524), world, django_capture_on_commit_callbacks, invite="email"
    )

    assert response.status_code == 200
    assert "Isi email pengelola baru" in response.content.decode()
    assert Membership.objects.filter(user=world.manager, library=world.lamongan_village).exists()


def test_it_refuses_to_hand_over_to_the_old_manager(world: World, django_capture_on_commit_callbacks: Any) -> None:
    response = _hand_over(
        world.client_for(world.facilitator_3524),
        world,
        django_capture_on_commit_callbacks,
        invite="email",
        email=world.manager.email,
    )

    assert response.status_code == 200
    assert "email pengelola lama" in response.content.decode()
    assert Membership.objects.filter(user=world.manager, library=world.lamongan_village).exists()


def test_it_closes_links_still_waiting_for_the_old_manager(world: World) -> None:
    waiting = manager_invite(
        library=world.lamongan_village, created_by=world.facilitator_3524, email=world.manager.email
    )

    manager_remove(
        library=world.lamongan_village, actor=world.facilitator_3524, old_user=world.manager, comment="Keluar"
    )

    waiting.invitation.refresh_from_db()
    assert waiting.invitation.revoked_at is not None
