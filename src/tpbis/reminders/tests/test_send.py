"""reminders_send: only those who have not reported, once per period, never to people who refuse them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from conftest import World
from tpbis.accounts.models import Membership, Role
from tpbis.kpi.models import Colour, CurrentScore, Scheme
from tpbis.notifications.models import Channel, Kind, Notification, NotificationPreference
from tpbis.reminders.compute import reminders_due
from tpbis.reminders.models import ColourMark, ReminderLog, ReminderRule, RuleKind
from tpbis.reminders.services import reminders_send
from tpbis.reminders.tests.helpers import TODAY, engagement, manager_of, only, villages, visitors
from tpbis.reports.models import Status


def _reminded(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, dedupe_key__startswith="reminder:"))


def test_it_reminds_the_silent_library_and_never_the_one_that_reported(world: World) -> None:
    only(RuleKind.SILENT_MANAGER, days=30)
    reporting = manager_of(world.lumajang_village, "labruk@example.id")
    engagement(world.lumajang_village, entered=TODAY - dt.timedelta(days=3))
    engagement(world.lamongan_village, entered=TODAY - dt.timedelta(days=45))  # outside the window

    result = reminders_send(today=TODAY)

    assert [n.library_id for n in _reminded(world.manager)] == [world.lamongan_village.pk]
    assert "Perpustakaan Desa Sembung" in _reminded(world.manager)[0].body
    assert _reminded(reporting) == []
    assert [r.library_id for r in result.sent] == [world.lamongan_village.pk]
    log = ReminderLog.objects.get()
    assert (log.recipient_id, log.library_id, log.kind) == (
        world.manager.pk,
        world.lamongan_village.pk,
        "pengelola_diam",
    )


def test_a_draft_does_not_count_as_reporting(world: World) -> None:
    only(RuleKind.SILENT_MANAGER, days=30)
    engagement(world.lamongan_village, entered=TODAY - dt.timedelta(days=1), status=Status.DRAFT)
    reminders_send(today=TODAY)
    assert len(_reminded(world.manager)) == 1


def test_a_second_run_the_same_day_sends_nothing_new(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_send(today=TODAY)
        second = reminders_send(today=TODAY)
    assert first.sent
    assert second.sent == []
    assert second.skipped == len(second.due) == len(first.due)
    assert Notification.objects.filter(dedupe_key__startswith="reminder:").count() == len(first.sent)
    assert ReminderLog.objects.count() == len(first.sent)


def test_the_command_dry_run_sends_nothing(world: World, capsys: Any) -> None:
    call_command("reminders_send", "--dry-run", "--date", TODAY.isoformat())
    assert Notification.objects.count() == 0
    assert ReminderLog.objects.count() == 0
    assert "Uji coba" in capsys.readouterr().out
    call_command("reminders_send", "--date", TODAY.isoformat())
    assert _reminded(world.manager)


def test_the_command_refuses_a_bad_date(world: World) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("reminders_send", "--date", "16-11-2026")


def test_it_honours_an_opt_out(world: World) -> None:
    only(RuleKind.SILENT_MANAGER, days=30)
    NotificationPreference.objects.create(user=world.manager, kind=Kind.REMINDER, channel=Channel.OFF)
    assert [r.recipient_id for r in reminders_due(today=TODAY)] == [world.manager.pk]
    reminders_send(today=TODAY)
    assert _reminded(world.manager) == []
    assert ReminderLog.objects.count() == 0


def test_a_province_rule_overrides_the_national_one_for_its_libraries(world: World) -> None:
    only(RuleKind.SILENT_MANAGER, days=30)
    bangka = manager_of(world.belo_laut, "belolaut@example.id")
    for library in (world.lamongan_village, world.belo_laut):
        engagement(library, entered=TODAY - dt.timedelta(days=10))
    national = ReminderRule.objects.get(kind=RuleKind.SILENT_MANAGER, region__isnull=True)
    ReminderRule.objects.create(
        kind=RuleKind.SILENT_MANAGER, region_id="35", audience=Role.MANAGER, days=7, message=national.message
    )

    reminders_send(today=TODAY)

    assert len(_reminded(world.manager)) == 1  # East Java: 7 days, last record 10 days ago
    assert _reminded(bangka) == []  # Bangka Belitung keeps the national 30 days


def test_a_disabled_province_rule_silences_its_province_only(world: World) -> None:
    only(RuleKind.SILENT_MANAGER, days=30)
    bangka = manager_of(world.belo_laut, "belolaut@example.id")
    ReminderRule.objects.create(
        kind=RuleKind.SILENT_MANAGER, region_id="35", audience=Role.MANAGER, days=30, message="x", enabled=False
    )
    reminders_send(today=TODAY)
    assert _reminded(world.manager) == []
    assert len(_reminded(bangka)) == 1


def test_visitors_missing_after_day_d_reminds_only_libraries_without_last_months_report(world: World) -> None:
    only(RuleKind.VISITORS_MISSING, day_of_month=10)
    reporting = manager_of(world.lumajang_village, "labruk@example.id")
    visitors(world.lumajang_village, year=2026, month=10)
    visitors(world.lamongan_village, year=2026, month=9)  # an older month does not count

    assert reminders_due(today=dt.date(2026, 11, 10)) == []  # not before the deadline has passed
    reminders_send(today=TODAY)

    [note] = _reminded(world.manager)
    assert "Okt 2026" in note.title or "Oct 2026" in note.title
    assert note.url == f"/laporan/pengunjung/baru/?perpustakaan={world.lamongan_village.pk}"
    assert _reminded(reporting) == []


def test_facilitators_get_the_records_waiting_too_long_in_their_kabupaten(world: World) -> None:
    only(RuleKind.VERIFICATION_WAITING, days=7)
    engagement(world.lamongan_village, entered=TODAY - dt.timedelta(days=9))
    engagement(world.lamongan_village, entered=TODAY - dt.timedelta(days=2))  # not waiting long yet
    engagement(world.belo_laut, entered=TODAY - dt.timedelta(days=9), status=Status.VERIFIED)

    reminders_send(today=TODAY)

    [note] = _reminded(world.facilitator_3524)
    assert "Perpustakaan Desa Sembung: 1 laporan" in note.body
    assert note.url == "/laporan/verifikasi/"
    assert _reminded(world.facilitator_1905) == []


def test_facilitators_get_their_partners_without_an_account_with_invitation_links(world: World) -> None:
    only(RuleKind.NO_ACCOUNT, weekday=0)
    Membership.objects.filter(user=world.manager).update()  # the manager never signed in: no account yet

    reminders_send(today=TODAY)

    [note] = _reminded(world.facilitator_3524)
    assert "Perpustakaan Daerah Lamongan (belum diundang)" in note.body
    assert f"/mitra/{world.lamongan_district.pk}/undang/" in note.body
    assert note.url == "/mitra/akun/?wilayah=35.24"
    assert Notification.objects.filter(recipient=world.facilitator_1905).count() == 1  # Belo Laut
    before = reminders_due(today=TODAY)
    assert reminders_send(today=TODAY + dt.timedelta(days=1)).sent == []  # once a week
    assert before


def test_the_weekly_summary_lists_colour_changes_since_the_last_one(world: World) -> None:
    only(RuleKind.WEEKLY_SUMMARY, weekday=0, days=30)
    scheme = Scheme.objects.first()
    assert scheme is not None
    CurrentScore.objects.create(
        library=world.lamongan_village, as_of=TODAY, scheme=scheme, score=80, colour=Colour.GREEN
    )
    ColourMark.objects.create(library=world.lamongan_village, colour=Colour.RED, marked_on=TODAY)
    engagement(world.lumajang_village, entered=TODAY - dt.timedelta(days=33))  # went quiet this week

    reminders_send(today=TODAY)

    [note] = Notification.objects.filter(recipient=world.province_35)
    assert note.kind == Kind.WEEKLY_SUMMARY
    assert "Perpustakaan Desa Sembung: Merah (rendah) → Hijau (tinggi)" in note.body
    assert "- Perpustakaan Desa Labruk Kidul" in note.body
    assert note.whatsapp_text == f"{note.title}\n\n{note.body}"  # ready to forward to the group
    page = world.client_for(world.province_35).get("/notifikasi/").content.decode()
    assert "https://wa.me/?text=" in page and "Kirim lewat WhatsApp" in page
    assert ColourMark.objects.get(library=world.lamongan_village).colour == Colour.GREEN


def test_the_dry_run_costs_the_same_queries_whatever_the_number_of_libraries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for library in villages(3, "Perpustakaan Kecil"):
        engagement(library, entered=TODAY - dt.timedelta(days=9))
    with django_assert_max_num_queries(25):
        small = reminders_send(today=TODAY, dry_run=True)
    for library in villages(30, "Perpustakaan Besar"):
        engagement(library, entered=TODAY - dt.timedelta(days=9))
    with django_assert_max_num_queries(25):
        large = reminders_send(today=TODAY, dry_run=True)
    assert len(large.due) >= len(small.due) + 30  # one visitors reminder per new library


def test_a_message_saved_around_the_form_is_sent_as_written(world: World) -> None:
    only(RuleKind.SILENT_MANAGER, days=30, message="Halo {nama}, lapor ya")
    reminders_send(today=TODAY)
    assert _reminded(world.manager)[0].body == "Halo {nama}, lapor ya"
