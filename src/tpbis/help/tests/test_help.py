"""Help pages (/bantuan/): public, the viewer's own guides first, every guide reachable and light."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from conftest import World
from tpbis.help.guides import GUIDES

GUIDE_LINK = re.compile(r'href="/bantuan/([\w-]+)/"')


def guide_slugs(html: str) -> list[str]:
    return GUIDE_LINK.findall(html)


FIRST_FOR = {
    "manager": ["kegiatan-dan-foto", "pengunjung-bulanan", "skor-iku", "undangan-dan-akun"],
    "facilitator_3524": ["verifikasi", "skor-iku", "undangan-dan-akun", "serah-terima-pengelola"],
    "province_35": ["verifikasi", "skor-iku", "persiapan-gathering", "undangan-dan-akun", "serah-terima-pengelola"],
    "national": ["skor-iku", "persiapan-gathering"],
}


@pytest.mark.parametrize("persona", sorted(FIRST_FOR))
def test_it_lists_the_guides_for_the_viewers_role_first(world: World, persona: str) -> None:
    response = world.client_for(getattr(world, persona)).get("/bantuan/")
    assert response.status_code == 200
    assert [g.slug for g in response.context["mine"]] == FIRST_FOR[persona]
    slugs = guide_slugs(response.content.decode())
    assert slugs[: len(FIRST_FOR[persona])] == FIRST_FOR[persona]
    assert sorted(slugs) == sorted(g.slug for g in GUIDES)  # and every other guide after them


def test_it_is_readable_before_signing_in_with_activation_first(db: None) -> None:
    response = Client().get("/bantuan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sebelum masuk" in html
    assert guide_slugs(html)[0] == "undangan-dan-akun"


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_guide_is_reachable_from_the_index_and_light(db: None, language: str) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    slugs = guide_slugs(client.get("/bantuan/").content.decode())
    assert set(slugs) == {g.slug for g in GUIDES}
    for slug in slugs:
        response = client.get(f"/bantuan/{slug}/")
        assert response.status_code == 200, slug
        html = response.content.decode()
        assert len(response.content) < 30_000, slug
        assert "<h1>" in html and "<h2>" in html and "<ol>" in html, slug
        assert 'href="/bantuan/"' in html  # back to the index


def test_it_shows_the_guide_in_the_active_language(db: None) -> None:
    client = Client()
    indonesian = client.get("/bantuan/skor-iku/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/bantuan/skor-iku/").content.decode()
    assert "dibulatkan ke bawah ke kelipatan 1,25" in indonesian
    assert "rounded down to a multiple of 1.25" in english
    assert "dibulatkan" not in english


def test_the_kpi_guide_states_the_weights_of_the_default_scheme(db: None) -> None:
    html = Client().get("/bantuan/skor-iku/").content.decode()
    for weight in ("17,5", "11,25", "18,75", "2,5", "50", "1.000", "lebih dari 75", "25 atau kurang"):
        assert weight in html


def test_an_unknown_guide_is_not_found(db: None) -> None:
    assert Client().get("/bantuan/tidak-ada/").status_code == 404


@pytest.mark.parametrize("persona", ["manager", "facilitator_3524", "province_35", "national"])
def test_the_menu_leads_to_help_for_everyone_signed_in(world: World, persona: str) -> None:
    response = world.client_for(getattr(world, persona)).get("/", follow=True)
    assert '<li><a href="/bantuan/">Bantuan</a></li>' in response.content.decode()


def test_the_sign_in_page_leads_to_help(db: None) -> None:
    assert 'href="/bantuan/"' in Client().get("/akun/masuk/").content.decode()


def test_help_pages_need_no_inline_code(world: World) -> None:
    from tpbis.core.tests.test_content_security_policy import policy_problems

    for client in (Client(), world.client_for(world.manager)):
        for path in ["/bantuan/", *(f"/bantuan/{guide.slug}/" for guide in GUIDES)]:
            assert policy_problems(client, path) == [], path
