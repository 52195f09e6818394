"""Status changes are conditional on what the person read; whoever changed a record's content may not verify it."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from conftest import PASSWORD, World, make_user
from tpbis.accounts.models import Role, Title, User
from tpbis.reports.audit import audit_for
from tpbis.reports.models import CommunityEngagement, Status
from tpbis.reports.services import RecordConflict, record_return, record_verify, records_verify_bulk
from tpbis.reports.tests.test_verification import make_engagement

URL = "/laporan/pelibatan/{pk}/{action}/"


@pytest.fixture
def second_facilitator(world: World) -> User:
    return make_user("fasda2.lamongan@example.id", Role.FACILITATOR, region="35.24", title=Title.PIC)


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _status_chain(record: CommunityEngagement) -> list[list[str]]:
    return [e.changes["status"] for e in audit_for(record).order_by("at", "pk") if "status" in e.changes]


def _assert_true_chain(record: CommunityEngagement) -> None:
    chain = _status_chain(record)
    for before, after in pairwise(chain):
        assert after[0] == before[1], chain
    record.refresh_from_db()
    if chain:
        assert chain[-1][1] == record.status


def test_it_refuses_a_return_of_a_record_verified_after_the_page_was_opened(
    world: World, second_facilitator: User
) -> None:
    record = make_engagement(world)
    seen = record.updated_at.isoformat()  # both facilitators opened the record now

    verify = world.client_for(second_facilitator).post(URL.format(pk=record.pk, action="verify"), {"seen": seen})
    assert verify.status_code == 302
    returned = world.client_for(world.facilitator_3524).post(
        URL.format(pk=record.pk, action="return"), {"seen": seen, "comment": "Foto kurang jelas"}, follow=True
    )

    page = returned.content.decode()
    assert "baru saja diverifikasi oleh" in page
    assert second_facilitator.full_name in page
    record.refresh_from_db()
    assert record.status == Status.VERIFIED
    assert record.return_comment == ""
    assert record.verified_by == second_facilitator
    _assert_true_chain(record)


def test_it_refuses_a_verification_of_a_record_returned_meanwhile(world: World, second_facilitator: User) -> None:
    record = make_engagement(world)
    seen = record.updated_at.isoformat()
    world.client_for(second_facilitator).post(
        URL.format(pk=record.pk, action="return"), {"seen": seen, "comment": "Jumlah peserta salah"}
    )

    response = world.client_for(world.facilitator_3524).post(URL.format(pk=record.pk, action="verify"), {"seen": seen})

    assert any("baru saja dikembalikan oleh" in m for m in _messages(response))
    record.refresh_from_db()
    assert record.status == Status.RETURNED
    assert record.return_comment == "Jumlah peserta salah"
    _assert_true_chain(record)


def test_it_refuses_a_stale_record_object_in_the_service(world: World, second_facilitator: User) -> None:
    """The API reads the record, then acts: a verification in between makes the return lose with 409."""
    record = make_engagement(world)
    stale = CommunityEngagement.objects.get(pk=record.pk)
    record_verify(record=record, user=second_facilitator)

    with pytest.raises(RecordConflict, match="baru saja diverifikasi"):
        record_return(record=stale, user=world.facilitator_3524, comment="Foto kurang jelas")

    record.refresh_from_db()
    assert (record.status, record.return_comment) == (Status.VERIFIED, "")
    _assert_true_chain(record)


def test_it_answers_409_on_the_api_when_the_record_was_verified_first(
    world: World, second_facilitator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = make_engagement(world)
    stale = CommunityEngagement.objects.get(pk=record.pk)
    record_verify(record=record, user=second_facilitator)
    # The API endpoint fetched the record before the colleague's verification landed.
    from tpbis.api.v1 import records as api_records

    monkeypatch.setattr(api_records, "_get", lambda *args, **kwargs: stale)
    client = world.client_for(world.facilitator_3524)
    response = client.post(
        f"/api/v1/records/pelibatan/{record.pk}/return",
        data={"comment": "Foto kurang jelas"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "baru saja diverifikasi" in response.json()["message"]
    record.refresh_from_db()
    assert (record.status, record.return_comment) == (Status.VERIFIED, "")


def test_it_bulk_verifies_only_what_still_waits_and_logs_only_that(world: World, second_facilitator: User) -> None:
    waiting = make_engagement(world, title="Masih menunggu")
    taken = make_engagement(world, title="Sudah dikembalikan")
    stale = list(CommunityEngagement.objects.filter(pk__in=[waiting.pk, taken.pk]))
    record_return(record=taken, user=second_facilitator, comment="Perbaiki tanggal")

    verified, skipped = records_verify_bulk(records=stale, user=world.facilitator_3524)

    assert (verified, skipped) == (1, 1)
    taken.refresh_from_db()
    assert taken.status == Status.RETURNED
    assert [e.action for e in audit_for(taken)] == ["create", "return"]
    _assert_true_chain(waiting)
    _assert_true_chain(taken)


def _edit(client: Client, record: CommunityEngagement, participants: int, seen: str | None = None) -> Any:
    data = {
        "date": record.date.isoformat(),
        "title": record.title,
        "activity_field": record.activity_field,
        "activity_kind": record.activity_kind,
        "audience": record.audience,
        "participants": str(participants),
    }
    if seen:
        data["seen"] = seen
    return client.post(URL.format(pk=record.pk, action="ubah"), data)


def test_it_refuses_verification_by_the_facilitator_who_changed_the_content(
    world: World, second_facilitator: User
) -> None:
    record = make_engagement(world)
    facilitator = world.client_for(world.facilitator_3524)
    assert _edit(facilitator, record, 500).status_code == 302
    record.refresh_from_db()
    assert record.participants == 500

    response = facilitator.post(URL.format(pk=record.pk, action="verify"), follow=True)

    assert "Anda mengubah isi laporan ini" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED
    assert records_verify_bulk(records=[record], user=world.facilitator_3524) == (0, 1)
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED
    # A colleague who did not touch the content verifies it.
    world.client_for(second_facilitator).post(URL.format(pk=record.pk, action="verify"))
    record.refresh_from_db()
    assert record.status == Status.VERIFIED


def test_it_hides_the_verify_button_from_whoever_changed_the_content(world: World) -> None:
    record = make_engagement(world)
    facilitator = world.client_for(world.facilitator_3524)
    _edit(facilitator, record, 40)

    page = facilitator.get(f"/laporan/pelibatan/{record.pk}/").content.decode()

    assert f"/laporan/pelibatan/{record.pk}/verify/" not in page


def test_it_keeps_what_was_typed_when_the_record_changed_under_the_form(world: World, second_facilitator: User) -> None:
    record = make_engagement(world)
    seen = record.updated_at.isoformat()  # the manager opens the edit form
    record_verify(record=record, user=second_facilitator)  # a facilitator verifies meanwhile
    manager = Client()
    assert manager.login(email=world.manager.email, password=PASSWORD)

    response = _edit(manager, record, 33, seen=seen)

    assert response.status_code == 200
    page = response.content.decode()
    assert "baru saja diverifikasi oleh" in page
    assert 'value="33"' in page
    record.refresh_from_db()
    assert (record.status, record.participants) == (Status.VERIFIED, 20)
    # Saving again, now knowing, goes through and sends it back to the queue.
    fresh_seen = record.updated_at.isoformat()
    assert _edit(manager, record, 33, seen=fresh_seen).status_code == 302
    record.refresh_from_db()
    assert (record.status, record.participants) == (Status.SUBMITTED, 33)
    _assert_true_chain(record)
