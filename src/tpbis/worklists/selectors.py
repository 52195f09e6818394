"""Reads for the work lists: what waits for a facilitator or a manager, always through their scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tpbis.accounts.scope import Scope
from tpbis.reports.models import Replication, record_models
from tpbis.reports.selectors import verification_queue


def queue_models() -> dict[str, type[Any]]:
    """The record types of the verification queue, by their SIM type name."""
    return {**record_models(), Replication.RECORD_TYPE: Replication}


def verification_waiting_count(*, scope: Scope, user_id: int) -> int:
    """Records waiting for this user's verification across every type, in one COUNT query."""
    parts: list[QuerySet[Any]] = [
        verification_queue(model=model, scope=scope, user_id=user_id).order_by().values("pk")
        for model in queue_models().values()
    ]
    first, *rest = parts
    return first.union(*rest, all=True).count()
