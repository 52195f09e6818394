"""The dashboard and public pages: scope, periods, freshness, no personal data, and bounded queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from conftest import World, make_library
from tpbis.accounts.scope import scope_for_user
from tpbis.dashboards.selectors import region_figures
from tpbis.dashboards.tests.test_figures import build
from tpbis.regions.models import Region
from tpbis.reports.models import CommunityEngagement
from tpbis.reports.services import record_create, record_verify

TODAY = timezone.localdate()


def submit_engagement(world: World) -> CommunityEngagement:
    record, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        library=world.lamongan_village,
        data={
            "date": TODAY,
            "title": "Kelas literasi digital",
            "activity_field": "Inklusi Digital",
            "activity_kind": "Pelatihan",
            "audience": "Umum",
            "participants": 12,
        },
    )
    return record


def test_it_includes_a_verification_made_a_second_ago(world: World) -> None:
    record = submit_engagement(world)
    scope = scope_for_user(world.facilitator_3524)
    start = TODAY.replace(month=1, day=1)
    before = region_figures(scope=scope, region_code="35.24", start=start, end=TODAY).records["pelibatan"]
    assert (before.submitted, before.verified) == (1, 0)
    record_verify(record=record, user=world.facilitator_3524)
    after = region_figures(scope=scope, region_code="35.24", start=start, end=TODAY)
    assert (after.records["pelibatan"].submitted, after.records["pelibatan"].verified) == (1, 1)
    assert after.participants.total == 12
    assert after.colours.merah == 1 and after.colours.belum_dinilai == 1  # the kabupaten library has no record


def test_it_opens_the_facilitators_own_kabupaten(world: World) -> None:
    submit_engagement(world)
    response = world.client_for(world.facilitator_3524).get("/dasbor/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dasbor Kabupaten Lamongan" in html
    assert "Sukorame" in html  # the kecamatan row of the child table
    assert "<svg" in html


def test_it_hides_regions_outside_the_scope(world: World) -> None:
    client = world.client_for(world.facilitator_3524)
    assert client.get("/dasbor/?wilayah=19.05").status_code == 404
    assert client.get("/dasbor/?wilayah=35").status_code == 404
    assert client.get("/dasbor/?wilayah=bukan-kode").status_code == 404
    assert client.get("/dasbor/?wilayah=3524").status_code == 200  # undotted codes are fine


def test_it_refuses_library_managers(world: World) -> None:
    assert world.client_for(world.manager).get("/dasbor/").status_code == 403
    assert Client().get("/dasbor/").status_code == 302


def test_it_shows_the_nation_with_its_province_map_to_the_national_team(world: World) -> None:
    build(world)
    response = world.client_for(world.national).get("/dasbor/?mulai=2024-01-01&sampai=2024-09-30&urut=-pelibatan")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dasbor Indonesia" in html
    assert 'href="?wilayah=35&amp;mulai=2024-01-01&amp;sampai=2024-09-30"' in html  # map tile and table row
    assert "JATIM" in html and "Tabel data peta" in html
    assert html.index(">Jawa Timur</a>") < html.index(">Kepulauan Bangka Belitung</a>")  # sorted by activity


@pytest.mark.parametrize(
    "query",
    ["mulai=2024-13-01&sampai=2024-09-30", "mulai=2024-09-30&sampai=2024-01-01", "mulai=1999-01-01&sampai=2024-01-01"],
)
def test_it_explains_bad_dates_instead_of_failing(world: World, query: str) -> None:
    response = world.client_for(world.province_35).get(f"/dasbor/?{query}")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("preset", ["ytd", "q1", "m01", "last_year", "nonsense"])
def test_it_offers_period_presets(world: World, preset: str) -> None:
    response = world.client_for(world.province_35).get(f"/dasbor/?periode={preset}")
    assert response.status_code == 200


def _add_libraries(world: World, n: int) -> None:
    villages = [
        *Region.objects.filter(code__startswith="35.08.21.").values_list("code", flat=True)[:2],
        *Region.objects.filter(code__startswith="35.24.02.").values_list("code", flat=True)[:2],
        *Region.objects.filter(code__startswith="19.05.02.").values_list("code", flat=True)[:2],
    ]
    for i in range(n):
        library = make_library(f"Perpustakaan Tambahan {i}", villages[i % len(villages)])
        CommunityEngagement.objects.create(
            library=library,
            date=TODAY,
            status="verified",
            title="Kegiatan",
            activity_field="Pendidikan",
            activity_kind="Pelatihan",
            audience="Umum",
            participants=3,
        )


def _count_queries(client: Client, path: str) -> int:
    """Queries of one request (the test client resets connection.queries when a request starts)."""
    count = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        assert client.get(path).status_code == 200
    return count


@pytest.mark.parametrize(("persona", "path"), [("national", "/dasbor/"), ("province_35", "/dasbor/?wilayah=35.24")])
def test_it_runs_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any, persona: str, path: str
) -> None:
    client = world.client_for(getattr(world, persona))
    _add_libraries(world, 3)
    client.get(path)  # scores for today are stored on first sight
    few = _count_queries(client, path)
    assert few <= 30
    _add_libraries(world, 30)
    client.get(path)
    with django_assert_max_num_queries(few):
        assert client.get(path).status_code == 200


def test_it_shows_public_figures_without_login_and_without_contacts(world: World) -> None:
    build(world)
    world.lamongan_village.contact_email = "kepala@sembung.desa.id"
    world.lamongan_village.contact_phone = "081234567890"
    world.lamongan_village.save()
    for path in ("/capaian/?mulai=2024-01-01&sampai=2024-09-30", "/capaian/?wilayah=35&periode=last_year"):
        response = Client().get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert "@" not in html.replace("@media", "")
        assert "081234567890" not in html and "jatim@example.id" not in html
    html = Client().get("/capaian/?mulai=2024-01-01&sampai=2024-09-30").content.decode()
    assert "Perpustakaan Desa Sembung" in html  # the public list of green libraries with score 100
    assert "Perpustakaan Desa Labruk Kidul" not in html  # no other library names
    assert Client().get("/capaian/?wilayah=35.24.01").status_code == 404


def _stats(query: str) -> tuple[int, dict[str, Any]]:
    response = Client().get(f"/api/v1/stats?{query}")
    return response.status_code, json.loads(response.content)


def test_it_serves_the_stats_json(world: World) -> None:
    build(world)
    status, body = _stats("region=35&start=2024-01-01&end=2024-09-30")
    assert status == 200
    assert body["partners"]["total"] == 3 and body["kpi"]["hijau"] == 1
    status, body = _stats("region=3524&start=2024-01-01&end=2024-09-30")
    assert body["region"] == {"code": "35.24", "name": "Kabupaten Lamongan"}
    status, body = _stats("")
    assert status == 200
    assert body["period"] == {"start": f"{TODAY.year}-01-01", "end": TODAY.isoformat()}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("region=99", "region"),
        ("region=abc", "region"),
        ("start=2024-02-30", "start"),
        ("end=kemarin", "end"),
        ("start=2024-09-30&end=2024-01-01", "end"),
    ],
)
def test_it_answers_400_with_a_message_for_bad_parameters(world: World, query: str, field: str) -> None:
    status, body = _stats(query)
    assert status == 400
    assert body["message"] and field in body["errors"]


def test_it_counts_the_kpi_as_of_a_past_month_end_from_stored_month_scores(world: World) -> None:
    if TODAY.month == 1:
        pytest.skip("no month of this year has ended yet")
    end = TODAY.replace(day=1) - dt.timedelta(days=1)
    CommunityEngagement.objects.create(
        library=world.lamongan_village,
        date=end,
        status="verified",
        title="Kegiatan",
        activity_field="Pendidikan",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=3,
    )
    from tpbis.kpi.services import kpi_refresh

    kpi_refresh()
    figures = region_figures(scope=scope_for_user(world.national), region_code="35", start=end.replace(day=1), end=end)
    assert figures.kpi_as_of == end
    assert (figures.colours.merah, figures.colours.belum_dinilai) == (1, 2)


def test_it_keeps_a_score_of_this_month_and_rescores_an_older_one(world: World) -> None:
    """A score from earlier this month is today's score (only writes change it, and they rescore), so
    the first page of a day does not rescore every partner; one from last month is rescored."""
    from tpbis.kpi.models import CurrentScore, Scheme
    from tpbis.kpi.services import kpi_refresh

    kpi_refresh()
    scope = scope_for_user(world.national)
    sembung = CurrentScore.objects.filter(library=world.lamongan_village)

    def green() -> int:
        return region_figures(
            scope=scope, region_code="35", start=TODAY.replace(month=1, day=1), end=TODAY
        ).colours.hijau

    assert green() == 0
    if TODAY.day > 1:  # a marked score from the 1st stays as stored
        sembung.update(as_of=TODAY.replace(day=1), colour="hijau", score=100, signature="diubah")
        assert green() == 1
    sembung.update(as_of=TODAY.replace(day=1) - dt.timedelta(days=1), colour="hijau", score=100, signature="diubah")
    assert green() == 0  # last month's: rescored
    assert sembung.get().as_of == TODAY
    # A scheme taking effect today makes every earlier score stale, even from this month.
    scheme = Scheme.objects.get(effective_until=None)  # the scheme in effect today
    if TODAY.day > 1:
        sembung.update(as_of=TODAY - dt.timedelta(days=1), colour="hijau", score=100, signature="diubah")
        Scheme.objects.filter(pk=scheme.pk).update(effective_from=TODAY)
        assert green() == 0
