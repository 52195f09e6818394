"""The bell in the header: the unread count, counted only when a page shows it (one query)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from tpbis.notifications.selectors import notification_unread_count


class Bell:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    @cached_property
    def unread(self) -> int:
        return notification_unread_count(user_id=self.user_id)


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": Bell(user.pk)}
