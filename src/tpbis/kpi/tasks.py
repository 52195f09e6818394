"""Background tasks: they take ids and call a service."""

from __future__ import annotations

from django_tasks import task

from tpbis.kpi.services import kpi_rebuild


@task()
def kpi_rescore_task() -> None:
    """Rescore every month end of every year after a scheme change (the request rescored this year)."""
    kpi_rebuild()
