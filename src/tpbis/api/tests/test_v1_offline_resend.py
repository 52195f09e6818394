"""A correction with photos resent by the phone's queue after its answer was lost (issue 15): the server saved
it, so the resend gets the saved record, not the conflict screen ("Laporan sudah berubah di server")."""

from __future__ import annotations

from conftest import World
from tpbis.api.tests.test_offline_sync import ENGAGEMENTS, edit_of, engagement, phone, photo_b64, send
from tpbis.api.tests.test_v1_offline_drafts import complete, web_draft
from tpbis.reports.audit import audit_for
from tpbis.reports.models import AuditAction, CommunityEngagement, Status
from tpbis.reports.photos import photos_for

RED = (200, 10, 10)


def test_a_draft_sent_with_a_photo_and_resent_after_a_lost_answer_is_the_saved_record(world: World) -> None:
    client = phone(world.manager)
    saved = web_draft(world, title="Kelas menulis")
    url = f"{ENGAGEMENTS}/{saved['id']}"
    body = complete(saved, submit=True, photos=[photo_b64()])  # finished offline on its kept page
    first = send(client, url, body, "put")

    again = send(client, url, body, "put")  # same version as the first: the record changed since

    assert (first.status_code, first.json()["status"]) == (200, "submitted"), first.json()
    assert again.status_code == 200, again.json()
    assert (again.json()["status"], again.json()["version"]) == ("submitted", first.json()["version"])
    record = CommunityEngagement.objects.get()
    assert (record.status, photos_for(record).count()) == (Status.SUBMITTED, 1)
    assert [entry.action for entry in audit_for(record)] == [AuditAction.CREATE, AuditAction.SUBMIT]


def test_a_correction_adding_a_photo_resent_after_a_lost_answer_is_the_saved_record(world: World) -> None:
    client = phone(world.manager)
    saved = send(client, ENGAGEMENTS, engagement(world)).json()
    url = f"{ENGAGEMENTS}/{saved['id']}"
    body = edit_of(saved, title="Pelatihan batik tulis", version=saved["version"], photos=[photo_b64(colour=RED)])
    first = send(client, url, body, "put")

    again = send(client, url, body, "put")

    assert first.status_code == 200, first.json()
    assert (again.status_code, again.json()["version"]) == (200, first.json()["version"]), again.json()
    record = CommunityEngagement.objects.get()
    assert photos_for(record).count() == 2
    assert audit_for(record).filter(action=AuditAction.UPDATE).count() == 1


def test_a_correction_removing_a_photo_resent_after_a_lost_answer_is_the_saved_record(world: World) -> None:
    client = phone(world.manager)
    saved = send(client, ENGAGEMENTS, engagement(world, photos=[photo_b64(), photo_b64(colour=RED)])).json()
    url = f"{ENGAGEMENTS}/{saved['id']}"
    body = edit_of(saved, version=saved["version"], remove_photos=[saved["photo_ids"][1]])
    first = send(client, url, body, "put")

    again = send(client, url, body, "put")

    assert first.status_code == 200, first.json()
    assert (again.status_code, again.json()["photo_ids"]) == (200, [saved["photo_ids"][0]]), again.json()


def test_a_resend_with_another_photo_still_shows_the_conflict(world: World) -> None:
    """A guard, not a defect: only what the record already holds is taken as applied."""
    client = phone(world.manager)
    saved = web_draft(world, title="Kelas menulis")
    url = f"{ENGAGEMENTS}/{saved['id']}"
    assert send(client, url, complete(saved, submit=True, photos=[photo_b64()]), "put").status_code == 200

    other = send(client, url, complete(saved, submit=True, photos=[photo_b64(colour=RED)]), "put")

    assert (other.status_code, other.json()["code"]) == (409, "stale_version")
    assert other.json()["current"]["status"] == "submitted"
    assert photos_for(CommunityEngagement.objects.get()).count() == 1
