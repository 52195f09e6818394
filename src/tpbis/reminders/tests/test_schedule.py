"""The daily run on the database queue: booked once, run by the worker, booking the next day itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conftest import World
from tpbis.notifications.models import Notification
from tpbis.reminders.tasks import next_run_at, reminders_schedule, reminders_send_task


def _waiting() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=reminders_send_task.module_path, status=TaskResultStatus.READY))


def test_it_books_the_next_run_at_the_configured_hour(db: None, settings: Any) -> None:
    settings.REMINDERS_HOUR = 7
    early = timezone.make_aware(dt.datetime(2026, 11, 16, 5, 30))
    assert timezone.localtime(next_run_at(now=early)).hour == 7
    assert timezone.localtime(next_run_at(now=early)).date() == dt.date(2026, 11, 16)
    late = timezone.make_aware(dt.datetime(2026, 11, 16, 9, 0))
    assert next_run_at(now=late) == late  # missed today's hour: run now, reminders are idempotent
    # The run that just sent (after the hour) books tomorrow, not itself again.
    assert next_run_at(now=late, just_ran=True) == timezone.make_aware(dt.datetime(2026, 11, 17, 7, 0))


def test_it_books_one_run_only(db: None) -> None:
    assert reminders_schedule() is not None
    assert reminders_schedule() is None
    assert len(_waiting()) == 1


@pytest.mark.parametrize("hour", [0, 23], ids=["after-the-hour", "before-the-hour"])
def test_a_run_sends_and_books_tomorrow(
    world: World, django_capture_on_commit_callbacks: Any, settings: Any, hour: int
) -> None:
    # Whatever the time of day the suite runs at: the hour already passed (0) or still ahead (23).
    settings.REMINDERS_HOUR = hour
    # What db_worker does with the task once due (the worker itself closes connections, which the test
    # transaction cannot survive on PostgreSQL).
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders_send_task.call()
    assert sent >= 1
    assert Notification.objects.filter(recipient=world.manager, dedupe_key__startswith="reminder:").exists()
    [booked] = _waiting()
    assert booked.run_after > timezone.now()
    assert reminders_send_task.call() == 0  # the same day again: nothing new
    assert len(_waiting()) == 1
