"""The reminder pages: rules edited within one's reach with field errors for bad input, a scoped preview and log."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from conftest import World
from tpbis.audit.models import AuditEvent
from tpbis.notifications.models import Channel, Kind, NotificationPreference
from tpbis.reminders.models import ReminderLog, ReminderRule, RuleKind
from tpbis.reminders.services import reminders_send
from tpbis.reminders.tests.helpers import TODAY, manager_of, only

SILENT = "/pengingat/aturan/pengelola_diam/"
VISITORS = "/pengingat/aturan/pengunjung_belum/"


def _post(world: World, path: str, **fields: Any) -> Any:
    data = {"enabled": "on", "audience": "pengelola", "days": "30", "message": "{perpustakaan}: {hari} hari", **fields}
    return world.client_for(world.national).post(path, data)


def test_it_saves_a_national_rule_and_audits_the_change(world: World) -> None:
    response = _post(world, SILENT, days="45")
    assert response.status_code == 302
    rule = ReminderRule.objects.get(kind=RuleKind.SILENT_MANAGER, region__isnull=True)
    assert (rule.days, rule.updated_by) == (45, world.national)
    event = AuditEvent.objects.get(object_id=rule.pk, content_type__model="reminderrule")
    assert event.changes["days"] == [30, 45]


def test_bad_rule_input_gets_field_errors_and_changes_nothing(world: World) -> None:
    cases = [
        (SILENT, {"days": "-3"}, "days"),
        (SILENT, {"days": "0"}, "days"),
        (SILENT, {"audience": "kepala_desa"}, "audience"),
        (SILENT, {"audience": "fasilitator"}, "audience"),
        (SILENT, {"message": "Halo {nama}"}, "message"),
        (SILENT, {"message": "Halo {perpustakaan"}, "message"),
        (VISITORS, {"day_of_month": "31"}, "day_of_month"),
        (VISITORS, {"day_of_month": "0"}, "day_of_month"),
    ]
    for path, fields, field in cases:
        response = _post(world, path, **fields)
        assert response.status_code == 200, fields
        assert field in response.context["form"].errors, fields
    assert not AuditEvent.objects.filter(content_type__model="reminderrule").exists()
    assert ReminderRule.objects.get(kind=RuleKind.SILENT_MANAGER, region__isnull=True).days == 30


def test_an_unknown_kind_is_404(world: World) -> None:
    assert world.client_for(world.national).get("/pengingat/aturan/entah/").status_code == 404


def test_a_provincial_officer_makes_a_rule_for_their_province_only(world: World) -> None:
    client = world.client_for(world.province_35)
    assert client.get(SILENT).status_code == 403  # the national rule
    assert client.get(SILENT + "?wilayah=19").status_code == 404  # another province
    page = client.get(SILENT + "?wilayah=35")
    assert page.context["form"].initial["days"] == 30  # copied from the national rule
    response = client.post(
        SILENT + "?wilayah=35", {"enabled": "on", "audience": "pengelola", "days": "14", "message": "{perpustakaan}"}
    )
    assert response.status_code == 302
    rule = ReminderRule.objects.get(kind=RuleKind.SILENT_MANAGER, region_id="35")
    assert (rule.days, rule.created_by) == (14, world.province_35)
    assert ReminderRule.objects.get(kind=RuleKind.SILENT_MANAGER, region__isnull=True).days == 30
    assert AuditEvent.objects.filter(object_id=rule.pk, region_code="35", action="create").exists()

    assert client.post("/pengingat/aturan/pengelola_diam/hapus/?wilayah=35").status_code == 302
    assert not ReminderRule.objects.filter(region_id="35").exists()


def test_the_rules_page_shows_the_national_rules_and_the_officers_province(world: World) -> None:
    response = world.client_for(world.province_35).get("/pengingat/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "mengikuti aturan nasional" in text
    assert "?wilayah=35" in text
    assert "?wilayah=19" not in text


def test_the_preview_is_scoped_and_says_who_refuses_reminders(world: World) -> None:
    only(RuleKind.SILENT_MANAGER, days=30)
    bangka = manager_of(world.belo_laut, "belolaut@example.id")
    NotificationPreference.objects.create(user=world.manager, kind=Kind.REMINDER, channel=Channel.OFF)

    facilitator = world.client_for(world.facilitator_3524).get(f"/pengingat/pratinjau/?tanggal={TODAY}")
    text = facilitator.content.decode()
    assert world.manager.full_name in text
    assert "menolak pengingat" in text
    assert bangka.full_name not in text

    national = world.client_for(world.national).get(f"/pengingat/pratinjau/?tanggal={TODAY}").content.decode()
    assert bangka.full_name in national and world.manager.full_name in national
    assert world.client_for(world.manager).get("/pengingat/pratinjau/").status_code == 403


def test_the_preview_ignores_a_bad_date(world: World) -> None:
    response = world.client_for(world.national).get("/pengingat/pratinjau/?tanggal=kemarin")
    assert response.status_code == 200
    assert "tanggal" in response.context["form"].errors
    assert response.context["day"] == timezone.localdate()


def test_the_log_lists_what_was_sent_within_scope(world: World) -> None:
    only(RuleKind.SILENT_MANAGER, days=30)
    manager_of(world.belo_laut, "belolaut@example.id")
    reminders_send(today=TODAY)
    assert ReminderLog.objects.count() == 2

    page = world.client_for(world.facilitator_3524).get("/pengingat/log/")
    entries = list(page.context["page"])
    assert [e.library_id for e in entries] == [world.lamongan_village.pk]
    assert len(list(world.client_for(world.national).get("/pengingat/log/").context["page"])) == 2


def test_the_preview_narrows_to_one_area_within_scope(world: World) -> None:
    only(RuleKind.SILENT_MANAGER, days=30)
    bangka = manager_of(world.belo_laut, "belolaut@example.id")
    text = world.client_for(world.national).get(f"/pengingat/pratinjau/?wilayah=19&tanggal={TODAY}").content.decode()
    assert bangka.full_name in text
    assert world.manager.full_name not in text
    assert world.client_for(world.facilitator_3524).get("/pengingat/pratinjau/?wilayah=19").status_code == 404
