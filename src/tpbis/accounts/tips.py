"""Guides a person may close once and for all (*panduan*), remembered per account, not per browser."""

from __future__ import annotations

from tpbis.accounts.models import DismissedTip, User


def tip_dismiss(*, user: User, key: str) -> None:
    """Remember that `user` closed the guide `key`; closing it twice changes nothing."""
    DismissedTip.objects.bulk_create([DismissedTip(user=user, key=key)], ignore_conflicts=True)


def tip_dismissed(*, user_id: int, key: str) -> bool:
    return DismissedTip.objects.filter(user_id=user_id, key=key).exists()
