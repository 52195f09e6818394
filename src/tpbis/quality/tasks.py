"""The nightly outlier scan on the database task queue: each run books the next (django-tasks has no
periodic tasks), and a change of the national settings asks for a run at once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from tpbis.quality.scan import outliers_scan

# Local time (Asia/Jakarta) of the nightly scan: after the day's entries, before the facilitators' morning.
SCAN_HOUR = 2


@task()
def outliers_scan_task() -> int:
    """Scan the nation, then book the next night's scan even if this one failed."""
    try:
        return outliers_scan().flags
    finally:
        outliers_schedule()


def outliers_schedule(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Book the next nightly scan unless one is waiting already; returns when it runs (None: booked)."""
    # A scan waiting at all (nightly, or one asked for after a settings change) books the next when it runs.
    waiting = DBTaskResult.objects.filter(task_path=outliers_scan_task.module_path, status=TaskResultStatus.READY)
    if waiting.exists():
        return None
    now = timezone.localtime(now)
    when = now.replace(hour=SCAN_HOUR, minute=0, second=0, microsecond=0)
    if when <= now:
        when += dt.timedelta(days=1)
    outliers_scan_task.using(run_after=when).enqueue()
    return when


def outliers_scan_soon() -> None:
    """Ask the worker for a scan now (after the national settings changed)."""
    outliers_scan_task.enqueue()
