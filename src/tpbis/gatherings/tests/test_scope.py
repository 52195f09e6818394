"""Who sees which gathering: 404 outside, 403 for an attendee who tries to run it."""

from __future__ import annotations

import pytest

from conftest import World, make_user
from tpbis.accounts.models import Role
from tpbis.gatherings.tests.helpers import gathering_make


@pytest.fixture
def three(world: World) -> dict[str, int]:
    return {
        "east_java": gathering_make(actor=world.province_35, region_code="35", title="Gathering Jawa Timur").pk,
        "lumajang": gathering_make(actor=world.province_35, region_code="35.08", title="Gathering Lumajang").pk,
        "bangka_barat": gathering_make(
            actor=world.facilitator_1905, region_code="19.05", title="Gathering Bangka Barat"
        ).pk,
    }


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("national", {"east_java", "lumajang", "bangka_barat"}),
        ("province_35", {"east_java", "lumajang"}),
        ("facilitator_3524", {"east_java"}),  # the province's gathering, not another kabupaten's
        ("facilitator_1905", {"bangka_barat"}),
        ("manager", {"east_java"}),  # invited with every partner of East Java; Lumajang's invites only Lumajang
    ],
)
def test_each_persona_sees_only_their_gatherings(
    world: World, three: dict[str, int], persona: str, visible: set[str]
) -> None:
    client = world.client_for(getattr(world, persona))
    page = client.get("/gathering/").content.decode()
    for key, pk in three.items():
        title = {"east_java": "Jawa Timur", "lumajang": "Lumajang", "bangka_barat": "Bangka Barat"}[key]
        assert (f"Gathering {title}" in page) == (key in visible), key
        assert client.get(f"/gathering/{pk}/").status_code == (200 if key in visible else 404), key
        assert client.get(f"/gathering/{pk}/laporan/").status_code == (200 if key in visible else 404), key


def test_an_attendee_cannot_run_the_gathering(world: World, three: dict[str, int]) -> None:
    pk = three["east_java"]
    for user in (world.facilitator_3524, world.manager):
        client = world.client_for(user)
        assert client.get(f"/gathering/{pk}/ubah/").status_code == 403
        assert client.post(f"/gathering/{pk}/mulai/").status_code == 403
        assert client.get(f"/gathering/{pk}/kehadiran/").status_code == 403


def test_a_facilitator_creates_only_for_their_kabupaten(world: World) -> None:
    client = world.client_for(world.facilitator_3524)
    page = client.get("/gathering/baru/").content.decode()
    assert 'value="35.24"' in page and 'value="35.08"' not in page and 'value="35"' not in page
    response = client.post("/gathering/baru/", {**FORM, "region": "35.08"})
    assert response.status_code == 200 and "Masukkan pilihan yang valid" in response.content.decode()


def test_a_manager_cannot_create(world: World) -> None:
    assert world.client_for(world.manager).get("/gathering/baru/").status_code == 403


def test_a_person_without_any_role_gets_403(world: World) -> None:
    nobody = make_user("tanpa@example.id", Role.MANAGER, library=world.belo_laut)
    nobody.memberships.all().delete()
    assert world.client_for(nobody).get("/gathering/").status_code == 403


FORM = {
    "title": "Gathering Lamongan",
    "date": "2026-12-20",
    "start_time": "09:00",
    "end_time": "12:00",
    "online_link": "https://zoom.us/j/1",
    "region": "35.24",
    "periode": "",
    "period_start": "2024-01-01",
    "period_end": "2024-09-30",
    "speakers": "Ibu Rina - Pelatih Ahli\nPak Budi - Konsultan Pendamping",
    "agenda": "Paparan capaian",
    "invite": "all",
}


def test_the_pages_keep_the_content_security_policy(world: World) -> None:
    from tpbis.core.tests.test_content_security_policy import policy_problems
    from tpbis.gatherings.services import gathering_freeze

    gathering = gathering_make(actor=world.province_35, region_code="35")
    gathering_freeze(actor=world.province_35, gathering_id=gathering.pk)
    officer = world.client_for(world.province_35)
    problems = []
    for path in (
        "/gathering/",
        "/gathering/baru/",
        f"/gathering/{gathering.pk}/",
        f"/gathering/{gathering.pk}/laporan/",
        f"/gathering/{gathering.pk}/ubah/",
        f"/gathering/{gathering.pk}/undangan/",
        f"/gathering/{gathering.pk}/kehadiran/",
    ):
        problems += policy_problems(officer, path)
    manager = world.client_for(world.manager)
    problems += policy_problems(manager, f"/gathering/{gathering.pk}/")
    problems += policy_problems(manager, f"/gathering/{gathering.pk}/hadir/{gathering.checkin_token}/")
    assert not problems, "\n".join(problems)
