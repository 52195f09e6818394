"""The daily reminder run on the database task queue: each run books the next one (django-tasks has no
periodic tasks), so `db_worker` alone sends reminders every day with no extra service."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from tpbis.reminders.services import reminders_send


@task()
def reminders_send_task() -> int:
    """Send today's reminders, then book tomorrow's run even if this one failed."""
    try:
        return len(reminders_send().sent)
    finally:
        # This run is still RUNNING, not yet SUCCESSFUL: say so, or a run after the hour books itself again now.
        reminders_schedule(just_ran=True)


def next_run_at(*, now: dt.datetime | None = None, just_ran: bool = False) -> dt.datetime:
    """Today at REMINDERS_HOUR (local time) if that is still ahead and no run finished since, else tomorrow."""
    now = timezone.localtime(now)
    slot = now.replace(hour=settings.REMINDERS_HOUR, minute=0, second=0, microsecond=0)
    if slot > now:
        return slot
    ran_since_slot = (
        just_ran
        or DBTaskResult.objects.filter(
            task_path=reminders_send_task.module_path, status=TaskResultStatus.SUCCESSFUL, finished_at__gte=slot
        ).exists()
    )
    # A worker that was down at the hour catches up at once; reminders are idempotent per day.
    return slot + dt.timedelta(days=1) if ran_since_slot else now


def reminders_schedule(*, now: dt.datetime | None = None, just_ran: bool = False) -> dt.datetime | None:
    """Book the next daily run unless one is waiting already; returns when it runs (None: already booked)."""
    waiting = DBTaskResult.objects.filter(task_path=reminders_send_task.module_path, status=TaskResultStatus.READY)
    if waiting.exists():
        return None
    when = next_run_at(now=now, just_ran=just_ran)
    reminders_send_task.using(run_after=when).enqueue()
    return when
