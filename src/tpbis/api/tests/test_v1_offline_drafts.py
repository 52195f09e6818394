"""Drafts through the API, as the phone's queue sends them (issue 15): "Simpan sebagai draf" without signal
is checked as the web form checks a draft (nothing required, no photo), and a draft continued offline and
sent ("Kirim laporan") is submitted; nothing looser than the web form, nobody else's draft reachable."""

from __future__ import annotations

import uuid
from typing import Any

from conftest import World, make_user
from tpbis.accounts.models import Role
from tpbis.api.entry import version_of
from tpbis.api.tests.test_offline_sync import ENGAGEMENTS, engagement, phone, photo_b64, send
from tpbis.reports.audit import audit_for
from tpbis.reports.models import AuditAction, CommunityEngagement, Status, Visitors
from tpbis.reports.photos import photos_for, photos_prepare
from tpbis.reports.services import record_create
from tpbis.reports.tests.test_entry import jpeg
from tpbis.reports.tests.test_verification import TODAY


def draft_of(world: World, **fields: Any) -> dict[str, Any]:
    """What the queue sends for "Simpan sebagai draf" on the new-entry form: only what was typed."""
    return {"library_id": world.lamongan_village.pk, "client_id": str(uuid.uuid4()), "submit": False, **fields}


def web_draft(world: World, photos: int = 0, **fields: Any) -> dict[str, Any]:
    """A draft saved on the web form ("Simpan sebagai draf"), as the kept /ubah/ page knows it."""
    record, _created = record_create(
        model=CommunityEngagement,
        user=world.manager,
        data=fields,
        library=world.lamongan_village,
        photos=photos_prepare(files=[jpeg() for _ in range(photos)]),
        submit=False,
    )
    return {"id": record.pk, "title": record.title, "version": version_of(record), "client_id": str(record.client_id)}


def complete(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The draft's form filled in completely, as typed on the kept /ubah/ page."""
    return {
        "date": TODAY.isoformat(),
        "title": record["title"],
        "activity_field": "Ekonomi",
        "activity_kind": "Pelatihan",
        "audience": "Pelaku UMKM",
        "participants_male": 4,
        "participants_female": 11,
        "version": record["version"],
        **changes,
    }


def test_an_incomplete_draft_without_photo_is_saved_as_a_draft_once(world: World) -> None:
    client = phone(world.manager)
    body = draft_of(world, title="Kelas menulis cerita anak", participants_male=3)

    first = send(client, ENGAGEMENTS, body)
    again = send(client, ENGAGEMENTS, body)  # the first answer was lost: the queue sends it again

    assert first.status_code == 201, first.json()
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    record = CommunityEngagement.objects.get()
    assert (record.status, record.title, record.participants_male) == (Status.DRAFT, "Kelas menulis cerita anak", 3)
    assert str(record.client_id) == body["client_id"]
    assert photos_for(record).count() == 0


def test_a_draft_is_checked_as_the_web_form_checks_one(world: World) -> None:
    client = phone(world.manager)

    empty = send(client, ENGAGEMENTS, draft_of(world))
    wrong_choice = send(client, ENGAGEMENTS, draft_of(world, title="Dongeng", activity_field="Bukan bidang"))
    too_many = send(client, ENGAGEMENTS, draft_of(world, title="Dongeng", photos=[photo_b64()] * 4))

    assert empty.status_code == 422
    assert empty.json()["errors"] == {"__all__": ["Draf masih kosong: isi paling sedikit satu isian."]}
    assert (wrong_choice.status_code, list(wrong_choice.json()["errors"])) == (422, ["activity_field"])
    assert (too_many.status_code, list(too_many.json()["errors"])) == (422, ["photos"])
    assert not CommunityEngagement.objects.exists()


def test_a_report_sent_is_checked_in_full_as_before(world: World) -> None:
    """A guard, not a defect: passes before and after the change (nothing looser than the web form)."""
    client = phone(world.manager)

    missing = send(client, ENGAGEMENTS, engagement(world, title=None, audience=None))
    no_photo = send(client, ENGAGEMENTS, engagement(world, photos=[]))
    # Only the types with drafts on the web form have them here.
    visitors = send(
        client,
        "/api/v1/records/pengunjung",
        {"library_id": world.lamongan_village.pk, "year": TODAY.year, "month": TODAY.month, "male": 3, "submit": False},
    )

    # Refused as before (the words are now the web form's "Bidang ini tidak boleh kosong.").
    assert (missing.status_code, set(missing.json()["errors"])) == (422, {"title", "audience"})
    assert (no_photo.status_code, list(no_photo.json()["errors"])) == (422, ["photos"])
    assert visitors.status_code == 422
    assert not CommunityEngagement.objects.exists() and not Visitors.objects.exists()


def test_a_draft_saved_again_stays_a_draft_and_sent_is_submitted(world: World) -> None:
    client = phone(world.manager)
    saved = web_draft(world, title="Kelas menulis")
    url = f"{ENGAGEMENTS}/{saved['id']}"

    # Continued offline, saved as a draft again: still incomplete, still no photo.
    again = send(
        client, url, {"title": "Kelas menulis cerita", "activity_field": "Ekonomi", "version": saved["version"]}, "put"
    )
    assert again.status_code == 200, again.json()
    assert (again.json()["status"], again.json()["title"], again.json()["audience"]) == (
        "draft",
        "Kelas menulis cerita",
        "",
    )

    # Sent without a photo: every check of a report sent, and it stays a draft.
    refused = send(client, url, complete(again.json(), submit=True), "put")
    assert (refused.status_code, list(refused.json()["errors"])) == (422, ["photos"])
    assert CommunityEngagement.objects.get().status == Status.DRAFT

    body = complete(again.json(), submit=True, photos=[photo_b64()])
    sent = send(client, url, body, "put")
    assert sent.status_code == 200, sent.json()
    record = CommunityEngagement.objects.get()
    assert (record.status, record.audience, photos_for(record).count()) == (Status.SUBMITTED, "Pelaku UMKM", 1)
    assert AuditAction.SUBMIT in [entry.action for entry in audit_for(record)]


def test_sending_a_draft_resent_after_a_lost_answer_changes_nothing_more(world: World) -> None:
    client = phone(world.manager)
    # Its photo was attached online: an edit adding photos is never taken as already applied (docs/offline.md).
    saved = web_draft(world, photos=1, title="Kelas menulis")
    url = f"{ENGAGEMENTS}/{saved['id']}"
    body = complete(saved, submit=True)

    first = send(client, url, body, "put")
    again = send(client, url, body, "put")  # same version as the first: the record changed since

    assert (first.status_code, first.json()["status"]) == (200, "submitted")
    assert (again.status_code, again.json()["status"]) == (200, "submitted"), again.json()
    assert CommunityEngagement.objects.count() == 1
    assert photos_for(CommunityEngagement.objects.get()).count() == 1


def test_an_incomplete_draft_cannot_be_sent(world: World) -> None:
    client = phone(world.manager)
    saved = web_draft(world, title="Kelas menulis")

    sent = send(
        client,
        f"{ENGAGEMENTS}/{saved['id']}",
        {"title": "Kelas menulis", "submit": True, "photos": [photo_b64()]},
        "put",
    )

    assert sent.status_code == 422
    assert {"date", "activity_field", "activity_kind", "audience"} <= set(sent.json()["errors"])
    assert CommunityEngagement.objects.get().status == Status.DRAFT


def test_a_correction_of_a_record_sent_is_not_turned_into_a_draft(world: World) -> None:
    client = phone(world.manager)
    saved = send(client, ENGAGEMENTS, engagement(world)).json()

    partial = send(client, f"{ENGAGEMENTS}/{saved['id']}", {"title": "Baru", "submit": False}, "put")

    assert partial.status_code == 422  # checked in full: a record sent is never a draft again
    assert CommunityEngagement.objects.get().status == Status.SUBMITTED


def test_someone_elses_draft_stays_out_of_reach(world: World) -> None:
    mine = web_draft(world, title="Draf Sembung")
    other = phone(make_user("labruk@example.id", Role.MANAGER, library=world.lumajang_village))
    url = f"{ENGAGEMENTS}/{mine['id']}"

    read = other.get(url)
    sent = send(other, url, complete(mine, submit=True, photos=[photo_b64()]), "put")
    saved = send(other, url, {"title": "Diubah orang lain", "version": mine["version"]}, "put")
    # Their own draft under the same client id (a guessed or copied id) names nothing of the first one.
    taken = send(
        other,
        ENGAGEMENTS,
        {"library_id": world.lumajang_village.pk, "client_id": mine["client_id"], "title": "X", "submit": False},
    )

    assert (read.status_code, sent.status_code, saved.status_code) == (404, 404, 404)
    assert (taken.status_code, taken.json()["code"]) == (409, "client_id_conflict")
    assert "Sembung" not in taken.content.decode()
    record = CommunityEngagement.objects.get()
    assert (record.status, record.title) == (Status.DRAFT, "Draf Sembung")


def test_sending_a_draft_asks_about_a_likely_duplicate_as_the_web_form_does(world: World) -> None:
    client = phone(world.manager)
    assert send(client, ENGAGEMENTS, engagement(world, title="Kelas menulis cerita anak")).status_code == 201
    # Saved as a draft without the question (a draft is not a report yet) ...
    saved = send(client, ENGAGEMENTS, draft_of(world, title="Kelas menulis cerita anak", date=TODAY.isoformat()))
    assert saved.status_code == 201, saved.json()
    url = f"{ENGAGEMENTS}/{saved.json()['id']}"
    body = complete(saved.json(), submit=True, photos=[photo_b64()])

    # ... asked when sent, and sent once confirmed.
    asked = send(client, url, body, "put")
    confirmed = send(client, url, {**body, "confirm_duplicate": True}, "put")

    assert (asked.status_code, asked.json()["code"]) == (409, "duplicate_suspected")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "submitted"
