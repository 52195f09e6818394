"""/audit/: the national team's list of every change, filtered; other roles get 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World
from tpbis.audit.models import AuditAction, AuditEvent
from tpbis.libraries.services import library_set_active, library_update


@pytest.mark.parametrize("persona", ["facilitator_3524", "province_35", "manager"])
def test_it_refuses_everyone_but_the_national_team(world: World, persona: str) -> None:
    response = world.client_for(getattr(world, persona)).get("/audit/")
    assert response.status_code == 403


def test_it_sends_anonymous_visitors_to_login(client: Client, world: World) -> None:
    response = client.get("/audit/")
    assert response.status_code == 302
    assert "/akun/" in response["Location"]


def test_it_lists_changes_readably_for_the_national_team(world: World) -> None:
    library_update(library=world.lamongan_village, actor=world.facilitator_3524, name="Perpustakaan B")
    event = AuditEvent.objects.get()
    AuditEvent.objects.filter(pk=event.pk).update(
        at=timezone.make_aware(dt.datetime(2026, 12, 6, 14, 5), timezone.get_fixed_timezone(7 * 60))
    )

    response = world.client_for(world.national).get("/audit/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nama perpustakaan: Perpustakaan Desa Sembung → Perpustakaan B" in page
    assert "6 Des 2026 14:05" in page
    assert "Diubah" in page
    assert "lamongan@example.id" in page
    assert 'href="/audit/">Jejak audit</a>' in page  # the national team's menu entry


def test_it_filters_by_actor_action_date_and_region(world: World) -> None:
    library_update(library=world.lamongan_village, actor=world.facilitator_3524, name="Perpustakaan Lamongan B")
    library_set_active(library=world.belo_laut, active=False, actor=world.national)
    client = world.client_for(world.national)

    def listed(query: str) -> tuple[bool, bool]:
        page = client.get(f"/audit/?{query}").content.decode()
        return "Perpustakaan Lamongan B" in page, "Perpustakaan Desa Belo Laut" in page

    assert listed("region=35") == (True, False)
    assert listed("region=19.05") == (False, True)
    assert listed("region=35.08") == (False, False)
    assert listed(f"action={AuditAction.DEACTIVATE}") == (False, True)
    assert listed("actor=lamongan@") == (True, False)
    today = timezone.localdate()
    assert listed(f"date_from={today + dt.timedelta(days=1)}") == (False, False)
    assert listed(f"date_from={today}&date_to={today}") == (True, True)


def test_it_explains_a_bad_filter_and_still_answers(world: World) -> None:
    response = world.client_for(world.national).get("/audit/?region=jatim&date_from=kemarin")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Kode wilayah seperti 35" in page


def test_it_is_not_in_the_menu_of_a_facilitator(world: World) -> None:
    page = world.client_for(world.facilitator_3524).get("/").content.decode()
    assert 'href="/audit/"' not in page


def test_it_lists_a_full_page_in_a_few_queries(world: World, django_assert_max_num_queries: Any) -> None:
    for n in range(60):
        library_update(library=world.belo_laut, actor=world.facilitator_1905, name=f"Perpustakaan {n}")
    client = world.client_for(world.national)
    client.get("/audit/")  # warm the content type cache, as a running server has it
    with django_assert_max_num_queries(10):
        response = client.get("/audit/?region=19")
    assert response.content.decode().count("Nama perpustakaan:") == 50
