"""Writes of reminders: rules (audited) and the daily send, idempotent through the notifications' dedupe keys."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot
from tpbis.kpi.models import CurrentScore
from tpbis.notifications.models import Kind
from tpbis.notifications.services import NotificationDraft, notify_many
from tpbis.reminders.compute import Reminder, reminders_due
from tpbis.reminders.models import ColourMark, ReminderLog, ReminderRule

RULE_AUDITED = ("kind", "region", "audience", "enabled", "days", "day_of_month", "weekday", "message")


def rule_save(*, rule: ReminderRule, actor: User) -> ReminderRule:
    """Create or change a rule (validated again here), recording who did it and what changed."""
    with transaction.atomic():
        existing = rule.pk is not None
        before = (
            audit_snapshot(ReminderRule.objects.select_for_update().get(pk=rule.pk), RULE_AUDITED) if existing else {}
        )
        if not existing:
            rule.created_by = actor
        rule.updated_by = actor
        rule.full_clean()
        rule.save()
        changes = audit_diff(before, audit_snapshot(rule, RULE_AUDITED))
        if changes or not existing:
            action = AuditAction.UPDATE if existing else AuditAction.CREATE
            audit_change(actor=actor, action=action, target=rule, changes=changes)
    return rule


def rule_delete(*, rule: ReminderRule, actor: User) -> None:
    """Remove a province's own rule: the national rule of its kind governs the province again."""
    if rule.region_id is None:
        raise ValueError("the national rule of a kind is switched off, never deleted")
    with transaction.atomic():
        locked = ReminderRule.objects.select_for_update().filter(pk=rule.pk).first()
        if locked is None:
            return
        audit_change(
            actor=actor,
            action=AuditAction.DELETE,
            target=locked,
            changes=audit_diff(audit_snapshot(locked, RULE_AUDITED), {}),
        )
        locked.delete()


@dataclass
class SendResult:
    """What a run found due and what it sent; a dry run sends nothing."""

    due: list[Reminder]
    sent: list[Reminder] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        """Due but not sent: sent before under the same key, or the person refuses this kind."""
        return 0 if self.dry_run else len(self.due) - len(self.sent)

    def counts_by_kind(self) -> Counter[str]:
        return Counter(r.rule_kind for r in (self.due if self.dry_run else self.sent))


def reminders_send(*, today: dt.date | None = None, dry_run: bool = False) -> SendResult:
    """Compute every reminder due today and send the ones not sent before (a second run the same day sends
    nothing new); log each sent one. A dry run only computes."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    due = reminders_due(today=today)
    if dry_run:
        return SendResult(due=due, dry_run=True, seconds=time.perf_counter() - started)
    with transaction.atomic():
        created = notify_many(_draft(reminder) for reminder in due)
        made = {(n.recipient_id, n.dedupe_key): n.pk for n in created}
        sent = [r for r in due if (r.recipient_id, r.dedupe_key) in made]
        ReminderLog.objects.bulk_create(
            [
                ReminderLog(
                    rule_id=r.rule_id,
                    kind=r.rule_kind,
                    recipient_id=r.recipient_id,
                    notification_id=made[(r.recipient_id, r.dedupe_key)],
                    library_id=r.library_id,
                    region_code=r.region_code,
                    period=r.period,
                    dedupe_key=r.dedupe_key,
                    title=r.title[:200],
                    reason=r.reason[:300],
                )
                for r in sent
            ],
            batch_size=500,
        )
        _colour_marks_update(
            provinces={r.region_code for r in sent if r.notification_kind == Kind.WEEKLY_SUMMARY}, today=today
        )
    return SendResult(due=due, sent=sent, seconds=time.perf_counter() - started)


def _draft(reminder: Reminder) -> NotificationDraft:
    return NotificationDraft(
        recipient_id=reminder.recipient_id,
        kind=reminder.notification_kind,
        title=reminder.title,
        body=reminder.body,
        url=reminder.url,
        # An officer forwards the weekly summary to the facilitators' WhatsApp group as it is.
        whatsapp_text=f"{reminder.title}\n\n{reminder.body}"
        if reminder.notification_kind == Kind.WEEKLY_SUMMARY
        else "",
        dedupe_key=reminder.dedupe_key,
        library_id=reminder.library_id,
    )


def _colour_marks_update(*, provinces: set[str], today: dt.date) -> None:
    """Remember today's colours of the provinces whose weekly summary just went out: next week's summary
    compares with them."""
    if not provinces:
        return
    rows = CurrentScore.objects.filter(library__province_id__in=sorted(provinces)).values_list("library_id", "colour")
    ColourMark.objects.bulk_create(
        [ColourMark(library_id=library_id, colour=colour, marked_on=today) for library_id, colour in rows],
        update_conflicts=True,
        unique_fields=["library"],
        update_fields=["colour", "marked_on"],
        batch_size=1000,
    )
