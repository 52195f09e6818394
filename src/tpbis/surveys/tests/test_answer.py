"""The public answer page: consent, validation, bot and repeat protection, closed surveys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import World
from tpbis.surveys import guard
from tpbis.surveys.models import Answer
from tpbis.surveys.services import survey_close
from tpbis.surveys.tests.helpers import answer, open_survey, valid_post


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_it_shows_consent_and_questions_without_login_on_a_light_page(world: World) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    response = Client().get(f"/survei/{survey.code}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "tanpa nama" in body and "sukarela" in body
    assert body.index('name="consent"') < body.index('name="gains"')
    assert "<script" not in body
    assert len(response.content) < 20_000
    assert "Pelatihan merajut" in body


def test_it_stores_a_valid_answer_with_nothing_about_the_device(world: World) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    response = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Ponsel/1.0").post(
        f"/survei/{survey.code}/", valid_post(comment="Sangat berguna")
    )
    assert response.status_code == 200
    assert "Terima kasih" in response.content.decode()
    stored = Answer.objects.get()
    assert (stored.gained_skill, stored.gained_information, stored.gained_income) == (True, True, False)
    assert stored.comment == "Sangat berguna"
    values = " ".join(str(v) for v in Answer.objects.values().get().values())
    assert "203.0.113.9" not in values and "Ponsel" not in values
    assert {f.name for f in Answer._meta.get_fields()} <= {
        "id",
        "survey",
        "gained_skill",
        "gained_work",
        "gained_income",
        "gained_health",
        "gained_information",
        "gained_none",
        "come_again",
        "sex",
        "age_group",
        "disability",
        "comment",
        "answered_on",
    }


def test_it_never_shows_other_answers_on_the_public_pages(world: World) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    answer(survey, "skill", comment="KOMENTAR-RAHASIA-ORANG-LAIN")
    client = Client()
    page = client.get(f"/survei/{survey.code}/").content.decode()
    thanks = client.post(f"/survei/{survey.code}/", valid_post()).content.decode()
    for body in (page, thanks):
        assert "KOMENTAR-RAHASIA" not in body
        assert "n = " not in body and "%" not in body


def test_it_refuses_a_second_answer_from_the_same_phone_within_a_minute(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    client = Client()
    client.post(f"/survei/{survey.code}/", valid_post())
    again = client.post(f"/survei/{survey.code}/", valid_post(sex="laki-laki"))
    assert "Jawaban Anda sudah kami terima" in again.content.decode()
    assert "baru saja masuk" in again.content.decode()
    assert Answer.objects.count() == 1
    # A minute later the phone can be passed to the next participant.
    later = guard.time.time() + 61
    monkeypatch.setattr(guard.time, "time", lambda: later)
    client.post(f"/survei/{survey.code}/", valid_post(started=_stamp_at(later - 30)))
    assert Answer.objects.count() == 2


def _stamp_at(moment: float) -> str:
    from django.core import signing

    return signing.dumps(moment, salt=guard._FORM_SALT)


def test_it_refuses_a_filled_honeypot(world: World) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    response = Client().post(f"/survei/{survey.code}/", valid_post(website="http://spam.example"))
    assert response.status_code == 400
    assert Answer.objects.count() == 0


@pytest.mark.parametrize("stamp", ["fresh", "", "forged"])
def test_it_refuses_a_form_sent_too_fast_or_without_a_valid_stamp(world: World, stamp: str) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    value = {"fresh": guard.form_stamp(), "": "", "forged": "1700000000.0:abc"}[stamp]
    response = Client().post(f"/survei/{survey.code}/", valid_post(started=value, comment="Seru"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "terlalu cepat" in body
    assert "Seru</textarea>" in body
    assert Answer.objects.count() == 0


def test_it_keeps_the_typed_values_when_consent_is_missing(world: World) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    data = valid_post(comment="Bagus sekali", sex="laki-laki")
    del data["consent"]
    response = Client().post(f"/survei/{survey.code}/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Centang persetujuan" in body
    assert "Bagus sekali</textarea>" in body
    assert re.search(r'value="laki-laki"[^>]*checked', body)
    assert Answer.objects.count() == 0


@pytest.mark.parametrize(
    "hostile",
    [
        {"comment": "x" * 5000},
        {"come_again": "zzz" * 1000},
        {"gains": ["skill", "<script>", "none"]},
        {"gains": ["none", "skill"]},
        {"age_group": ""},
    ],
)
def test_it_answers_hostile_input_with_field_errors(world: World, hostile: dict[str, Any]) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    response = Client().post(f"/survei/{survey.code}/", valid_post(**hostile))
    assert response.status_code == 200
    assert 'class="sv-err"' in response.content.decode()
    assert "zzzzzz" not in response.content.decode().split("<textarea")[0] or "comment" in hostile
    assert Answer.objects.count() == 0


def test_it_caps_answers_per_network_address_without_storing_it(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "ANSWERS_PER_ADDRESS", 2)
    survey = open_survey(world.lamongan_village, world.manager)
    statuses = [
        Client(REMOTE_ADDR="198.51.100.7").post(f"/survei/{survey.code}/", valid_post()).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert Answer.objects.count() == 2
    assert Client(REMOTE_ADDR="198.51.100.8").post(f"/survei/{survey.code}/", valid_post()).status_code == 200
    keys = list(cache._cache.keys())  # type: ignore[attr-defined]
    assert keys and not any("198.51.100" in key for key in keys)


def test_it_answers_404_in_indonesian_for_a_closed_or_unknown_survey(world: World) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    survey_close(survey=survey, actor=world.manager)
    for path in (f"/survei/{survey.code}/", "/survei/TIDAKADA123/"):
        response = Client().get(path)
        assert response.status_code == 404
        assert "Survei tidak ditemukan" in response.content.decode()
    assert Client().post(f"/survei/{survey.code}/", valid_post()).status_code == 404
    assert Answer.objects.count() == 0
