"""What an offline phone's queue relies on (issue 15): resends, client ids, versions and error codes.

The phone sends with the browser's session cookie and the CSRF header, so these tests do too.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import uuid
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils.crypto import get_random_string
from PIL import Image

from conftest import World, make_user
from tpbis.accounts.models import Role, User
from tpbis.reports.audit import audit_for
from tpbis.reports.models import AuditAction, CommunityEngagement, Photo, Status, Visitors
from tpbis.reports.photos import MAX_EDGE, photos_for
from tpbis.reports.tests.test_verification import TODAY

ENGAGEMENTS = "/api/v1/records/pelibatan"


def phone(user: User) -> Client:
    """A signed-in browser session as the installed app holds it: session cookie, CSRF cookie and header."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


def send(client: Client, path: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(path, data=json.dumps(body, default=str), content_type="application/json")


def photo_b64(size: tuple[int, int] = (640, 480), colour: tuple[int, int, int] = (30, 120, 90)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=70)
    return base64.b64encode(buffer.getvalue()).decode()


def engagement(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "library_id": world.lamongan_village.pk,
        "client_id": str(uuid.uuid4()),
        "date": TODAY.isoformat(),
        "title": "Pelatihan membatik",
        "activity_field": "Ekonomi",
        "activity_kind": "Pelatihan",
        "audience": "Pelaku UMKM",
        "participants_male": 4,
        "participants_female": 11,
        "photos": [photo_b64()],
        "submit": True,
        **overrides,
    }


def edit_of(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The correction form filled from a record as the API gave it."""
    fields = ("date", "title", "activity_field", "activity_kind", "audience", "participants_male")
    return {**{name: record[name] for name in fields}, "participants_female": record["participants_female"], **changes}


# --- create: resends and client ids ----------------------------------------------------------------------


def test_it_answers_an_identical_resend_with_the_saved_record(world: World) -> None:
    client = phone(world.manager)
    body = engagement(world)

    first = send(client, ENGAGEMENTS, body)
    again = send(client, ENGAGEMENTS, body)

    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["client_id"] == body["client_id"]
    assert again.json()["version"] == first.json()["version"]
    assert CommunityEngagement.objects.count() == 1
    assert Photo.objects.count() == 1


def test_it_takes_a_resend_the_form_reads_the_same_as_identical(world: World) -> None:
    client = phone(world.manager)
    body = engagement(world)
    assert send(client, ENGAGEMENTS, body).status_code == 201

    # The form trims the title and reads "4" as 4: the same entry, whatever the phone's JSON looks like.
    again = send(client, ENGAGEMENTS, {**body, "title": "  Pelatihan membatik ", "participants_male": "4"})

    assert again.status_code == 200, again.content
    assert CommunityEngagement.objects.count() == 1


def test_it_takes_a_resend_after_a_facilitator_verified_the_record_as_identical(world: World) -> None:
    client = phone(world.manager)
    body = engagement(world)
    saved = send(client, ENGAGEMENTS, body).json()
    assert send(phone(world.facilitator_3524), f"{ENGAGEMENTS}/{saved['id']}/verify", {}).status_code == 200

    again = send(client, ENGAGEMENTS, body)

    assert again.status_code == 200, again.content
    assert again.json()["status"] == Status.VERIFIED
    assert CommunityEngagement.objects.count() == 1


def test_it_answers_a_resent_monthly_report_with_it_not_with_month_exists(world: World) -> None:
    client = phone(world.manager)
    body = {
        "library_id": world.lamongan_village.pk,
        "client_id": str(uuid.uuid4()),
        "year": TODAY.year,
        "month": TODAY.month,
        "male": 3,
        "female": 2,
    }
    first = send(client, "/api/v1/records/pengunjung", body)

    again = send(client, "/api/v1/records/pengunjung", body)
    other = send(client, "/api/v1/records/pengunjung", {**body, "male": 4})

    assert first.status_code == 201, first.content
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert (other.status_code, other.json()["code"]) == (409, "client_id_conflict")
    assert Visitors.objects.get().male == 3


def test_it_refuses_the_same_client_id_with_other_content_and_changes_nothing(world: World) -> None:
    client = phone(world.manager)
    body = engagement(world)
    saved = send(client, ENGAGEMENTS, body).json()

    other_title = send(client, ENGAGEMENTS, {**body, "title": "Pelatihan menjahit"})
    other_photo = send(client, ENGAGEMENTS, {**body, "photos": [photo_b64(colour=(200, 10, 10))]})

    for response in (other_title, other_photo):
        assert response.status_code == 409, response.content
        answer = response.json()
        assert answer["code"] == "client_id_conflict"
        assert "isi berbeda" in answer["message"]
        assert answer["existing_id"] == saved["id"]
        assert answer["errors"]["client_id"]
    record = CommunityEngagement.objects.get()
    assert record.title == "Pelatihan membatik"
    assert str(record.updated_at.isoformat()) == saved["version"]
    assert Photo.objects.count() == 1


def test_it_says_nothing_about_a_client_id_of_another_library(world: World) -> None:
    lumajang_manager = make_user("labruk.kidul@example.id", Role.MANAGER, library=world.lumajang_village)
    theirs = send(phone(lumajang_manager), ENGAGEMENTS, engagement(world, library_id=world.lumajang_village.pk))
    assert theirs.status_code == 201, theirs.content
    # The same id (a bug, or someone who saw it) sent by a manager of Lamongan, identical content or not.
    copied = engagement(world, client_id=theirs.json()["client_id"], library_id=world.lumajang_village.pk)

    for body in (engagement(world, client_id=theirs.json()["client_id"]), copied):
        response = send(phone(world.manager), ENGAGEMENTS, body)
        assert response.status_code in (404, 409), response.content
        answer = response.json()
        assert answer.get("existing_id") is None
        assert str(theirs.json()["id"]) not in response.content.decode().replace(body["client_id"], "")
        assert "Pelatihan membatik" not in response.content.decode()
    assert CommunityEngagement.objects.count() == 1


def test_it_refuses_a_client_id_of_another_kabupaten_to_a_facilitator_without_naming_it(world: World) -> None:
    theirs = send(phone(world.manager), ENGAGEMENTS, engagement(world)).json()
    body = engagement(world, client_id=theirs["client_id"], library_id=world.belo_laut.pk)

    response = send(phone(world.facilitator_1905), ENGAGEMENTS, body)

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "client_id_conflict"
    assert response.json()["existing_id"] is None
    assert CommunityEngagement.objects.count() == 1


# --- edit: versions --------------------------------------------------------------------------------------


def test_it_refuses_an_edit_based_on_a_version_changed_by_a_verification(world: World) -> None:
    manager = phone(world.manager)
    saved = send(manager, ENGAGEMENTS, engagement(world)).json()
    assert send(phone(world.facilitator_3524), f"{ENGAGEMENTS}/{saved['id']}/verify", {}).status_code == 200

    edit = edit_of(saved, title="Pelatihan membatik tulis", version=saved["version"])
    response = send(manager, f"{ENGAGEMENTS}/{saved['id']}", edit, method="put")

    assert response.status_code == 409, response.content
    answer = response.json()
    assert answer["code"] == "stale_version"
    assert answer["message"]
    assert answer["current"]["status"] == Status.VERIFIED
    assert answer["current"]["title"] == "Pelatihan membatik"
    assert answer["current"]["version"] != saved["version"]
    assert answer["yours"]["title"] == "Pelatihan membatik tulis"
    assert answer["yours"]["version"] == saved["version"]
    record = CommunityEngagement.objects.get()
    assert (record.title, record.status) == ("Pelatihan membatik", Status.VERIFIED)


def test_it_refuses_an_edit_based_on_a_version_changed_by_the_facilitator(world: World) -> None:
    manager, facilitator = phone(world.manager), phone(world.facilitator_3524)
    saved = send(manager, ENGAGEMENTS, engagement(world)).json()
    path = f"{ENGAGEMENTS}/{saved['id']}"
    assert send(facilitator, path, edit_of(saved, audience="Umum"), method="put").status_code == 200

    response = send(manager, path, edit_of(saved, title="Pelatihan batik", version=saved["version"]), method="put")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "stale_version"
    assert response.json()["current"]["audience"] == "Umum"
    assert CommunityEngagement.objects.get().title == "Pelatihan membatik"


def test_it_refuses_an_edit_based_on_a_version_changed_by_a_return(world: World) -> None:
    manager = phone(world.manager)
    saved = send(manager, ENGAGEMENTS, engagement(world)).json()
    path = f"{ENGAGEMENTS}/{saved['id']}"
    returned = send(phone(world.facilitator_3524), f"{path}/return", {"comment": "Foto kurang jelas."})
    assert returned.status_code == 200

    response = send(manager, path, edit_of(saved, version=saved["version"], title="Membatik"), method="put")

    assert response.status_code == 409
    assert response.json()["current"]["status"] == Status.RETURNED
    assert response.json()["current"]["return_comment"] == "Foto kurang jelas."


def test_it_saves_an_edit_based_on_the_current_version(world: World) -> None:
    manager = phone(world.manager)
    saved = send(manager, ENGAGEMENTS, engagement(world)).json()
    path = f"{ENGAGEMENTS}/{saved['id']}"

    first = send(manager, path, edit_of(saved, title="Pelatihan batik tulis", version=saved["version"]), method="put")
    assert first.status_code == 200, first.content
    assert first.json()["version"] != saved["version"]
    # The version it answered is the one the next edit is based on.
    second = send(manager, path, edit_of(saved, title="Pelatihan batik cap", version=first.json()["version"]), "put")

    assert second.status_code == 200, second.content
    assert CommunityEngagement.objects.get().title == "Pelatihan batik cap"


def test_it_answers_a_resent_edit_whose_answer_was_lost_with_the_record(world: World) -> None:
    manager = phone(world.manager)
    saved = send(manager, ENGAGEMENTS, engagement(world)).json()
    path = f"{ENGAGEMENTS}/{saved['id']}"
    edit = edit_of(saved, title="Pelatihan batik tulis", version=saved["version"])
    first = send(manager, path, edit, method="put")
    assert first.status_code == 200, first.content

    again = send(manager, path, edit, method="put")  # the phone never saw the first answer

    assert again.status_code == 200, again.content
    assert again.json()["version"] == first.json()["version"]
    assert audit_for(CommunityEngagement.objects.get()).filter(action=AuditAction.UPDATE).count() == 1


def test_it_keeps_saving_an_edit_without_a_version_as_before(world: World) -> None:
    manager = phone(world.manager)
    saved = send(manager, ENGAGEMENTS, engagement(world)).json()
    assert send(phone(world.facilitator_3524), f"{ENGAGEMENTS}/{saved['id']}/verify", {}).status_code == 200

    response = send(manager, f"{ENGAGEMENTS}/{saved['id']}", edit_of(saved, title="Pelatihan batik"), method="put")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.SUBMITTED  # a verified record goes back to the queue
    assert CommunityEngagement.objects.get().title == "Pelatihan batik"


def test_it_refuses_a_version_it_never_gave(world: World) -> None:
    manager = phone(world.manager)
    saved = send(manager, ENGAGEMENTS, engagement(world)).json()

    response = send(manager, f"{ENGAGEMENTS}/{saved['id']}", edit_of(saved, version="kemarin"), method="put")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"]["version"]


def test_it_versions_a_monthly_report_too(world: World) -> None:
    manager = phone(world.manager)
    body = {"library_id": world.lamongan_village.pk, "year": TODAY.year, "month": TODAY.month, "male": 3, "female": 2}
    saved = send(manager, "/api/v1/records/pengunjung", body).json()
    path = f"/api/v1/records/pengunjung/{saved['id']}"
    fresh = {"year": TODAY.year, "month": TODAY.month, "male": 5, "female": 2, "version": saved["version"]}
    assert send(manager, path, fresh, method="put").status_code == 200

    stale = send(manager, path, {**fresh, "male": 9}, method="put")

    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert Visitors.objects.get().male == 5


# --- error bodies ----------------------------------------------------------------------------------------


def test_it_keys_validation_errors_by_the_web_forms_field_names(world: World) -> None:
    client = phone(world.manager)

    refused = send(client, ENGAGEMENTS, engagement(world, activity_field="Memancing", photos=["bukan foto"]))
    typed = send(client, ENGAGEMENTS, engagement(world, date="kemarin", photos=[photo_b64(), 5]))

    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid"
    assert "activity_field" in refused.json()["errors"]
    assert typed.status_code == 422
    assert typed.json()["code"] == "invalid"
    assert {"date", "photos"} <= set(typed.json()["errors"])
    assert CommunityEngagement.objects.count() == 0


def test_it_refuses_a_photo_that_is_not_one_beside_the_photo_field(world: World) -> None:
    not_a_photo = base64.b64encode(b"%PDF-1.4 bukan gambar" * 10).decode()

    response = send(phone(world.manager), ENGAGEMENTS, engagement(world, photos=[not_a_photo]))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"]["photos"]
    assert CommunityEngagement.objects.count() == 0


def test_it_gives_every_refusal_a_code(world: World) -> None:
    client = phone(world.manager)
    saved = send(client, ENGAGEMENTS, engagement(world)).json()
    monthly = {"library_id": world.lamongan_village.pk, "year": TODAY.year, "month": TODAY.month, "male": 1}
    assert send(client, "/api/v1/records/pengunjung", monthly).status_code == 201

    duplicate = send(client, ENGAGEMENTS, engagement(world))
    month = send(client, "/api/v1/records/pengunjung", monthly)
    missing = client.get(f"{ENGAGEMENTS}/{saved['id'] + 1000}")
    anonymous = send(Client(), ENGAGEMENTS, engagement(world))
    without_csrf = phone(world.manager)
    del without_csrf.defaults["HTTP_X_CSRFTOKEN"]
    forged = send(without_csrf, ENGAGEMENTS, engagement(world, title="Bedah buku"))

    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "duplicate_suspected")
    assert duplicate.json()["duplicates"] == [saved["id"]]
    assert (month.status_code, month.json()["code"]) == (409, "month_exists")
    assert month.json()["existing_id"]
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthenticated")
    assert (forged.status_code, forged.json()["code"]) == (403, "forbidden")


# --- photos: the server never trusts the phone's shrinking -----------------------------------------------


def test_it_shrinks_a_big_photo_the_phone_did_not_and_drops_its_location(world: World) -> None:
    big = Image.new("RGB", (4000, 1000), (90, 60, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (7.0, 15.0, 0.0)}  # GPS latitude
    buffer = io.BytesIO()
    big.save(buffer, "JPEG", exif=exif, quality=95)

    response = send(
        phone(world.manager), ENGAGEMENTS, engagement(world, photos=[base64.b64encode(buffer.getvalue()).decode()])
    )

    assert response.status_code == 201, response.content
    stored = photos_for(CommunityEngagement.objects.get()).get()
    assert max(stored.width, stored.height) == MAX_EDGE
    with stored.image.open("rb") as file, Image.open(file) as image:
        assert max(image.size) == MAX_EDGE
        assert 0x8825 not in image.getexif()


def test_it_refuses_a_body_too_big_with_a_code(world: World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    body = engagement(world, photos=[base64.b64encode(b"\xff" * 60_000).decode()])

    response = send(phone(world.manager), ENGAGEMENTS, body)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert CommunityEngagement.objects.count() == 0


def test_it_lets_a_draft_saved_offline_be_sent_later(world: World) -> None:
    manager = phone(world.manager)
    body = engagement(world, submit=False, date=(TODAY - dt.timedelta(days=1)).isoformat())
    saved = send(manager, ENGAGEMENTS, body)
    assert saved.status_code == 201, saved.content
    assert saved.json()["status"] == Status.DRAFT

    assert send(manager, ENGAGEMENTS, body).status_code == 200
    assert CommunityEngagement.objects.count() == 1
