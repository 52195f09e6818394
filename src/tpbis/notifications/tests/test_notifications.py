"""Notifications: a returned record reaches its manager in the app and by email; opt-out, dedupe, privacy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import World
from tpbis.core.tests.test_content_security_policy import inline_code, policy_problems
from tpbis.notifications.models import Channel, Kind, Notification, NotificationPreference
from tpbis.notifications.services import NotificationDraft, notification_opted_out, notify, notify_many
from tpbis.reports.models import Status
from tpbis.reports.services import record_return, record_verify, records_verify_bulk
from tpbis.reports.tests.test_verification import make_engagement

COMMENT = "Foto kurang jelas, mohon ganti dengan foto kegiatan."


def test_it_notifies_the_manager_of_a_returned_record_in_the_app_and_by_email(
    world: World, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://sim.example.id"
    record = make_engagement(world, title="Lomba baca")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record_return(record=record, user=world.facilitator_3524, comment=COMMENT)

    notification = Notification.objects.get(recipient=world.manager)
    edit = f"/laporan/pelibatan/{record.pk}/ubah/"
    assert notification.kind == Kind.RECORD_RETURNED
    assert notification.url == edit
    assert "Lomba baca" in notification.title
    assert COMMENT in notification.body
    assert notification.library_id == world.lamongan_village.pk
    assert notification.emailed_at is not None
    assert COMMENT in notification.whatsapp_text and "https://sim.example.id" + edit in notification.whatsapp_text
    [message] = mail.outbox
    assert message.to == [world.manager.email]
    assert "Lomba baca" in message.subject
    assert COMMENT in message.body
    assert "https://sim.example.id" + edit in message.body
    # The facilitator who returned it is not told about their own action.
    assert not Notification.objects.filter(recipient=world.facilitator_3524).exists()


def test_it_sends_nothing_when_the_action_is_rolled_back(world: World, django_capture_on_commit_callbacks: Any) -> None:
    record = make_engagement(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        record_return(record=record, user=world.facilitator_3524, comment=COMMENT)
        raise RuntimeError
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_it_tells_the_managers_when_a_record_is_verified_in_the_app_only_by_default(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    record = make_engagement(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record_verify(record=record, user=world.facilitator_3524)
    notification = Notification.objects.get(recipient=world.manager)
    assert notification.kind == Kind.RECORD_VERIFIED
    assert notification.url == f"/laporan/pelibatan/{record.pk}/"
    assert mail.outbox == []


def test_it_honours_an_opt_out_and_an_in_app_only_choice(world: World, django_capture_on_commit_callbacks: Any) -> None:
    NotificationPreference.objects.create(user=world.manager, kind=Kind.RECORD_VERIFIED, channel=Channel.OFF)
    NotificationPreference.objects.create(user=world.manager, kind=Kind.RECORD_RETURNED, channel=Channel.IN_APP)
    assert notification_opted_out(user_id=world.manager.pk, kind=Kind.RECORD_VERIFIED)
    assert not notification_opted_out(user_id=world.manager.pk, kind=Kind.RECORD_RETURNED)
    verified, returned = make_engagement(world, days_ago=1), make_engagement(world, days_ago=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record_verify(record=verified, user=world.facilitator_3524)
        record_return(record=returned, user=world.facilitator_3524, comment=COMMENT)
    assert list(Notification.objects.filter(recipient=world.manager).values_list("kind", flat=True)) == [
        Kind.RECORD_RETURNED
    ]
    assert mail.outbox == []


def test_it_creates_a_keyed_notification_once(world: World, django_capture_on_commit_callbacks: Any) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipient=world.manager, kind=Kind.REMINDER, title="Isi laporan", dedupe_key="r:2026-05-04")
        second = notify(recipient=world.manager, kind=Kind.REMINDER, title="Isi laporan", dedupe_key="r:2026-05-04")
        others = notify_many(
            [
                NotificationDraft(
                    recipient_id=world.manager.pk, kind=Kind.REMINDER, title="x", dedupe_key="r:2026-05-04"
                ),
                NotificationDraft(
                    recipient_id=world.national.pk, kind=Kind.REMINDER, title="y", dedupe_key="r:2026-05-04"
                ),
                NotificationDraft(
                    recipient_id=world.national.pk, kind=Kind.REMINDER, title="y", dedupe_key="r:2026-05-04"
                ),
            ]
        )
    assert first is not None and second is None
    assert [n.recipient_id for n in others] == [world.national.pk]
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.manager.email, world.national.email])


def test_it_creates_many_notifications_in_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    people = [world.national, world.province_35, world.facilitator_3524, world.facilitator_1905, world.manager]
    drafts = [
        NotificationDraft(recipient_id=p.pk, kind=Kind.SCHEME_NEW, title=f"Skema {i}", dedupe_key=f"s{i}")
        for i in range(40)
        for p in people
    ]
    # Preferences, existing keys, a savepoint around the inserts (SQLite takes ~90 rows per INSERT).
    with django_assert_max_num_queries(4 + len(drafts) // 90 + 1):
        created = notify_many(drafts)
    assert len(created) == 200


def test_a_mail_server_that_fails_does_not_break_the_action(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: Any, caplog: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> int:
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    record = make_engagement(world)
    with django_capture_on_commit_callbacks(execute=True):
        record_return(record=record, user=world.facilitator_3524, comment=COMMENT)
    record.refresh_from_db()
    assert record.status == Status.RETURNED
    notification = Notification.objects.get(recipient=world.manager)
    assert notification.emailed_at is None
    assert "notification emails failed" in caplog.text


def test_it_opens_ones_own_notification_marks_it_read_and_follows_its_link(world: World) -> None:
    notification = notify(recipient=world.manager, kind=Kind.GENERAL, title="Halo", url="/laporan/")
    assert notification is not None
    response = world.client_for(world.manager).get(f"/notifikasi/{notification.pk}/")
    assert response.status_code == 302 and response["Location"] == "/laporan/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_never_follows_a_link_off_the_site(world: World) -> None:
    notification = notify(recipient=world.manager, kind=Kind.GENERAL, title="Halo", url="//evil.example/")
    assert notification is not None
    response = world.client_for(world.manager).get(f"/notifikasi/{notification.pk}/")
    assert response["Location"] == "/notifikasi/"


def test_another_persons_notification_is_404_and_stays_unread(world: World) -> None:
    notification = notify(recipient=world.manager, kind=Kind.GENERAL, title="Rahasia")
    assert notification is not None
    client = world.client_for(world.facilitator_3524)
    assert client.get(f"/notifikasi/{notification.pk}/").status_code == 404
    assert "Rahasia" not in client.get("/notifikasi/").content.decode()
    client.post("/notifikasi/baca-semua/")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_list_shows_newest_first_highlights_unread_and_marks_all_read(world: World) -> None:
    notify(recipient=world.manager, kind=Kind.GENERAL, title="Pertama")
    notify(recipient=world.manager, kind=Kind.RECORD_RETURNED, title="Kedua", whatsapp_text="Tolong perbaiki laporan")
    client = world.client_for(world.manager)
    page = client.get("/notifikasi/").content.decode()
    assert page.index("Kedua") < page.index("Pertama")
    assert page.count("notif-unread") == 2
    assert "https://wa.me/?text=Tolong%20perbaiki%20laporan" in page
    assert 'class="bell-count">2<' in page
    assert client.post("/notifikasi/baca-semua/").status_code == 302
    page = client.get("/notifikasi/").content.decode()
    assert "notif-unread" not in page and "bell-count" not in page


def _bell_queries(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "notifications_notification" in q["sql"]]


def test_the_bell_costs_one_query_per_page_and_none_when_no_page_is_drawn(world: World) -> None:
    notify(recipient=world.manager, kind=Kind.GENERAL, title="Halo")
    client = world.client_for(world.manager)
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get("/akun/kata-sandi/").content.decode()
    assert 'class="bell-count">1<' in page
    assert len(_bell_queries(page_queries)) == 1
    with CaptureQueriesContext(connection) as redirect_queries:
        assert client.post("/notifikasi/baca-semua/").status_code == 302
    assert [sql.split()[0] for sql in _bell_queries(redirect_queries)] == ["UPDATE"]  # no count for a redirect


def test_preferences_round_trip(world: World) -> None:
    client = world.client_for(world.manager)
    page = client.get("/notifikasi/pengaturan/").content.decode()
    assert "Laporan dikembalikan untuk diperbaiki" in page
    data = {f"channel-{kind}": "in_app" for kind in Kind.values}
    data[f"channel-{Kind.REMINDER}"] = "off"
    data[f"channel-{Kind.EXPORT_READY}"] = "email"
    assert client.post("/notifikasi/pengaturan/", data).status_code == 302
    chosen = dict(NotificationPreference.objects.filter(user=world.manager).values_list("kind", "channel"))
    # Only departures from the defaults are stored.
    assert chosen[Kind.REMINDER] == "off"
    assert chosen[Kind.RECORD_RETURNED] == "in_app"
    assert Kind.EXPORT_READY not in chosen and Kind.GENERAL not in chosen
    assert notification_opted_out(user_id=world.manager.pk, kind=Kind.REMINDER)
    form = client.get("/notifikasi/pengaturan/").context["form"]
    assert form[f"channel-{Kind.REMINDER}"].value() == "off"
    assert form[f"channel-{Kind.RECORD_RETURNED}"].value() == "in_app"
    assert form[f"channel-{Kind.EXPORT_READY}"].value() == "email"
    # A returned record always reaches the app: "off" is not even offered.
    assert 'name="channel-record_returned" value="off"' not in page
    assert 'name="channel-reminder" value="off"' in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({f"channel-{Kind.REMINDER}": "sms"}, "Pilih salah satu saluran yang tersedia."),
        ({f"channel-{Kind.RECORD_RETURNED}": "off"}, "Pilih salah satu saluran yang tersedia."),
        ({"channel-telegram": "email"}, "Jenis notifikasi tidak dikenal: telegram."),
    ],
)
def test_preferences_refuse_bad_input_with_a_message_and_change_nothing(
    world: World, change: dict[str, str], message: str
) -> None:
    client: Client = world.client_for(world.manager)
    data = {f"channel-{kind}": "in_app" for kind in Kind.values} | change
    response = client.post("/notifikasi/pengaturan/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not NotificationPreference.objects.filter(user=world.manager).exists()


def test_the_pages_need_no_inline_code(world: World) -> None:
    notify(recipient=world.manager, kind=Kind.RECORD_RETURNED, title="Kembali", whatsapp_text="Teks", url="/laporan/")
    client = world.client_for(world.manager)
    assert policy_problems(client, "/notifikasi/") == []
    assert policy_problems(client, "/notifikasi/pengaturan/") == []
    bad = client.post("/notifikasi/pengaturan/", {"channel-telegram": "email"}).content.decode()
    assert inline_code(bad) == []


def test_it_splits_long_id_and_key_lists_and_still_skips_every_existing_key(world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr("tpbis.notifications.services.CHUNK", 3)
    people = [world.national, world.province_35, world.facilitator_3524, world.facilitator_1905, world.manager]
    notify(recipient=world.manager, kind=Kind.SCORE_CHANGED, title="lama", dedupe_key="k6")
    NotificationPreference.objects.create(user=world.national, kind=Kind.SCORE_CHANGED, channel=Channel.OFF)
    drafts = [
        NotificationDraft(recipient_id=p.pk, kind=Kind.SCORE_CHANGED, title=f"k{i}", dedupe_key=f"k{i}")
        for i in range(8)
        for p in people
    ]
    created = notify_many(drafts)
    assert len(created) == 8 * 4 - 1  # the national team opted out; the manager had k6 already
    assert Notification.objects.filter(recipient=world.manager, dedupe_key="k6").count() == 1


def test_a_bulk_verification_tells_each_manager_once_with_the_count(world: World) -> None:
    records = [make_engagement(world, days_ago=i, title=f"Kegiatan {i}") for i in range(7)]
    verified, skipped = records_verify_bulk(records=records, user=world.facilitator_3524)
    assert (verified, skipped) == (7, 0)
    [notification] = Notification.objects.filter(recipient=world.manager, kind=Kind.RECORD_VERIFIED)
    assert notification.title == "7 laporan diverifikasi"
    assert "dan 2 lainnya" in notification.body
    assert notification.url == f"/laporan/pelibatan/?perpustakaan={world.lamongan_village.pk}&status=verified"
    assert world.client_for(world.manager).get(notification.url).status_code == 200
