"""The Django admin: people are deactivated, never deleted; every save there is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import ProtectedError
from django.test import Client

from conftest import World
from tpbis.accounts.models import Membership, Role, User
from tpbis.audit.models import AuditAction, AuditEvent
from tpbis.audit.services import audit_change
from tpbis.reports.audit import audit_log
from tpbis.reports.models import AuditAction as RecordAction


@pytest.fixture
def admin_client(world: World) -> Client:
    User.objects.filter(pk=world.national.pk).update(is_staff=True, is_superuser=True)
    return world.client_for(world.national)


def user_form(user: User, memberships: list[dict[str, Any]], initial: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "is_active": "on" if user.is_active else "",
        "date_joined_0": user.date_joined.date().isoformat(),
        "date_joined_1": "10:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(memberships):
        data.update({f"memberships-{i}-{k}": v for k, v in row.items()})
    return data


def test_it_offers_no_way_to_delete_a_user(world: World, admin_client: Client) -> None:
    target = world.facilitator_1905
    assert admin_client.get(f"/admin/accounts/user/{target.pk}/delete/").status_code == 403
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"}
    )
    assert User.objects.filter(pk=target.pk).exists()
    assert response.status_code in (200, 302)
    changelist = admin_client.get("/admin/accounts/user/").content.decode()
    assert 'value="delete_selected"' not in changelist
    assert 'value="deactivate_users"' in changelist


def test_it_protects_a_user_with_history_in_the_database(world: World) -> None:
    audit_log(record=world.lamongan_village, action=RecordAction.CREATE, user=world.manager)
    with pytest.raises(ProtectedError):
        world.manager.delete()
    audit_change(actor=world.facilitator_1905, action=AuditAction.UPDATE, target=world.belo_laut)
    with pytest.raises(ProtectedError):
        world.facilitator_1905.delete()


def test_it_deactivates_users_from_the_admin_and_audits_it(world: World, admin_client: Client) -> None:
    target = world.facilitator_1905
    selected = [target.pk, world.national.pk]
    admin_client.post("/admin/accounts/user/", {"action": "deactivate_users", "_selected_action": selected})
    target.refresh_from_db()
    assert not target.is_active
    assert User.objects.get(pk=world.national.pk).is_active  # nobody locks themselves out by a stray tick
    event = AuditEvent.objects.get(object_id=target.pk, content_type__model="user")
    assert (event.action, event.actor) == (AuditAction.DEACTIVATE, world.national)
    assert event.changes == {"is_active": ["aktif", "nonaktif"]}


def test_it_audits_roles_added_changed_and_removed_in_the_admin(world: World, admin_client: Client) -> None:
    target = world.facilitator_1905
    membership = Membership.objects.get(user=target)
    url = f"/admin/accounts/user/{target.pk}/change/"
    current = {
        "id": membership.pk,
        "user": target.pk,
        "role": Role.FACILITATOR,
        "title": membership.title,
        "region": "19.05",
    }
    added = {"id": "", "user": target.pk, "role": Role.MANAGER, "library": world.belo_laut.pk}

    response = admin_client.post(url, user_form(target, [current, added], initial=1))
    assert response.status_code == 302, response.content.decode()[:3000]
    admin_client.post(url, user_form(target, [{**current, "title": "fasda"}], initial=1))
    admin_client.post(url, user_form(target, [{**current, "title": "fasda", "DELETE": "on"}], initial=1))

    events = list(AuditEvent.objects.filter(object_id=target.pk, content_type__model="user").order_by("pk"))
    assert [e.action for e in events] == [AuditAction.ROLE_ADD, AuditAction.ROLE_CHANGE, AuditAction.ROLE_REMOVE]
    assert events[0].changes == {"role": [None, "Pengelola perpustakaan - Perpustakaan Desa Belo Laut"]}
    assert events[0].library_id == world.belo_laut.pk
    assert events[1].changes["role"] == [
        "Fasilitator kabupaten/kota - Kab. Bangka Barat · PIC Kabupaten/Kota",
        "Fasilitator kabupaten/kota - Kab. Bangka Barat · Fasda (Fasilitator Daerah)",
    ]
    assert events[2].changes["role"][1] is None
    assert events[2].region_code == "19.05"
    assert {e.actor for e in events} == {world.national}
    # The library's page lists the role given over it.
    page = world.client_for(world.national).get(f"/mitra/{world.belo_laut.pk}/").content.decode()
    assert "Peran ditambahkan" in page
    assert "Peran: – → Pengelola perpustakaan - Perpustakaan Desa Belo Laut" in page


def test_it_audits_a_library_edited_in_the_admin(world: World, admin_client: Client) -> None:
    library = world.lumajang_village
    data = {
        "name": "Perpustakaan Labruk Kidul",
        "kind": library.kind,
        "region": library.region_id,
        "support": library.support,
        "funding_source": "",
        "cohort_year": library.cohort_year,
        "npp": "",
        "address": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
    }
    response = admin_client.post(f"/admin/libraries/library/{library.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(library_id=library.pk)
    assert event.action == AuditAction.DEACTIVATE  # the box "aktif" was left unticked
    assert event.changes["name"] == ["Perpustakaan Desa Labruk Kidul", "Perpustakaan Labruk Kidul"]
    assert event.changes["is_active"] == ["aktif", "nonaktif"]
