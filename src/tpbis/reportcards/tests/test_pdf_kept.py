"""The PDFs kept between downloads: a record sent or verified shows in the next download at once, one
library's PDF never comes back for another, and each language has its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from conftest import World
from tpbis.dashboards import fragments
from tpbis.reportcards.tests.test_pdf_text import pdf_text
from tpbis.reports.models import CommunityEngagement
from tpbis.reports.services import record_create, record_verify

TODAY = timezone.localdate()
THIS_YEAR = f"mulai={TODAY.year}-01-01&sampai={TODAY:%Y-%m-%d}"


@pytest.fixture(autouse=True)
def empty_fragments() -> Iterator[None]:
    fragments.fragments_clear()
    yield
    fragments.fragments_clear()


def _send(world: World, title: str) -> CommunityEngagement:
    record, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        library=world.lamongan_village,
        data={
            "date": TODAY,
            "title": title,
            "activity_field": "Inklusi Digital",
            "activity_kind": "Pelatihan",
            "audience": "Umum",
            "participants": 12,
        },
    )
    return record


def _rapor(world: World, library_id: int, **headers: str) -> str:
    response = world.client_for(world.province_35).get(f"/rapor/{library_id}/pdf/?{THIS_YEAR}", **headers)
    assert response.status_code == 200
    return pdf_text(response.content)


def test_a_record_sent_then_verified_shows_in_the_next_download(world: World) -> None:
    sembung = world.lamongan_village.pk
    first = _rapor(world, sembung)
    assert _rapor(world, sembung) == first  # kept
    assert "Kelas literasi digital" not in first
    record = _send(world, "Kelas literasi digital")
    sent = _rapor(world, sembung)
    assert "Kelas literasi digital" in sent
    record_verify(record=record, user=world.facilitator_3524)
    verified = _rapor(world, sembung)
    assert verified != sent  # counted as verified now: the verified count and the score move


def test_one_librarys_pdf_never_comes_back_for_another(world: World) -> None:
    _send(world, "Kelas literasi digital")
    sembung = _rapor(world, world.lamongan_village.pk)
    district = _rapor(world, world.lamongan_district.pk)
    assert world.lamongan_village.name in sembung and "Kelas literasi digital" in sembung
    assert world.lamongan_district.name in district and "Kelas literasi digital" not in district


def test_each_language_has_its_own_pdf(world: World) -> None:
    sembung = world.lamongan_village.pk
    indonesian = _rapor(world, sembung)
    client = world.client_for(world.province_35)
    client.cookies["django_language"] = "en"
    english = pdf_text(client.get(f"/rapor/{sembung}/pdf/?{THIS_YEAR}", HTTP_ACCEPT_LANGUAGE="en").content)
    assert english != indonesian


def test_the_gathering_page_shows_a_record_sent_at_once(world: World) -> None:
    client = world.client_for(world.province_35)
    page = f"/laporan-gathering/?wilayah=35.24&{THIS_YEAR}"
    engagements = '<div class="stat"><b>{}</b>pelibatan masyarakat</div>'
    assert engagements.format(0) in client.get(page).content.decode()
    assert engagements.format(0) in client.get(page).content.decode()  # from the kept part
    _send(world, "Kelas literasi digital")
    assert engagements.format(1) in client.get(page).content.decode()


def test_a_back_dated_record_moves_the_rapor_trend_at_once(world: World) -> None:
    last_month_end = TODAY.replace(day=1) - dt.timedelta(days=1)
    sembung = world.lamongan_village
    page = f"/rapor/{sembung.pk}/?mulai={last_month_end.year}-01-01&sampai={TODAY:%Y-%m-%d}"
    client = world.client_for(world.province_35)

    def score_then() -> object:
        trend = client.get(page).context["card"].trend
        return next(p.score for p in trend if p.date == last_month_end)

    before = score_then()
    record, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        library=sembung,
        data={
            "date": last_month_end,
            "title": "Kelas mundur",
            "activity_field": "Inklusi Digital",
            "activity_kind": "Pelatihan",
            "audience": "Umum",
            "participants": 5,
        },
    )
    record_verify(record=record, user=world.facilitator_3524)
    assert score_then() != before


def test_the_rapor_page_lists_a_record_sent_at_once_and_never_another_librarys(world: World) -> None:
    client = world.client_for(world.province_35)
    sembung = f"/rapor/{world.lamongan_village.pk}/?{THIS_YEAR}"
    assert "Kelas literasi digital" not in client.get(sembung).content.decode()
    assert "Kelas literasi digital" not in client.get(sembung).content.decode()  # from the kept part
    _send(world, "Kelas literasi digital")
    assert "Kelas literasi digital" in client.get(sembung).content.decode()
    district = client.get(f"/rapor/{world.lamongan_district.pk}/?{THIS_YEAR}").content.decode()
    assert "Kelas literasi digital" not in district
