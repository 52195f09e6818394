"""Verification: submitted → verified, or returned with a comment → corrected → submitted → verified."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import World
from tpbis.accounts.models import User
from tpbis.reports.audit import audit_for
from tpbis.reports.models import AuditAction, CommunityEngagement, Publicity, Status
from tpbis.reports.photos import photos_prepare
from tpbis.reports.services import record_create
from tpbis.reports.tests.test_entry import jpeg

TODAY = timezone.localdate()


def make_engagement(world: World, user: User | None = None, days_ago: int = 0, **extra: Any) -> CommunityEngagement:
    data = {
        "date": TODAY - dt.timedelta(days=days_ago),
        "title": extra.pop("title", f"Kegiatan {days_ago}"),
        "activity_field": "Kesehatan",
        "activity_kind": "Promosi",
        "audience": "Umum",
        "participants": 20,
    }
    record, _ = record_create(
        model=CommunityEngagement,
        user=user or world.manager,
        library=world.lamongan_village,
        data=data,
        photos=photos_prepare(files=[jpeg()]),
    )
    return record


def test_it_runs_the_whole_cycle_and_audits_every_step(world: World) -> None:
    record = make_engagement(world)
    facilitator = world.client_for(world.facilitator_3524)
    manager = world.client_for(world.manager)

    response = facilitator.post(f"/laporan/pelibatan/{record.pk}/return/", {"comment": "Foto kurang jelas"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Status.RETURNED

    page = manager.get(f"/mitra/{world.lamongan_village.pk}/").content.decode()
    assert "1 laporan dikembalikan untuk diperbaiki" in page
    assert "Foto kurang jelas" in page

    edit = manager.post(
        f"/laporan/pelibatan/{record.pk}/ubah/",
        {
            "date": record.date.isoformat(),
            "title": "Penyuluhan kesehatan ibu",
            "activity_field": "Kesehatan",
            "activity_kind": "Promosi",
            "audience": "Umum",
            "participants": "21",
        },
    )
    assert edit.status_code == 302
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED
    assert record.participants == 21

    assert facilitator.post(f"/laporan/pelibatan/{record.pk}/verify/").status_code == 302
    record.refresh_from_db()
    assert record.status == Status.VERIFIED
    assert record.verified_by == world.facilitator_3524

    actions = [entry.action for entry in audit_for(record)]
    assert actions == [AuditAction.CREATE, AuditAction.RETURN, AuditAction.UPDATE, AuditAction.VERIFY]
    update = audit_for(record).get(action=AuditAction.UPDATE)
    assert update.user == world.manager
    assert update.changes["participants"] == [20, 21]
    assert update.changes["status"] == ["returned", "submitted"]


def test_it_sends_an_edited_verified_record_back_to_the_queue(world: World) -> None:
    record = make_engagement(world)
    world.client_for(world.facilitator_3524).post(f"/laporan/pelibatan/{record.pk}/verify/")
    world.client_for(world.manager).post(
        f"/laporan/pelibatan/{record.pk}/ubah/",
        {
            "date": record.date.isoformat(),
            "title": record.title,
            "activity_field": "Kesehatan",
            "activity_kind": "Promosi",
            "audience": "Lansia",
            "participants": "20",
        },
    )
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED
    assert record.verified_by is None


def test_it_never_lets_anyone_verify_their_own_entry(world: World) -> None:
    record = make_engagement(world, user=world.facilitator_3524)
    response = world.client_for(world.facilitator_3524).post(f"/laporan/pelibatan/{record.pk}/verify/", follow=True)
    assert "yang Anda isi sendiri" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED
    queue = world.client_for(world.facilitator_3524).get("/laporan/verifikasi/")
    assert record not in list(queue.context["page"])


@pytest.mark.parametrize(("persona", "status"), [("manager", 403), ("facilitator_1905", 404), ("province_35", 302)])
def test_it_lets_only_verifiers_in_scope_verify(world: World, persona: str, status: int) -> None:
    record = make_engagement(world)
    response = world.client_for(getattr(world, persona)).post(f"/laporan/pelibatan/{record.pk}/verify/")
    assert response.status_code == status
    record.refresh_from_db()
    assert (record.status == Status.VERIFIED) == (status == 302)


def test_it_requires_a_comment_to_return(world: World) -> None:
    record = make_engagement(world)
    response = world.client_for(world.facilitator_3524).post(
        f"/laporan/pelibatan/{record.pk}/return/", {"comment": "  "}, follow=True
    )
    assert "Tulis apa yang perlu diperbaiki" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED


def test_it_lists_the_queue_oldest_first_and_only_in_scope(world: World) -> None:
    newest = make_engagement(world, days_ago=0)
    oldest = make_engagement(world, days_ago=5)
    CommunityEngagement.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - dt.timedelta(days=5))
    page = world.client_for(world.facilitator_3524).get("/laporan/verifikasi/").context["page"]
    assert [r.pk for r in page] == [oldest.pk, newest.pk]
    assert list(world.client_for(world.facilitator_1905).get("/laporan/verifikasi/").context["page"]) == []
    assert world.client_for(world.manager).get("/laporan/verifikasi/").status_code == 403


def test_it_verifies_in_bulk_and_skips_what_is_not_in_the_queue(world: World) -> None:
    records = [make_engagement(world, days_ago=i) for i in range(3)]
    own = make_engagement(world, user=world.facilitator_3524, days_ago=9)
    ids = [r.pk for r in records] + [own.pk]
    response = world.client_for(world.facilitator_3524).post(
        "/laporan/verifikasi/pelibatan/massal/", {"ids": ids}, follow=True
    )
    assert "3 laporan diverifikasi" in response.content.decode()
    assert CommunityEngagement.objects.filter(status=Status.VERIFIED).count() == 3
    own.refresh_from_db()
    assert own.status == Status.SUBMITTED
    assert all(audit_for(r).filter(action=AuditAction.VERIFY).exists() for r in records)


def test_it_keeps_a_withdrawn_record_with_its_history(world: World) -> None:
    record = make_engagement(world)
    world.client_for(world.manager).post(f"/laporan/pelibatan/{record.pk}/withdraw/")
    record.refresh_from_db()
    assert record.status == Status.WITHDRAWN
    assert [e.action for e in audit_for(record)] == [AuditAction.CREATE, AuditAction.WITHDRAW]
    assert world.client_for(world.manager).get(f"/laporan/pelibatan/{record.pk}/").status_code == 200


def test_it_counts_what_the_filters_select(world: World) -> None:
    make_engagement(world, days_ago=1)
    verified = make_engagement(world, days_ago=2)
    world.client_for(world.facilitator_3524).post(f"/laporan/pelibatan/{verified.pk}/verify/")
    client = world.client_for(world.province_35)
    response = client.get("/laporan/pelibatan/", {"status": "verified"})
    assert [r.pk for r in response.context["page"]] == [verified.pk]
    assert response.context["counts"]["verified"] == 1
    assert response.context["counts"]["submitted"] == 1
    start = (TODAY - dt.timedelta(days=1)).isoformat()
    assert response.context["page"].paginator.count == 1
    assert client.get("/laporan/pelibatan/", {"start": start}).context["page"].paginator.count == 1
    assert world.client_for(world.facilitator_1905).get("/laporan/pelibatan/").context["page"].paginator.count == 0
    assert world.client_for(world.facilitator_3524).get("/laporan/pelibatan/?region=19.05").status_code == 404
    assert Publicity.objects.count() == 0


def test_the_history_names_fields_and_statuses_as_people_read_them(world: World) -> None:
    record = make_engagement(world)
    facilitator = world.client_for(world.facilitator_3524)
    facilitator.post(f"/laporan/pelibatan/{record.pk}/return/", {"comment": "Peserta belum sesuai"})
    page = facilitator.get(f"/laporan/pelibatan/{record.pk}/").content.decode()
    assert "Jumlah peserta: – → 20" in page
    assert "Status: Belum Diverifikasi → Dikembalikan untuk diperbaiki" in page
    assert "participants" not in page


def test_it_recounts_the_total_when_a_correction_changes_only_the_split(world: World) -> None:
    record = make_engagement(world)
    CommunityEngagement.objects.filter(pk=record.pk).update(participants_male=8, participants_female=12)
    response = world.client_for(world.manager).post(
        f"/laporan/pelibatan/{record.pk}/ubah/",
        {
            "date": record.date.isoformat(),
            "title": record.title,
            "activity_field": "Kesehatan",
            "activity_kind": "Promosi",
            "audience": "Umum",
            "participants": "20",
            "participants_male": "8",
            "participants_female": "15",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.participants, record.participants_female) == (23, 15)
