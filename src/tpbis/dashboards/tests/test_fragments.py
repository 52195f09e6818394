"""The dashboard's rendered parts kept between requests: a write shows at once, a part never crosses from one
user's figures to another's, and each language has its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import World
from tpbis.dashboards import fragments
from tpbis.dashboards.tests.test_pages import TODAY, submit_engagement
from tpbis.dashboards.tests.test_rates import reported_build
from tpbis.reports.services import record_verify

THIS_YEAR = f"mulai={TODAY.year}-01-01&sampai={TODAY:%Y-%m-%d}"


@pytest.fixture(autouse=True)
def empty_fragments() -> Iterator[None]:
    fragments.fragments_clear()
    yield
    fragments.fragments_clear()


def _engagement_cells(html: str) -> str:
    """The "Pelibatan masyarakat" row of the records table: sent, then verified."""
    row = html.split("<td>Pelibatan masyarakat</td>", 1)[1].split("</tr>", 1)[0]
    return row.replace('<td class="num">', "").replace("</td>", " ").strip()


def test_a_record_sent_or_verified_shows_on_the_next_page_at_once(world: World) -> None:
    client = world.client_for(world.facilitator_3524)
    assert _engagement_cells(client.get(f"/dasbor/?{THIS_YEAR}").content.decode()) == "0 0"
    assert _engagement_cells(client.get(f"/dasbor/?{THIS_YEAR}").content.decode()) == "0 0"  # from the kept part
    record = submit_engagement(world)
    assert _engagement_cells(client.get(f"/dasbor/?{THIS_YEAR}").content.decode()) == "1 0"
    record_verify(record=record, user=world.facilitator_3524)
    page = client.get(f"/dasbor/?{THIS_YEAR}").content.decode()
    assert _engagement_cells(page) == "1 1"
    assert "Sukorame" in page  # the child table is there, with the new record's kecamatan


def test_a_part_kept_for_one_user_never_shows_for_another(world: World) -> None:
    submit_engagement(world)  # Lamongan has a record, Bangka Barat none
    lamongan = world.client_for(world.facilitator_3524).get(f"/dasbor/?{THIS_YEAR}").content.decode()
    bangka = world.client_for(world.facilitator_1905).get(f"/dasbor/?{THIS_YEAR}").content.decode()
    assert _engagement_cells(lamongan) == "1 0" and _engagement_cells(bangka) == "0 0"
    assert "Sukorame" in lamongan and "Sukorame" not in bangka
    # The same kabupaten seen by a wider scope: the same figures, so the same part, and nothing of the other.
    province = world.client_for(world.province_35).get(f"/dasbor/?wilayah=35.24&{THIS_YEAR}").content.decode()
    assert _engagement_cells(province) == "1 0" and "Sukorame" in province
    national = world.client_for(world.national).get(f"/dasbor/?wilayah=19.05&{THIS_YEAR}").content.decode()
    assert _engagement_cells(national) == "0 0" and "Sukorame" not in national


def test_each_language_has_its_own_part(world: World) -> None:
    reported = reported_build(world)
    client = reported.client_for(reported.facilitator_3524)
    query = "/dasbor/?wilayah=35.24&mulai=2025-01-01&sampai=2025-12-31"
    indonesian = client.get(query).content.decode()
    assert "66,7%" in indonesian and "Per wilayah" in indonesian
    client.cookies["django_language"] = "en"
    english = client.get(query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "66.7%" in english and "66,7%" not in english
    client.cookies["django_language"] = "id"
    assert client.get(query).content.decode().count("66,7%") == indonesian.count("66,7%")


def test_the_sort_and_the_period_in_the_links_are_part_of_the_key(world: World) -> None:
    submit_engagement(world)
    client = world.client_for(world.facilitator_3524)
    by_code = client.get(f"/dasbor/?{THIS_YEAR}").content.decode()
    by_name = client.get(f"/dasbor/?{THIS_YEAR}&urut=-nama").content.decode()
    assert 'aria-sort="descending"' in by_name and 'aria-sort="descending"' not in by_code
    other_period = client.get("/dasbor/?mulai=2025-01-01&sampai=2025-06-30").content.decode()
    assert "sampai=2025-06-30" in other_period.split("Per wilayah", 1)[1]
