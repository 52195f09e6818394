"""Keep stored scores fresh: a change to a library's records rescores it in the same transaction, so
the facilitator's next page load already shows the new score and colour."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tpbis.kpi.services import kpi_refresh
from tpbis.libraries.models import Library
from tpbis.reports.signals import records_changed


@receiver(records_changed)
def rescore_libraries(sender: Any, library_ids: set[int], **kwargs: Any) -> None:
    kpi_refresh(libraries=Library.objects.filter(pk__in=sorted(library_ids)))
