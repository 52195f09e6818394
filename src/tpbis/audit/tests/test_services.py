from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import World
from tpbis.audit.models import AuditEvent
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot, decimal_text, readable


def test_it_writes_decimals_as_people_read_them() -> None:
    assert decimal_text(Decimal("30.00")) == "30"
    assert decimal_text(Decimal("30.50")) == "30.5"
    assert decimal_text(Decimal("0.00")) == "0"
    assert readable(Decimal("1200")) == "1200"
    assert readable(dt.date(2026, 12, 6)) == "2026-12-06"


def test_it_snapshots_choices_as_their_indonesian_label(world: World) -> None:
    snap = audit_snapshot(world.lumajang_village, ["name", "support", "region", "is_active"])
    assert snap["support"] == "Bantuan Buku"
    assert snap["is_active"] == "aktif"
    assert snap["region"] == str(world.lumajang_village.region)


def test_it_records_who_when_and_before_after(world: World) -> None:
    library = world.lamongan_village
    before = audit_snapshot(library, ["name", "is_active"])
    library.name = "Perpustakaan B"
    library.is_active = False
    event = audit_change(
        actor=world.facilitator_3524,
        action="update",
        target=library,
        changes=audit_diff(before, audit_snapshot(library, ["name", "is_active"])),
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor == world.facilitator_3524
    assert world.facilitator_3524.email in event.actor_label
    assert event.changes == {
        "name": ["Perpustakaan Desa Sembung", "Perpustakaan B"],
        "is_active": ["aktif", "nonaktif"],
    }
    assert event.library_id == library.pk
    assert event.region_code == "35.24.01.2001"
    assert event.at is not None


def test_it_refuses_an_unknown_action(world: World) -> None:
    with pytest.raises(ValueError):
        audit_change(actor=world.national, action="explode", target=world.belo_laut)
