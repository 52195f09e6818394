"""Signing in, home redirects, password reset and the language switch."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from conftest import PASSWORD, World
from tpbis.accounts.models import Membership, Role


def test_it_signs_in_with_an_email_in_any_case(world: World) -> None:
    client = Client()
    response = client.post("/akun/masuk/", {"username": "Lamongan@Example.ID", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_it_explains_a_wrong_password_in_indonesian(world: World) -> None:
    response = Client().post("/akun/masuk/", {"username": "lamongan@example.id", "password": "salah"})
    assert response.status_code == 200
    assert "Email atau kata sandi salah" in response.content.decode()


def test_it_refuses_a_disabled_account(world: World) -> None:
    world.facilitator_3524.is_active = False
    world.facilitator_3524.save()
    response = Client().post("/akun/masuk/", {"username": "lamongan@example.id", "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("persona", "target"),
    [("manager", "/mitra/{lamongan_village}/"), ("facilitator_3524", "/kerja/"), ("national", "/kerja/")],
)
def test_it_sends_each_role_to_its_start_page(world: World, persona: str, target: str) -> None:
    response = world.client_for(getattr(world, persona)).get("/")
    assert response["Location"] == target.format(lamongan_village=world.lamongan_village.pk)


def test_it_sends_a_manager_of_two_libraries_to_their_list(world: World) -> None:
    Membership.objects.create(user=world.manager, role=Role.MANAGER, library=world.lamongan_district)
    client = world.client_for(world.manager)
    response = client.get("/")
    assert response["Location"] == "/mitra/"
    page = client.get("/mitra/").content.decode()
    assert "Perpustakaan Desa Sembung" in page and "Perpustakaan Daerah Lamongan" in page
    assert "Labruk Kidul" not in page


def test_it_resets_a_forgotten_password_by_email(world: World) -> None:
    client = Client()
    assert client.post("/akun/lupa-sandi/", {"email": "lamongan@example.id"}).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"/akun/lupa-sandi/[^\s]+/[^\s]+/", mail.outbox[0].body)
    assert link
    page = client.get(link.group(0), follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": "perpus-baru-2026", "new_password2": "perpus-baru-2026"})
    assert done.status_code == 302
    world.facilitator_3524.refresh_from_db()
    assert world.facilitator_3524.check_password("perpus-baru-2026")


def test_it_changes_the_password(world: World) -> None:
    client = world.client_for(world.facilitator_3524)
    response = client.post(
        "/akun/kata-sandi/",
        {"old_password": PASSWORD, "new_password1": "perpus-baru-2026", "new_password2": "perpus-baru-2026"},
    )
    assert response.status_code == 302
    world.facilitator_3524.refresh_from_db()
    assert world.facilitator_3524.check_password("perpus-baru-2026")


def test_it_speaks_indonesian_by_default_and_english_on_request(world: World) -> None:
    client = Client()
    assert "Masuk ke SIM TPBIS" in client.get("/akun/masuk/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"})
    assert "Sign in to SIM TPBIS" in client.get("/akun/masuk/").content.decode()


def test_it_lets_the_national_team_into_the_admin(world: World) -> None:
    world.national.is_staff = True
    world.national.is_superuser = True
    world.national.save()
    assert world.client_for(world.national).get("/admin/libraries/library/").status_code == 200
    assert world.client_for(world.facilitator_3524).get("/admin/libraries/library/").status_code == 302


def test_it_stays_indonesian_for_a_phone_set_to_english(world: World) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/akun/masuk/")
    assert "Masuk ke SIM TPBIS" in response.content.decode()
