"""Invitations, registration, check-in with the link, marking afterwards, and the count."""

from __future__ import annotations

from conftest import World, make_library, make_user
from tpbis.accounts.models import Role
from tpbis.audit.models import AuditEvent
from tpbis.gatherings.models import Attendance, Registration
from tpbis.gatherings.selectors import attendance_count
from tpbis.gatherings.tests.helpers import gathering_make, started_now
from tpbis.notifications.models import Kind, Notification


def test_it_invites_every_partner_and_notifies_their_managers_once(world: World) -> None:
    second = make_user("sembung2@example.id", Role.MANAGER, library=world.lamongan_village)
    gathering = gathering_make(actor=world.province_35, region_code="35")

    invited = set(gathering.invitees.values_list("library_id", flat=True))
    assert invited == {world.lamongan_village.pk, world.lamongan_district.pk, world.lumajang_village.pk}
    notes = Notification.objects.filter(kind=Kind.GATHERING)
    assert {n.recipient_id for n in notes} == {world.manager.pk, second.pk}
    note = notes.get(recipient=world.manager)
    assert note.url == f"/gathering/{gathering.pk}/"
    assert "Gathering uji" in note.whatsapp_text and f"/gathering/{gathering.pk}/" in note.whatsapp_text

    client = world.client_for(world.province_35)
    client.post(f"/gathering/{gathering.pk}/undangan/", {"libraries": sorted(invited)})
    assert Notification.objects.filter(kind=Kind.GATHERING).count() == 2  # nobody twice


def test_the_page_shows_the_whatsapp_text_to_forward(world: World) -> None:
    gathering = gathering_make(actor=world.province_35, region_code="35")
    page = world.client_for(world.province_35).get(f"/gathering/{gathering.pk}/").content.decode()
    assert "Kirim lewat WhatsApp" in page
    assert "Undangan gathering: Gathering uji" in page
    assert "<svg" in page  # the check-in QR


def test_a_manager_registers_once(world: World) -> None:
    gathering = gathering_make(actor=world.province_35, region_code="35")
    client = world.client_for(world.manager)
    first = client.post(f"/gathering/{gathering.pk}/daftar/", follow=True).content.decode()
    second = client.post(f"/gathering/{gathering.pk}/daftar/", follow=True).content.decode()
    assert "Anda terdaftar" in first and "Anda sudah terdaftar" in second
    assert Registration.objects.filter(gathering=gathering).count() == 1


def test_checking_in_twice_counts_once(world: World) -> None:
    gathering = started_now(gathering_make(actor=world.province_35, region_code="35"))
    url = f"/gathering/{gathering.pk}/hadir/{gathering.checkin_token}/"
    client = world.client_for(world.manager)
    assert "Saya hadir" in client.get(url).content.decode()
    assert "kehadiran Anda tercatat" in client.post(url).content.decode()
    assert "sudah tercatat hadir" in client.post(url).content.decode()
    assert attendance_count(gathering).people == 1
    assert AuditEvent.objects.filter(object_id=gathering.pk, comment__contains="hadir").count() == 1


def test_a_manager_of_a_library_not_invited_cannot_check_in(world: World) -> None:
    outsider = make_user("belolaut@example.id", Role.MANAGER, library=world.belo_laut)
    gathering = started_now(gathering_make(actor=world.province_35, region_code="35"))
    url = f"/gathering/{gathering.pk}/hadir/{gathering.checkin_token}/"
    client = world.client_for(outsider)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403
        assert "hanya untuk pengelola perpustakaan yang diundang" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_wrong_token_or_a_closed_check_in_is_refused(world: World) -> None:
    gathering = gathering_make(actor=world.province_35, region_code="35")  # next week
    client = world.client_for(world.manager)
    assert client.post(f"/gathering/{gathering.pk}/hadir/salah/").status_code == 404
    closed = client.post(f"/gathering/{gathering.pk}/hadir/{gathering.checkin_token}/")
    assert closed.status_code == 403 and "dibuka saat gathering berlangsung" in closed.content.decode()
    assert not Attendance.objects.exists()


def test_the_count_is_of_distinct_people_and_libraries(world: World) -> None:
    second = make_user("sembung2@example.id", Role.MANAGER, library=world.lamongan_village)
    labruk = make_user("labruk@example.id", Role.MANAGER, library=world.lumajang_village)
    gathering = started_now(gathering_make(actor=world.province_35, region_code="35"))
    for user in (world.manager, second, labruk, world.manager):
        world.client_for(user).post(f"/gathering/{gathering.pk}/hadir/{gathering.checkin_token}/")
    count = attendance_count(gathering)
    assert (count.people, count.libraries) == (3, 2)
    page = world.client_for(world.province_35).get(f"/gathering/{gathering.pk}/").content.decode()
    assert "3 pengelola hadir" in page and "dari 2 perpustakaan" in page


def test_the_organiser_marks_attendance_afterwards(world: World) -> None:
    labruk = make_user("labruk@example.id", Role.MANAGER, library=world.lumajang_village)
    outsider_library = make_library("Perpustakaan Desa Cendil", "19.06.01.2001")
    outsider = make_user("cendil@example.id", Role.MANAGER, library=outsider_library)
    gathering = gathering_make(actor=world.province_35, region_code="35")
    client = world.client_for(world.province_35)
    form = client.get(f"/gathering/{gathering.pk}/kehadiran/").content.decode()
    assert "Labruk" in form and "Cendil" not in form

    values = [
        f"{world.manager.pk}:{world.lamongan_village.pk}",
        f"{labruk.pk}:{world.lumajang_village.pk}",
        f"{outsider.pk}:{outsider_library.pk}",
    ]
    response = client.post(f"/gathering/{gathering.pk}/kehadiran/", {"present": values})
    assert response.status_code == 200  # the outsider is not a choice: the form says so and saves nothing
    assert not Attendance.objects.exists()
    client.post(f"/gathering/{gathering.pk}/kehadiran/", {"present": values[:2]})
    assert attendance_count(gathering).people == 2
    client.post(f"/gathering/{gathering.pk}/kehadiran/", {"present": values[:1]})
    assert set(Attendance.objects.values_list("user_id", flat=True)) == {world.manager.pk}
