"""At the start the region's figures are frozen into the gathering; they never change afterwards."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from conftest import World, make_library, make_user
from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.gatherings.frozen import report_thaw, to_json
from tpbis.gatherings.models import Gathering
from tpbis.gatherings.services import GatheringError, gathering_freeze
from tpbis.gatherings.tests.helpers import PERIOD, gathering_make, started_now
from tpbis.reportcards.forms import Period
from tpbis.reportcards.selectors import gathering_report_for_user
from tpbis.reportcards.tests.records import engagement, small_east_java
from tpbis.reports.models import Status
from tpbis.reports.services import record_verify


def _live(region: str) -> object:
    return gathering_report_for_user(scope=Scope(national=True), region_code=region, period=Period(*PERIOD))


def test_it_freezes_exactly_what_the_report_shows_with_numbers_as_numbers(world: World) -> None:
    small_east_java(world)
    gathering = gathering_make(actor=world.province_35, region_code="35")
    gathering = gathering_freeze(actor=world.province_35, gathering_id=gathering.pk)

    frozen = gathering.frozen_report
    assert frozen is not None
    assert frozen["report"]["figures"]["partners"]["total"] == 3  # a number, not "3"
    assert isinstance(frozen["report"]["headline"]["engagement"], int)
    assert report_thaw(frozen) == _live("35")
    assert to_json(report_thaw(frozen)) == json.loads(json.dumps(frozen["report"]))


def test_frozen_figures_stay_when_a_record_of_the_period_is_verified_afterwards(world: World) -> None:
    small_east_java(world)
    waiting = engagement(
        world.lumajang_village,
        dt.date(2024, 6, 5),
        status=Status.SUBMITTED,
        participants=30,
        title="Pelatihan merajut",
        story="Ibu-ibu kini merajut tas untuk dijual.",
    )
    gathering = gathering_make(actor=world.province_35, region_code="35")
    gathering = gathering_freeze(actor=world.province_35, gathering_id=gathering.pk)
    before = gathering.frozen_report
    client = world.client_for(world.province_35)
    page = client.get(f"/gathering/{gathering.pk}/laporan/").content.decode()
    assert "Ibu-ibu kini merajut tas" not in page

    record_verify(record=waiting, user=world.province_35)

    live = _live("35")
    assert live.figures.records["pelibatan"].verified == report_thaw(before).figures.records["pelibatan"].verified + 1
    assert any(s.title == "Pelatihan merajut" for s in live.stories)
    gathering.refresh_from_db()
    assert gathering.frozen_report == before
    page = client.get(f"/gathering/{gathering.pk}/laporan/").content.decode()
    assert "Ibu-ibu kini merajut tas" not in page
    assert "Dibekukan saat gathering dimulai" in page


def test_a_second_start_is_told_it_has_started_and_changes_nothing(world: World) -> None:
    gathering = gathering_make(actor=world.province_35, region_code="35")
    client = world.client_for(world.province_35)
    first = client.post(f"/gathering/{gathering.pk}/mulai/", follow=True)
    assert "Angka wilayah untuk periode ini sudah dibekukan" in first.content.decode()
    started = Gathering.objects.get(pk=gathering.pk)

    second = client.post(f"/gathering/{gathering.pk}/mulai/", follow=True)
    assert "sudah dimulai" in second.content.decode()
    again = Gathering.objects.get(pk=gathering.pk)
    assert (again.started_at, again.frozen_report) == (started.started_at, started.frozen_report)


def test_a_stale_second_start_loses_the_conditional_update(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two presses read "not started" at once; the later UPDATE finds it started and refuses."""
    gathering = gathering_make(actor=world.province_35, region_code="35")
    import tpbis.gatherings.services as services

    real = services.gathering_report_for_user

    def slow_report(**kwargs: object) -> object:
        report = real(**kwargs)  # type: ignore[arg-type]
        # The other press lands while this one computes its figures.
        Gathering.objects.filter(pk=gathering.pk).update(started_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        return report

    monkeypatch.setattr(services, "gathering_report_for_user", slow_report)
    with pytest.raises(GatheringError):
        gathering_freeze(actor=world.province_35, gathering_id=gathering.pk)
    assert Gathering.objects.get(pk=gathering.pk).frozen_report is None


def test_the_organisers_first_look_after_the_start_time_starts_it(world: World) -> None:
    gathering = started_now(gathering_make(actor=world.province_35, region_code="35"))
    world.client_for(world.manager).get(f"/gathering/{gathering.pk}/")
    assert not Gathering.objects.get(pk=gathering.pk).is_started  # an attendee's look changes nothing
    page = world.client_for(world.province_35).get(f"/gathering/{gathering.pk}/").content.decode()
    assert "gathering dimulai dan angka wilayah dibekukan" in page
    assert Gathering.objects.get(pk=gathering.pk).frozen_report is not None


def test_the_gathering_page_answers_in_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for n in range(8):
        library = make_library(f"Perpustakaan Desa Uji {n}", "35.08.21.2004")
        make_user(f"fasda{n}@example.id", Role.FACILITATOR, region="35.08")
        make_user(f"uji{n}@example.id", Role.MANAGER, library=library)
    gathering = started_now(gathering_make(actor=world.province_35, region_code="35"))
    gathering = gathering_freeze(actor=world.province_35, gathering_id=gathering.pk)
    client = world.client_for(world.province_35)
    with django_assert_max_num_queries(22):
        assert client.get(f"/gathering/{gathering.pk}/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/gathering/{gathering.pk}/laporan/").status_code == 200
