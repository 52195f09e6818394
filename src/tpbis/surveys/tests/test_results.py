"""Results per activity, library and region: hand-computed counts, small groups suppressed outside the
library, scope for pages and exports, and the open/close services."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from conftest import World
from tpbis.accounts.scope import scope_for_user
from tpbis.audit.models import AuditEvent
from tpbis.dashboards.selectors import region_for_user
from tpbis.surveys.models import Survey
from tpbis.surveys.selectors import option_key, region_results, tally_for_survey
from tpbis.surveys.services import survey_close, survey_open
from tpbis.surveys.tests.helpers import answer, open_survey


def _six(survey: Survey) -> None:
    answer(survey, "skill", "income", come_again="ya", sex="perempuan", age="15-24")
    answer(survey, "skill", come_again="ya", sex="perempuan", age="25-44", disability="ya")
    answer(survey, "information", come_again="ya", sex="laki-laki", age="25-44")
    answer(survey, "health", "skill", come_again="mungkin", sex="laki-laki", age="45-59")
    answer(survey, "none", come_again="tidak", sex="-", age="60+", disability="-")
    answer(survey, "work", "income", come_again="ya", sex="perempuan", age="<15", comment="Ingin lagi")


def test_it_counts_answers_as_computed_by_hand(world: World) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    _six(survey)
    tally = tally_for_survey(survey=survey, scope=scope_for_user(world.manager))
    assert tally.n == 6 and not tally.suppressed
    assert tally.counts["gained_skill"] == 3 and tally.pct("gained_skill") == 50.0
    assert tally.counts["gained_income"] == 2 and tally.counts["gained_none"] == 1
    assert tally.counts[option_key("come_again", 0)] == 4 and tally.come_again_pct == 66.7
    assert tally.counts[option_key("come_again", 1)] == 1 and tally.counts[option_key("come_again", 2)] == 1
    assert [tally.counts[option_key("sex", i)] for i in range(3)] == [3, 2, 1]
    assert [tally.counts[option_key("age_group", i)] for i in range(5)] == [1, 1, 2, 1, 1]
    assert [tally.counts[option_key("disability", i)] for i in range(3)] == [1, 4, 1]
    assert tally.gained_any_pct == 83.3


def test_it_groups_by_library_and_area_in_few_queries(world: World, django_assert_max_num_queries: Any) -> None:
    _six(open_survey(world.lamongan_village, world.manager))
    small = open_survey(world.lamongan_district, world.facilitator_3524, title="Bercerita")
    answer(small, "skill")
    answer(small, "skill", come_again="tidak")
    _six(open_survey(world.lumajang_village, world.province_35))
    _six(open_survey(world.belo_laut, world.national))
    scope = scope_for_user(world.province_35)
    with django_assert_max_num_queries(5):
        results = region_results(region=region_for_user(scope=scope, region_code="35"), scope=scope)
    assert results.total.n == 14 and results.total.counts["gained_skill"] == 8
    assert {a.code: a.n for a in results.areas} == {"35.08": 6, "35.24": 8}
    by_name = {t.label: t for t in results.libraries}
    assert by_name["Perpustakaan Desa Sembung"].come_again_pct == 66.7
    assert by_name["Perpustakaan Daerah Lamongan"].suppressed and by_name["Perpustakaan Daerah Lamongan"].counts == {}
    assert "Perpustakaan Desa Belo Laut" not in by_name


def test_it_suppresses_small_groups_for_everyone_but_the_library(world: World) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    for _ in range(3):
        answer(survey, "skill", come_again="ya")
    url = f"/survei/kelola/pelibatan/{survey.engagement_id}/"
    own = world.client_for(world.manager).get(url).content.decode()
    assert "100% ingin datang lagi" in own
    facilitator = world.client_for(world.facilitator_3524)
    page = facilitator.get(url).content.decode()
    assert "terlalu sedikit jawaban" in page and "100%" not in page
    region = facilitator.get("/survei/kelola/wilayah/?region=35.24").content.decode()
    assert "terlalu sedikit jawaban" in region and "100%" not in region
    library = facilitator.get(f"/mitra/{world.lamongan_village.pk}/").content.decode()
    assert "Survei manfaat: 3 jawaban (terlalu sedikit" in library
    assert (
        "3 jawaban, 100% ingin datang lagi"
        in world.client_for(world.manager).get(f"/mitra/{world.lamongan_village.pk}/").content.decode()
    )
    exported = facilitator.get("/survei/kelola/wilayah/hasil.csv?region=35.24")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert rows[1][3] == "3" and rows[1][4] == "" and rows[1][-1] == "terlalu sedikit jawaban"


def test_it_shows_the_share_link_qr_and_whatsapp_text(world: World) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    page = world.client_for(world.manager).get(f"/survei/kelola/pelibatan/{survey.engagement_id}/").content.decode()
    assert f"/survei/{survey.code}/" in page and "<svg" in page and "https://wa.me/?text=" in page
    assert len(survey.code) >= 10
    record = world.client_for(world.manager).get(f"/laporan/pelibatan/{survey.engagement_id}/").content.decode()
    assert f"/survei/kelola/pelibatan/{survey.engagement_id}/" in record


@pytest.mark.parametrize(
    ("persona", "path", "status"),
    [
        ("facilitator_1905", "/survei/kelola/pelibatan/{pk}/", 404),
        ("facilitator_1905", "/survei/kelola/pelibatan/{pk}/hasil.csv", 404),
        ("manager", "/survei/kelola/pelibatan/{pk}/jawaban.csv", 403),
        ("facilitator_3524", "/survei/kelola/pelibatan/{pk}/jawaban.csv", 200),
        ("manager", "/survei/kelola/pelibatan/{pk}/hasil.xlsx", 200),
        ("manager", "/survei/kelola/wilayah/?region=35.24", 403),
        ("facilitator_3524", "/survei/kelola/wilayah/?region=35.08", 404),
        ("facilitator_3524", "/survei/kelola/wilayah/jawaban.xlsx?region=19.05", 404),
        ("province_35", "/survei/kelola/wilayah/jawaban.xlsx?region=35", 200),
        ("facilitator_3524", "/survei/kelola/wilayah/hasil.pdf?region=35.24", 404),
    ],
)
def test_it_keeps_results_and_exports_in_scope(world: World, persona: str, path: str, status: int) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    _six(survey)
    response = world.client_for(getattr(world, persona)).get(path.format(pk=survey.engagement_id))
    assert response.status_code == status


def test_it_exports_anonymous_answers_to_facilitators(world: World) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    _six(survey)
    response = world.client_for(world.facilitator_3524).get(
        f"/survei/kelola/pelibatan/{survey.engagement_id}/jawaban.csv"
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 7
    assert "Ingin lagi" in rows[-1]
    assert rows[0][0] == "Kegiatan" and not any("IP" in c or c.lower() == "id" for c in rows[0])


def test_it_opens_and_closes_once_and_audits_each_change(world: World) -> None:
    survey = open_survey(world.lamongan_village, world.manager)
    assert survey_open(engagement=survey.engagement, actor=world.manager).code == survey.code
    assert survey_close(survey=survey, actor=world.manager) is True
    assert survey_close(survey=survey, actor=world.manager) is False
    reopened = survey_open(engagement=survey.engagement, actor=world.facilitator_3524)
    assert reopened.is_open and reopened.code == survey.code
    events = AuditEvent.objects.filter(object_id=survey.pk, content_type__model="survey").order_by("pk")
    assert [(e.action, e.changes) for e in events] == [
        ("create", {"is_open": [None, "ya"]}),
        ("update", {"is_open": ["ya", "tidak"]}),
        ("update", {"is_open": ["tidak", "ya"]}),
    ]


def test_it_opens_and_closes_through_the_activity_page(world: World) -> None:
    from tpbis.exports.tests.helpers import engagement

    record = engagement(world.lamongan_village)
    client = world.client_for(world.manager)
    assert "Buat survei manfaat" in client.get(f"/laporan/pelibatan/{record.pk}/").content.decode()
    client.post(f"/survei/kelola/pelibatan/{record.pk}/buka/")
    survey = Survey.objects.get(engagement=record)
    assert survey.is_open
    client.post(f"/survei/kelola/pelibatan/{record.pk}/tutup/")
    survey.refresh_from_db()
    assert not survey.is_open


def test_its_pages_need_no_inline_code(world: World) -> None:
    from django.test import Client

    from tpbis.core.tests.test_content_security_policy import policy_problems

    survey = open_survey(world.lamongan_village, world.manager)
    _six(survey)
    staff = world.client_for(world.province_35)
    for client, path in (
        (Client(), f"/survei/{survey.code}/"),
        (staff, f"/survei/kelola/pelibatan/{survey.engagement_id}/"),
        (staff, "/survei/kelola/wilayah/?region=35"),
        (staff, f"/mitra/{world.lamongan_village.pk}/"),
    ):
        assert policy_problems(client, path) == [], path
