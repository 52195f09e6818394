"""The national team's outlier settings: validated, audited, theirs only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from conftest import World
from tpbis.audit.models import AuditEvent
from tpbis.quality.models import MeasureBounds, OutlierSettings
from tpbis.quality.tasks import outliers_scan_task

pytestmark = pytest.mark.django_db
URL = "/kualitas-data/pengaturan/"


def _form(threshold: str, **bounds: str) -> dict[str, str]:
    return {"threshold": threshold, **bounds}


@pytest.mark.parametrize("threshold", ["0", "-2", "0,0"])
def test_it_refuses_a_threshold_of_zero_or_less_and_changes_nothing(world: World, threshold: str) -> None:
    client = world.client_for(world.national)

    response = client.post(URL, _form(threshold))

    assert response.status_code == 200
    assert "Ambang harus lebih dari 0" in response.content.decode()
    assert not OutlierSettings.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_lower_bound_above_the_upper_one(world: World) -> None:
    client = world.client_for(world.national)

    response = client.post(URL, _form("3", pengunjung_min="500", pengunjung_max="100"))

    assert "Batas bawah tidak boleh lebih dari batas atas." in response.content.decode()
    assert not MeasureBounds.objects.exists()


def test_it_saves_the_threshold_and_bounds_with_an_audit_entry(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client_for(world.national)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _form("2,5", pengunjung_max="20000", komputer_min="0", komputer_max="50"))

    assert response.status_code == 302
    assert OutlierSettings.objects.get().threshold == Decimal("2.5")
    assert MeasureBounds.objects.get(measure="pengunjung").maximum == Decimal("20000")
    event = AuditEvent.objects.get()
    assert event.actor == world.national
    assert event.changes["ambang"] == ["3", "2.5"]
    assert event.changes["Pengunjung per bulan"] == ["–", "–20000"]
    # The worker rescans the nation with the new settings at once.
    assert DBTaskResult.objects.filter(task_path=outliers_scan_task.module_path, status="READY").count() == 1
    page = client.get(URL).content.decode()
    assert 'value="2.5"' in page or 'value="2,5"' in page


@pytest.mark.parametrize("persona", ["province_35", "facilitator_3524", "manager"])
def test_it_is_for_the_national_team_only(world: World, persona: str) -> None:
    client = world.client_for(getattr(world, persona))

    assert client.get(URL).status_code == 403
    assert client.post(URL, _form("1")).status_code == 403
    assert not OutlierSettings.objects.exists()
