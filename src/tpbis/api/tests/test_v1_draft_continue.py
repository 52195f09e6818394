"""A draft saved offline whose answer was lost, then continued on the phone (issue 15): the phone never learned
the draft's id, so it sends the continued entry as a create under the same client id. The server goes on with
that draft, as the web form does with a draft's page sent again, instead of refusing the client id."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import World, make_user
from tpbis.accounts.models import Role
from tpbis.api.tests.test_offline_sync import ENGAGEMENTS, phone, photo_b64, send
from tpbis.api.tests.test_v1_offline_drafts import draft_of
from tpbis.api.tests.test_v1_staged_photos import web_round_trip
from tpbis.reports.audit import audit_for
from tpbis.reports.models import AuditAction, CommunityEngagement, Status
from tpbis.reports.photos import photos_for, photos_prepare
from tpbis.reports.tests.test_entry import engagement as web_engagement
from tpbis.reports.tests.test_verification import TODAY

GREEN = (30, 120, 90)
RED = (200, 10, 10)


def finished(draft: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The same waiting entry opened from "Menunggu dikirim", filled in and sent ("Kirim laporan")."""
    return {
        **draft,
        "date": TODAY.isoformat(),
        "activity_field": "Ekonomi",
        "activity_kind": "Pelatihan",
        "audience": "Pelaku UMKM",
        "participants_male": 4,
        "participants_female": 11,
        "submit": True,
        **changes,
    }


def actions(record: Any) -> list[str]:
    return [entry.action for entry in audit_for(record)]


def shows(record: Any, colour: tuple[int, int, int]) -> bool:
    """The record's only photo is the one of this colour (as the server stores it, re-encoded)."""
    stored = [photo.image.read() for photo in photos_for(record)]
    upload = SimpleUploadedFile("foto.jpg", base64.b64decode(photo_b64(colour=colour)))
    return stored == [photos_prepare(files=[upload])[0].image]


def test_a_draft_continued_and_sent_under_its_client_id_is_sent(world: World) -> None:
    client = phone(world.manager)
    draft = draft_of(world, title="Kelas menulis", photos=[photo_b64(colour=GREEN)])
    assert send(client, ENGAGEMENTS, draft).status_code == 201  # saved; the phone never heard it

    sent = send(client, ENGAGEMENTS, finished(draft, title="Kelas menulis cerita anak"))

    assert sent.status_code == 200, sent.json()
    record = CommunityEngagement.objects.get()
    assert (sent.json()["id"], sent.json()["status"]) == (record.pk, "submitted")
    assert (record.status, record.title, record.audience) == (
        Status.SUBMITTED,
        "Kelas menulis cerita anak",
        "Pelaku UMKM",
    )
    assert shows(record, GREEN)  # its photo once, not a second copy of the one the draft already has
    assert actions(record) == [AuditAction.CREATE, AuditAction.SUBMIT]


def test_the_continued_send_resent_after_a_lost_answer_is_the_saved_record(world: World) -> None:
    client = phone(world.manager)
    draft = draft_of(world, title="Kelas menulis", photos=[photo_b64(colour=GREEN)])
    send(client, ENGAGEMENTS, draft)
    body = finished(draft)
    first = send(client, ENGAGEMENTS, body)

    again = send(client, ENGAGEMENTS, body)

    assert first.status_code == 200, first.json()
    assert (again.status_code, again.json()["id"], again.json()["version"]) == (
        200,
        first.json()["id"],
        first.json()["version"],
    )
    record = CommunityEngagement.objects.get()
    assert photos_for(record).count() == 1
    assert actions(record) == [AuditAction.CREATE, AuditAction.SUBMIT]


def test_a_photo_chosen_anew_while_continuing_replaces_the_drafts(world: World) -> None:
    client = phone(world.manager)
    draft = draft_of(world, title="Kelas menulis", photos=[photo_b64(colour=GREEN)])
    send(client, ENGAGEMENTS, draft)

    # The phone keeps the entry's photos unless new ones are chosen: then the new ones are the entry's.
    sent = send(client, ENGAGEMENTS, finished(draft, photos=[photo_b64(colour=RED)]))

    assert sent.status_code == 200, sent.json()
    record = CommunityEngagement.objects.get()
    assert shows(record, RED)
    submitted = audit_for(record).get(action=AuditAction.SUBMIT)
    assert (submitted.changes["photos"], submitted.changes["photos_removed"]) == ([1, 1], [[1], None])


def test_a_draft_continued_twice_keeps_one_record_and_a_true_history(world: World) -> None:
    client = phone(world.manager)
    draft = draft_of(world, title="Kelas menulis")
    send(client, ENGAGEMENTS, draft)

    # Continued offline and saved as a draft again (its answer lost too), then finished and sent.
    again = send(client, ENGAGEMENTS, {**draft, "participants_male": 4})
    sent = send(client, ENGAGEMENTS, finished(draft, photos=[photo_b64()]))

    assert (again.status_code, again.json()["status"]) == (200, "draft"), again.json()
    assert (sent.status_code, sent.json()["status"]) == (200, "submitted"), sent.json()
    record = CommunityEngagement.objects.get()
    assert actions(record) == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.SUBMIT]
    history = list(audit_for(record))
    assert history[1].changes["participants_male"] == [None, 4]
    assert history[2].changes["status"] == [Status.DRAFT.value, Status.SUBMITTED.value]


def test_continuing_a_draft_is_checked_as_sending_it(world: World) -> None:
    client = phone(world.manager)
    draft = draft_of(world, title="Kelas menulis")
    send(client, ENGAGEMENTS, draft)

    no_photo = send(client, ENGAGEMENTS, finished(draft))

    assert (no_photo.status_code, list(no_photo.json()["errors"])) == (422, ["photos"])
    record = CommunityEngagement.objects.get()
    assert (record.status, record.audience) == (Status.DRAFT, "")


def test_a_draft_already_sent_keeps_its_client_id_refused_for_other_content(world: World) -> None:
    """A guard, not a defect: passes before and after the change (only a draft is continued)."""
    client = phone(world.manager)
    draft = draft_of(world, title="Kelas menulis")
    saved = send(client, ENGAGEMENTS, draft).json()
    # Sent from its kept page (the phone knew its id there).
    put = {**finished(draft, photos=[photo_b64()]), "version": saved["version"]}
    assert send(client, f"{ENGAGEMENTS}/{saved['id']}", put, "put").json()["status"] == "submitted"

    other = send(client, ENGAGEMENTS, finished(draft, title="Kelas membaca", photos=[photo_b64()]))

    assert (other.status_code, other.json()["code"]) == (409, "client_id_conflict")
    assert CommunityEngagement.objects.get().title == "Kelas menulis"


def test_another_librarys_draft_is_not_continued(world: World) -> None:
    """A guard, not a defect: the client id of a draft out of the sender's reach names nothing of it."""
    draft = draft_of(world, title="Draf Sembung")
    send(phone(world.manager), ENGAGEMENTS, draft)
    other = phone(make_user("labruk@example.id", Role.MANAGER, library=world.lumajang_village))

    taken = send(other, ENGAGEMENTS, finished(draft, library_id=world.lumajang_village.pk, photos=[photo_b64()]))

    assert (taken.status_code, taken.json()["code"], taken.json()["existing_id"]) == (409, "client_id_conflict", None)
    record = CommunityEngagement.objects.get()
    assert (record.status, record.title) == (Status.DRAFT, "Draf Sembung")


def web_draft_with_kept_photo(world: World) -> dict[str, Any]:
    """ "Simpan sebagai draf" on the web form after a round trip kept its photo; the post reached the server
    but its answer was lost, so the worker queued the post with the form's client id and the kept photo's id."""
    client = world.client_for(world.manager)
    client_id = str(uuid.uuid4())
    ids = web_round_trip(client, world, client_id)
    posted = web_engagement(client_id=client_id, title="Kelas menulis", audience="", staged_photos=ids, draft="1")
    assert client.post(f"/laporan/pelibatan/baru/?perpustakaan={world.lamongan_village.pk}", posted).status_code == 302
    record = CommunityEngagement.objects.get()
    assert (record.status, photos_for(record).count()) == (Status.DRAFT, 1)
    return {**draft_of(world, title="Kelas menulis"), "client_id": client_id, "staged_photos": ids}


def test_a_web_draft_resent_naming_the_photo_it_took_is_the_saved_draft(world: World) -> None:
    """A guard, not a defect: passes before and after the change (it did, as any resend of a web draft)."""
    queued = web_draft_with_kept_photo(world)

    again = send(phone(world.manager), ENGAGEMENTS, queued)

    assert (again.status_code, again.json()["status"]) == (200, "draft"), again.json()
    assert photos_for(CommunityEngagement.objects.get()).count() == 1


def test_a_web_draft_continued_on_the_phone_is_sent_with_the_photo_it_took(world: World) -> None:
    queued = web_draft_with_kept_photo(world)

    sent = send(phone(world.manager), ENGAGEMENTS, finished(queued, photos=[]))

    assert (sent.status_code, sent.json()["status"]) == (200, "submitted"), sent.json()
    record = CommunityEngagement.objects.get()
    assert (record.status, record.audience, photos_for(record).count()) == (Status.SUBMITTED, "Pelaku UMKM", 1)
