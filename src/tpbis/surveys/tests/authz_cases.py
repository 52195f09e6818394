"""Authorization matrix entries for the beneficiary survey, and the slot {survei_code} (the open survey of
each scope's activity record {pelibatan}).

The answer page is public (anyone with the code); the staff pages follow the activity record's scope
(REGION): everyone signed in who reaches the record may open, close and read its survey; anonymous
answers and the region page are for facilitators and up.
"""

from __future__ import annotations

from typing import Any

from tpbis.core.tests.authz_matrix import EVERYONE, FACILITATOR_UP, NONE, REGION, SIGNED_IN, Case, everyone_gets
from tpbis.reports.models import CommunityEngagement
from tpbis.surveys.services import survey_open


def matrix_slots(world: Any) -> dict[str, dict[str, str]]:
    places = {"in": world.lamongan_village, "near": world.lumajang_village, "out": world.belo_laut}
    slots: dict[str, dict[str, str]] = {}
    for scope, library in places.items():
        # The {pelibatan} slot is the library's first activity (built before the apps' slots).
        engagement = CommunityEngagement.objects.filter(library=library).order_by("pk").first()
        assert engagement is not None
        survey = survey_open(engagement=engagement, actor=world.national)
        slots[scope] = {"survei_code": survey.code}
    return slots


ACTIVITY = "/survei/kelola/pelibatan/{pelibatan}/"

CASES: list[Case] = [
    Case("surveys:answer", "/survei/{survei_code}/", EVERYONE, NONE),
    Case("surveys:answer", "/survei/{survei_code}/", EVERYONE, NONE, method="POST", data={}, label="kirim"),
    Case("surveys:answer", "/survei/TIDAKADA123/", EVERYONE, NONE, label="tidak-ada", overrides=everyone_gets(404)),
    Case("surveys:activity", ACTIVITY, SIGNED_IN, REGION),
    Case("surveys:open", ACTIVITY + "buka/", SIGNED_IN, REGION, method="POST", data={}),
    Case("surveys:close", ACTIVITY + "tutup/", SIGNED_IN, REGION, method="POST", data={}),
    Case("surveys:activity_export", ACTIVITY + "hasil.csv", SIGNED_IN, REGION, label="hasil"),
    Case(
        "surveys:activity_export",
        ACTIVITY + "jawaban.xlsx",
        FACILITATOR_UP,
        REGION,
        label="jawaban",
        fetch_first=True,
    ),
    Case("surveys:region", "/survei/kelola/wilayah/?region={region}", FACILITATOR_UP, REGION),
    Case(
        "surveys:region_export",
        "/survei/kelola/wilayah/hasil.xlsx?region={region}",
        FACILITATOR_UP,
        REGION,
        label="hasil",
    ),
    Case(
        "surveys:region_export",
        "/survei/kelola/wilayah/jawaban.csv?region={region}",
        FACILITATOR_UP,
        REGION,
        label="jawaban",
    ),
]
