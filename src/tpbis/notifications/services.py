"""Writes of notifications: create them (in the caller's transaction), mail them on commit, mark them read.

Any app may call `notify` / `notify_many` from inside the service that makes the change: the
notification is saved in the same transaction, so a change rolled back notifies nobody, and the email
leaves only once the change is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.core.links import absolute_url
from tpbis.notifications.models import (
    MAY_SWITCH_OFF,
    Channel,
    Kind,
    Notification,
    NotificationPreference,
    default_channel,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotificationDraft:
    """One notification to create in bulk with `notify_many`."""

    recipient_id: int
    kind: str
    title: str
    body: str = ""
    url: str = ""
    whatsapp_text: str = ""
    dedupe_key: str = ""
    library_id: int | None = None


# Ids per IN (...) list: SQLite caps the parameters of one statement, and a national batch has tens of thousands.
CHUNK = 5000
T = TypeVar("T", int, str)


def _chunks(values: Iterable[T]) -> Iterator[list[T]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def channels_for(*, user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], str]:
    """{(user_id, kind): channel} for every pair asked, defaults filled in; one query per 5,000 people."""
    user_ids, kinds = set(user_ids), set(kinds)
    chosen: dict[tuple[int, str], str] = {}
    for chunk in _chunks(user_ids):
        rows = NotificationPreference.objects.filter(user_id__in=chunk, kind__in=kinds)
        chosen.update(((u, k), c) for u, k, c in rows.values_list("user_id", "kind", "channel"))
    return {(u, k): chosen.get((u, k), default_channel(k)) for u in user_ids for k in kinds}


def notification_opted_out(*, user_id: int, kind: str) -> bool:
    return channels_for(user_ids=[user_id], kinds=[kind])[(user_id, kind)] == Channel.OFF


def notify(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    whatsapp_text: str = "",
    dedupe_key: str = "",
    library_id: int | None = None,
) -> Notification | None:
    """Tell one person something: in the app, and by email on commit if they chose email for this kind.

    None when the person switched this kind off or already has a notification with this dedupe_key.
    """
    created = notify_many(
        [
            NotificationDraft(
                recipient_id=recipient.pk,
                kind=kind,
                title=title,
                body=body,
                url=url,
                whatsapp_text=whatsapp_text,
                dedupe_key=dedupe_key,
                library_id=library_id,
            )
        ]
    )
    return created[0] if created else None


def notify_many(drafts: Iterable[NotificationDraft]) -> list[Notification]:
    """Create many notifications in a bounded number of queries (three, and one INSERT per batch of rows).

    Skips drafts whose kind the recipient switched off and those whose (recipient, dedupe_key) exists
    already, in the database or earlier in the same batch.
    """
    drafts = list(drafts)
    unknown = {d.kind for d in drafts} - set(Kind.values)
    if unknown:
        raise ValueError(f"Unknown notification kinds: {sorted(unknown)}")  # a programming error, not input
    if not drafts:
        return []
    channels = channels_for(user_ids={d.recipient_id for d in drafts}, kinds={d.kind for d in drafts})
    taken = _existing_keys(drafts)
    rows: list[Notification] = []
    for draft in drafts:
        key = (draft.recipient_id, draft.dedupe_key)
        if channels[(draft.recipient_id, draft.kind)] == Channel.OFF or (draft.dedupe_key and key in taken):
            continue
        if draft.dedupe_key:
            taken.add(key)
        rows.append(_row(draft))
    created = _save(rows)
    emailed = [n.pk for n in created if channels[(n.recipient_id, n.kind)] == Channel.EMAIL]
    if emailed:
        transaction.on_commit(lambda: notifications_send_email(notification_ids=emailed))
    return created


def _existing_keys(drafts: Sequence[NotificationDraft]) -> set[tuple[int, str]]:
    keyed = [d for d in drafts if d.dedupe_key]
    taken: set[tuple[int, str]] = set()
    for recipients in _chunks(d.recipient_id for d in keyed):
        for keys in _chunks(d.dedupe_key for d in keyed):
            rows = Notification.objects.filter(recipient_id__in=recipients, dedupe_key__in=keys)
            taken.update(rows.values_list("recipient_id", "dedupe_key"))
    return taken


def _row(draft: NotificationDraft) -> Notification:
    field = Notification._meta.get_field
    return Notification(
        recipient_id=draft.recipient_id,
        kind=draft.kind,
        title=draft.title[: field("title").max_length],  # type: ignore[union-attr]
        body=draft.body,
        url=draft.url[: field("url").max_length],  # type: ignore[union-attr]
        whatsapp_text=draft.whatsapp_text,
        dedupe_key=draft.dedupe_key[: field("dedupe_key").max_length],  # type: ignore[union-attr]
        library_id=draft.library_id,
    )


def _save(rows: list[Notification]) -> list[Notification]:
    if not rows:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        # Another transaction created one of the keyed rows after we looked: keep the rest, one by one.
        created = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.pk = None
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(row)
        return created


def notifications_send_email(*, notification_ids: Sequence[int]) -> int:
    """Mail the given notifications not mailed yet, to active recipients with an address; never raises.

    Returns how many were sent. A mail server that fails is logged: the change that caused the
    notification is committed already and the notification waits in the app.
    """
    pending = [
        notification
        for chunk in _chunks(notification_ids)
        for notification in Notification.objects.select_related("recipient").filter(
            pk__in=chunk, emailed_at__isnull=True
        )
    ]
    messages = [(n, _email(n)) for n in pending if n.recipient.is_active and n.recipient.email]
    if not messages:
        return 0
    try:
        with get_connection() as connection:
            sent = connection.send_messages([message for _n, message in messages]) or 0
    except Exception:
        logger.exception("Sending %d notification emails failed", len(messages))
        return 0
    now = timezone.now()
    for chunk in _chunks(n.pk for n, _m in messages):
        Notification.objects.filter(pk__in=chunk, emailed_at__isnull=True).update(emailed_at=now)
    return sent


def _email(notification: Notification) -> EmailMessage:
    # People have no stored language: mail goes in the programme's language, as the notification was written.
    with translation.override(settings.LANGUAGE_CODE):
        lines = [notification.body] if notification.body else []
        if notification.url:
            lines += ["", _("Buka: %(url)s") % {"url": absolute_url(notification.url)}]
        lines += [
            "",
            "-- ",
            _("SIM TPBIS. Atur notifikasi yang Anda terima lewat email: %(url)s")
            % {"url": absolute_url(_preferences_path())},
        ]
        return EmailMessage(
            subject=f"[SIM TPBIS] {notification.title}",
            body="\n".join(lines),
            to=[notification.recipient.email],
        )


def _preferences_path() -> str:
    from django.urls import reverse

    return reverse("notifications:preferences")


def notification_open(*, notification: Notification) -> Notification:
    """Mark one's own notification read (once; a second open keeps the first time)."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def preferences_set(*, user: User, choices: Mapping[str, str]) -> None:
    """Save a person's channel per kind; an unknown kind or channel, or "off" where not allowed, is refused."""
    errors: dict[str, list[str]] = {}
    for kind, channel in choices.items():
        if kind not in Kind.values:
            errors.setdefault(kind, []).append(_("Jenis notifikasi tidak dikenal."))
        elif channel not in Channel.values:
            errors.setdefault(kind, []).append(_("Pilihan saluran tidak dikenal."))
        elif channel == Channel.OFF and kind not in MAY_SWITCH_OFF:
            errors.setdefault(kind, []).append(_("Notifikasi jenis ini tidak bisa dimatikan."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for kind, channel in choices.items():
            if channel == default_channel(kind):
                NotificationPreference.objects.filter(user=user, kind=kind).delete()
            else:
                NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})
