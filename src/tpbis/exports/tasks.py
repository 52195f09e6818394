"""Background tasks: they take ids and call a service."""

from __future__ import annotations

from django_tasks import task

from tpbis.exports.services import export_run


@task()
def export_task(job_id: int) -> None:
    export_run(job_id=job_id)
