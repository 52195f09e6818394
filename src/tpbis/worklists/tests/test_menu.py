"""The menu tells a verifier how many records wait for them: "Verifikasi (12)"."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import World
from tpbis.accounts import context_processors
from tpbis.accounts.scope import scope_for_user
from tpbis.reports.models import Status
from tpbis.reports.selectors import verification_queue
from tpbis.worklists.selectors import queue_models, verification_waiting_count
from tpbis.worklists.tests.factories import engagement, publicity, visitors


def menu(html: str) -> list[str]:
    nav = html.split('aria-label="Navigasi utama"', 1)[1].split("</nav>", 1)[0]
    return [re.sub(r"\s+", " ", label).strip() for label in re.findall(r"<a href=\"[^\"]*\">([^<]*)</a>", nav)]


@pytest.fixture
def waiting(world: World) -> None:
    engagement(world.lamongan_village, world.manager, days_ago=3)
    publicity(world.lamongan_district, world.manager, days_ago=2)
    visitors(world.lamongan_village, world.manager, year=2025, month=1)
    engagement(world.lamongan_village, world.manager, days_ago=1, status=Status.VERIFIED)  # done: not waiting
    engagement(world.lamongan_village, world.manager, days_ago=1, status=Status.DRAFT)  # not sent yet
    engagement(world.lumajang_village, None, days_ago=4)  # another kabupaten of the province


def test_it_shows_the_facilitators_waiting_count_in_the_menu(world: World, waiting: None) -> None:
    html = world.client_for(world.facilitator_3524).get("/laporan/").content.decode()
    assert "Verifikasi (3)" in menu(html)
    assert "Dasbor" in menu(html)


def test_it_counts_the_whole_province_for_a_provincial_officer(world: World, waiting: None) -> None:
    html = world.client_for(world.province_35).get("/laporan/").content.decode()
    assert "Verifikasi (4)" in menu(html)


def test_it_shows_zero_to_a_facilitator_of_another_kabupaten(world: World, waiting: None) -> None:
    html = world.client_for(world.facilitator_1905).get("/laporan/").content.decode()
    assert "Verifikasi (0)" in menu(html)


def test_it_leaves_records_the_verifier_entered_themselves_out(world: World, waiting: None) -> None:
    engagement(world.lamongan_village, world.facilitator_3524, days_ago=1)  # they may not verify their own
    html = world.client_for(world.facilitator_3524).get("/laporan/").content.decode()
    assert "Verifikasi (3)" in menu(html)


def test_it_gives_managers_no_verification_entry(world: World, waiting: None) -> None:
    html = world.client_for(world.manager).get("/laporan/").content.decode()
    assert not [label for label in menu(html) if label.startswith("Verifikasi")]


def test_the_count_matches_the_queue_of_every_type(world: World, waiting: None) -> None:
    scope_user = world.province_35
    scope = scope_for_user(scope_user)
    by_type = sum(
        verification_queue(model=model, scope=scope, user_id=scope_user.pk).count() for model in queue_models().values()
    )
    assert verification_waiting_count(scope=scope, user_id=scope_user.pk) == by_type == 4


def test_it_costs_one_query(world: World, waiting: None) -> None:
    scope = scope_for_user(world.national)
    with CaptureQueriesContext(connection) as queries:
        assert verification_waiting_count(scope=scope, user_id=world.national.pk) == 4
    assert len(queries) == 1


def test_large_counts_read_999_plus(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(context_processors._NAV_COUNTS, "reports:queue", lambda request: 1234)
    html = world.client_for(world.facilitator_3524).get("/laporan/").content.decode()
    # The badge stops counting at a thousand: a national officer's 120,000 waiting records read "999+".
    assert "Verifikasi (999+)" in menu(html)
    monkeypatch.setitem(context_processors._NAV_COUNTS, "reports:queue", lambda request: 999)
    html = world.client_for(world.facilitator_3524).get("/laporan/").content.decode()
    assert "Verifikasi (999)" in menu(html)


def test_the_menu_count_stops_at_its_limit(world: World, waiting: None) -> None:
    scope = scope_for_user(world.national)
    with CaptureQueriesContext(connection) as queries:
        assert verification_waiting_count(scope=scope, user_id=world.national.pk, limit=3) == 3
        assert verification_waiting_count(scope=scope, user_id=world.national.pk, limit=1000) == 4
    assert len(queries) == 2
    # Each type stops at the limit too (PostgreSQL): still the smaller of the limit and the whole count,
    # with two engagements, a publicity and a visitor report waiting.
    facilitator = scope_for_user(world.facilitator_3524)
    counts = [verification_waiting_count(scope=scope, user_id=world.national.pk, limit=n) for n in range(1, 6)]
    assert counts == [1, 2, 3, 4, 4]
    assert verification_waiting_count(scope=facilitator, user_id=world.facilitator_3524.pk, limit=2) == 2
    assert verification_waiting_count(scope=facilitator, user_id=world.facilitator_3524.pk, limit=5) == 3
