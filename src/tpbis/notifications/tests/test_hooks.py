"""The actions that notify: an invitation accepted, a score colour moving, a scheme in force, an export done."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client

from conftest import World
from tpbis.accounts.models import User
from tpbis.accounts.services import invitation_join, manager_invite
from tpbis.exports.models import ExportJob, JobStatus
from tpbis.exports.tests.conftest import IMMEDIATE
from tpbis.kpi.models import Colour, CurrentScore, Scheme
from tpbis.kpi.services import kpi_refresh, scheme_set_active
from tpbis.kpi.tests.test_pages import _scheme_post, engagement
from tpbis.libraries.models import Library
from tpbis.notifications.models import Kind, Notification
from tpbis.reports.models import CommunityEngagement


def _of(user: User, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_it_tells_the_facilitator_when_their_invitation_is_accepted(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    newcomer = User.objects.create_user("baru@example.id", "rahasia-uji-123", full_name="Siti Baru")
    issued = manager_invite(library=world.lamongan_village, created_by=world.facilitator_3524, email=newcomer.email)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_join(invitation=issued.invitation, user=newcomer)
    [notification] = _of(world.facilitator_3524, Kind.INVITATION_ACCEPTED)
    assert notification.title == "Siti Baru menerima undangan untuk Perpustakaan Desa Sembung"
    assert notification.url == f"/mitra/{world.lamongan_village.pk}/"
    assert [m.to for m in mail.outbox] == [[world.facilitator_3524.email]]  # email by default for this kind
    assert not Notification.objects.filter(recipient=newcomer).exists()


def _stored_colour(library: Library, colour: str) -> None:
    # As if the library had that colour before: the next computation moves it to its real one.
    CurrentScore.objects.filter(library=library).update(colour=colour, signature="")


def test_it_tells_the_managers_when_their_librarys_colour_moves_once_per_month_and_colour(world: World) -> None:
    engagement(world)  # a submitted record: the library is assessed, red (no verified points yet)
    assert CurrentScore.objects.get(library=world.lamongan_village).colour == Colour.RED
    assert not _of(world.manager, Kind.SCORE_CHANGED)  # a first score is not a change

    _stored_colour(world.lamongan_village, Colour.YELLOW)
    kpi_refresh(libraries=Library.objects.filter(pk=world.lamongan_village.pk))
    [notification] = _of(world.manager, Kind.SCORE_CHANGED)
    assert notification.title == "Warna IKU Perpustakaan Desa Sembung kini Merah (rendah)"
    assert "dari Kuning (sedang) menjadi Merah (rendah)" in notification.body
    assert notification.library_id == world.lamongan_village.pk

    kpi_refresh(libraries=Library.objects.filter(pk=world.lamongan_village.pk))  # nothing moved
    _stored_colour(world.lamongan_village, Colour.YELLOW)
    kpi_refresh(libraries=Library.objects.filter(pk=world.lamongan_village.pk))  # red again this month
    assert len(_of(world.manager, Kind.SCORE_CHANGED)) == 1
    assert not Notification.objects.exclude(recipient=world.manager).filter(kind=Kind.SCORE_CHANGED).exists()

    _stored_colour(world.lamongan_village, Colour.NONE)  # "not assessed" to red: no news
    kpi_refresh(libraries=Library.objects.filter(pk=world.lamongan_village.pk))
    assert len(_of(world.manager, Kind.SCORE_CHANGED)) == 1


def test_it_tells_managers_and_facilitators_of_a_new_scheme_once(world: World) -> None:
    client: Client = world.client_for(world.national)
    assert client.post("/iku/skema/baru/", _scheme_post(["100"])).status_code == 302
    scheme = Scheme.objects.get(name="Skema uji")
    told = dict(Notification.objects.filter(kind=Kind.SCHEME_NEW).values_list("recipient_id", "url"))
    assert told == {
        world.manager.pk: f"/mitra/{world.lamongan_village.pk}/",
        world.facilitator_3524.pk: "/iku/",
        world.facilitator_1905.pk: "/iku/",
    }
    # The facilitator gets a text to forward to the managers of their area; the manager has nobody to forward it to.
    [facilitators] = _of(world.facilitator_3524, Kind.SCHEME_NEW)
    assert "Skema uji" in facilitators.whatsapp_text and "http" in facilitators.whatsapp_text
    assert _of(world.manager, Kind.SCHEME_NEW)[0].whatsapp_text == ""
    scheme_set_active(scheme=scheme, active=False, actor=world.national)
    scheme_set_active(scheme=scheme, active=True, actor=world.national)
    assert Notification.objects.filter(kind=Kind.SCHEME_NEW).count() == 3


def test_it_tells_the_requester_when_a_background_export_is_ready(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EXPORT_SYNC_LIMIT = 1
    settings.TASKS = IMMEDIATE
    engagement(world, 2)
    assert CommunityEngagement.objects.count() == 2
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        world.client_for(world.facilitator_3524).get("/ekspor/pelibatan.csv")
    job = ExportJob.objects.get()
    assert job.status == JobStatus.DONE
    [notification] = _of(world.facilitator_3524, Kind.EXPORT_READY)
    assert notification.title == f"Ekspor siap diunduh: {job.filename}"
    assert notification.url == f"/ekspor/{job.pk}/"
    assert [m.to for m in mail.outbox] == [[world.facilitator_3524.email]]
