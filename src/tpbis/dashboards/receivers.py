"""Keep the record summaries fresh: a change to a library's records updates the cells of the months it
touched in the same transaction, so a verification made a second ago is already in every figure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from tpbis.dashboards.services import summaries_apply, summaries_refresh
from tpbis.libraries.signals import libraries_moved
from tpbis.reports.signals import records_changed


@receiver(records_changed)
def refresh_summaries(
    sender: Any, library_ids: set[int], months: dict[int, set[dt.date]] | None = None, **kwargs: Any
) -> None:
    summaries_apply(library_ids=library_ids, months=months)


@receiver(libraries_moved)
def refresh_moved(sender: Any, region_codes: set[str], **kwargs: Any) -> None:
    """A partner registered in another region takes its records along: both areas are summed again."""
    summaries_refresh(areas=region_codes)
