"""Reads of notifications: always of one person's own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tpbis.accounts.models import User
from tpbis.notifications.models import (
    MAY_SWITCH_OFF,
    Channel,
    Kind,
    Notification,
    NotificationPreference,
    default_channel,
)


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def notification_get_for_user(*, user: User, pk: int) -> Notification:
    """One's own notification; anybody else's is a 404, as if it did not exist."""
    return get_object_or_404(Notification, pk=pk, recipient=user)


def notification_unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


@dataclass(frozen=True)
class PreferenceRow:
    kind: str
    label: str
    channel: str
    may_switch_off: bool
    is_default: bool


def preferences_for_user(*, user: User) -> list[PreferenceRow]:
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return [
        PreferenceRow(
            kind=kind,
            label=str(label),
            channel=chosen.get(kind, default_channel(kind)),
            may_switch_off=kind in MAY_SWITCH_OFF,
            is_default=kind not in chosen,
        )
        for kind, label in Kind.choices
    ]


def channel_choices(*, may_switch_off: bool) -> list[tuple[str, str]]:
    # Most people choose between the first two; "off" comes last, where it is offered at all.
    order = [Channel.IN_APP, Channel.EMAIL] + ([Channel.OFF] if may_switch_off else [])
    return [(channel.value, str(channel.label)) for channel in order]
