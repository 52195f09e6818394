"""Keep the record summaries fresh: a change to a library's records rebuilds its area's summary in the
same transaction, so a verification made a second ago is already in every figure."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tpbis.dashboards.services import summaries_refresh, summaries_refresh_for_libraries
from tpbis.libraries.signals import libraries_moved
from tpbis.reports.signals import records_changed


@receiver(records_changed)
def refresh_summaries(sender: Any, library_ids: set[int], **kwargs: Any) -> None:
    summaries_refresh_for_libraries(library_ids=library_ids)


@receiver(libraries_moved)
def refresh_moved(sender: Any, region_codes: set[str], **kwargs: Any) -> None:
    """A partner registered in another region takes its records along: both areas are summed again."""
    summaries_refresh(areas=region_codes)
