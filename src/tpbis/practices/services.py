"""Writing good practices: create, edit, submit, and the provincial review (publish or return).

Every change of status is a conditional UPDATE on the status the caller read, so two reviewers pressing
"Terbitkan" at once leave one publication and one clear message, never two notifications.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot
from tpbis.kpi.models import RecordType
from tpbis.libraries.models import Library
from tpbis.notifications.models import Kind
from tpbis.notifications.services import notify
from tpbis.practices.models import Practice, PracticeRecord, PracticeStatus, PracticeStep
from tpbis.reports.photos import PreparedPhoto, photos_check_count, photos_for, photos_save

ENTRY_FIELDS = (
    "title",
    "problem",
    "steps",
    "results",
    "people_reached",
    "activity_field",
    "audience",
    "cost",
    "advocacy_result",
    "focus",
)
# Long enough for a full story with steps; a report pasted whole (5,000 words) is refused with a message.
MAX_WORDS = {"problem": 500, "steps": 1500, "results": 1000}
MAX_PHOTOS = 4
EDITABLE = (PracticeStatus.DRAFT, PracticeStatus.RETURNED)
SUBMITTABLE = (PracticeStatus.DRAFT, PracticeStatus.RETURNED)

RecordRef = tuple[str, int]


class PracticeConflict(ValidationError):
    """The practice is no longer in the state the person saw: someone else acted first."""


def word_count(text: str) -> int:
    return len(text.split())


def practice_check_length(*, fields: dict[str, Any]) -> None:
    """Refuse a text field longer than its word limit, naming its length and the limit."""
    errors: dict[str, str] = {}
    for name, limit in MAX_WORDS.items():
        words = word_count(str(fields.get(name) or ""))
        if words > limit:
            errors[name] = _(
                "Teks ini %(words)s kata, paling banyak %(limit)s kata. Ringkas ceritanya; rincian dapat "
                "dilampirkan sebagai laporan asal."
            ) % {"words": number_format(words, force_grouping=True), "limit": number_format(limit, force_grouping=True)}
    if errors:
        raise ValidationError(errors)


def practice_components(*, fields: dict[str, Any], records: Iterable[RecordRef]) -> str:
    """The KPI parts a practice raised: those its author names, those its tags imply, and the types of its
    records. Stored as ",pelibatan,advokasi," so a single substring filter finds them on any database."""
    codes = {str(code) for code in fields.get("focus") or []}
    if fields.get("activity_field") or fields.get("audience"):
        codes.add(RecordType.ENGAGEMENT)
    if fields.get("advocacy_result"):
        codes.add(RecordType.ADVOCACY)
    codes |= {record_type for record_type, _pk in records}
    ordered = [code for code in RecordType.values if code in codes]
    return "," + ",".join(ordered) + "," if ordered else ""


def _apply(practice: Practice, fields: dict[str, Any], records: Sequence[RecordRef]) -> None:
    for name in ENTRY_FIELDS:
        if name in fields:
            setattr(practice, name, fields[name] if fields[name] is not None or name == "people_reached" else "")
    practice.focus = [code for code in RecordType.values if code in set(practice.focus or [])]
    practice.components = practice_components(
        fields={name: getattr(practice, name) for name in ENTRY_FIELDS}, records=records
    )


def _records_replace(practice: Practice, records: Sequence[RecordRef]) -> None:
    wanted = set(records)
    current = {(link.record_type, link.record_id): link.pk for link in practice.record_links.all()}
    stale = [pk for key, pk in current.items() if key not in wanted]
    PracticeRecord.objects.filter(pk__in=stale).delete()
    PracticeRecord.objects.bulk_create(
        [PracticeRecord(practice=practice, record_type=t, record_id=pk) for t, pk in sorted(wanted - set(current))]
    )


def _step(practice: Practice, *, before: str, after: str, actor: User, comment: str = "") -> None:
    PracticeStep.objects.create(practice=practice, from_status=before, to_status=after, actor=actor, comment=comment)


@transaction.atomic
def practice_create(
    *,
    author: User,
    library: Library,
    fields: dict[str, Any],
    records: Sequence[RecordRef] = (),
    photos: Sequence[PreparedPhoto] = (),
    submit: bool = False,
) -> Practice:
    """A new practice of `library`, kept as a draft or sent for review at once. The caller checked that
    `author` may write for the library and that `records` are the library's."""
    practice_check_length(fields=fields)
    photos_check_count(existing=0, adding=len(photos), minimum=0, maximum=MAX_PHOTOS)
    practice = Practice(library=library, author=author)
    _apply(practice, fields, records)
    practice.full_clean()
    practice.save()
    _records_replace(practice, records)
    photos_save(record=practice, prepared=photos, user=author)
    audit_change(actor=author, action=AuditAction.CREATE, target=practice)
    _step(practice, before="", after=PracticeStatus.DRAFT, actor=author)
    if submit:
        return practice_submit(practice=practice, actor=author)
    return practice


@transaction.atomic
def practice_update(
    *,
    practice: Practice,
    actor: User,
    fields: dict[str, Any],
    records: Sequence[RecordRef],
    photos: Sequence[PreparedPhoto] = (),
    submit: bool = False,
) -> Practice:
    """Change a draft or a returned practice; published and waiting ones are not edited under a reviewer."""
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    if locked.status not in EDITABLE:
        raise PracticeConflict(_status_message(locked))
    practice_check_length(fields=fields)
    photos_check_count(existing=photos_for(locked).count(), adding=len(photos), minimum=0, maximum=MAX_PHOTOS)
    before = audit_snapshot(locked, ENTRY_FIELDS)
    before_records = sorted(f"{t}:{pk}" for t, pk in locked.record_links.values_list("record_type", "record_id"))
    _apply(locked, fields, records)
    locked.full_clean()
    locked.save()
    _records_replace(locked, records)
    photos_save(record=locked, prepared=photos, user=actor, start_position=photos_for(locked).count())
    changes = audit_diff(before, audit_snapshot(locked, ENTRY_FIELDS))
    after_records = sorted(f"{t}:{pk}" for t, pk in records)
    if after_records != before_records:
        changes["records"] = [before_records, after_records]
    if photos:
        changes["photos"] = [None, len(photos)]
    if changes:
        audit_change(actor=actor, action=AuditAction.UPDATE, target=locked, changes=changes)
    if submit:
        return practice_submit(practice=locked, actor=actor)
    return locked


def _transition(
    practice: Practice, *, allowed: Sequence[str], to: str, actor: User, comment: str = "", **values: Any
) -> Practice:
    """Move the practice to `to` only if it is still in one of `allowed` (one conditional UPDATE)."""
    before = Practice.objects.filter(pk=practice.pk).values_list("status", flat=True).first()
    if before is None:
        raise PracticeConflict(_("Praktik ini sudah tidak ada."))
    moved = Practice.objects.filter(pk=practice.pk, status=before, status__in=allowed).update(
        status=to, updated_at=timezone.now(), **values
    )
    if not moved:
        raise PracticeConflict(_status_message(Practice.objects.get(pk=practice.pk)))
    fresh = Practice.objects.select_related("library", "author").get(pk=practice.pk)
    _step(fresh, before=before, after=to, actor=actor, comment=comment)
    audit_change(
        actor=actor, action=AuditAction.UPDATE, target=fresh, changes={"status": [before, to]}, comment=comment
    )
    return fresh


def _status_message(practice: Practice) -> str:
    messages = {
        PracticeStatus.PUBLISHED: _("Praktik ini sudah diterbitkan; tidak ada yang diubah."),
        PracticeStatus.RETURNED: _("Praktik ini sudah dikembalikan kepada penulisnya; tidak ada yang diubah."),
        PracticeStatus.SUBMITTED: _("Praktik ini sedang menunggu tinjauan; tidak ada yang diubah."),
        PracticeStatus.DRAFT: _("Praktik ini masih draf dan belum dikirim untuk ditinjau; tidak ada yang diubah."),
    }
    return messages.get(PracticeStatus(practice.status), _("Status praktik ini sudah berubah."))


@transaction.atomic
def practice_submit(*, practice: Practice, actor: User) -> Practice:
    """Send a draft (or a corrected returned practice) to the province for review."""
    return _transition(practice, allowed=SUBMITTABLE, to=PracticeStatus.SUBMITTED, actor=actor)


@transaction.atomic
def practice_publish(*, practice: Practice, actor: User, is_public: bool = False, comment: str = "") -> Practice:
    """Publish a practice waiting for review: every signed-in user may read it from now on."""
    fresh = _transition(
        practice,
        allowed=(PracticeStatus.SUBMITTED,),
        to=PracticeStatus.PUBLISHED,
        actor=actor,
        comment=comment,
        is_public=is_public,
        published_at=timezone.now(),
        published_by=actor,
        return_comment="",
    )
    _tell_author(
        fresh,
        actor=actor,
        title=_("Praktik baik Anda diterbitkan: %(title)s") % {"title": fresh.title},
        body=comment,
    )
    return fresh


@transaction.atomic
def practice_return(*, practice: Practice, actor: User, comment: str) -> Practice:
    """Send a waiting practice back to its author with what to improve."""
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Tulis apa yang perlu diperbaiki.")})
    fresh = _transition(
        practice,
        allowed=(PracticeStatus.SUBMITTED,),
        to=PracticeStatus.RETURNED,
        actor=actor,
        comment=comment,
        return_comment=comment,
    )
    _tell_author(
        fresh,
        actor=actor,
        title=_("Praktik baik Anda dikembalikan untuk diperbaiki: %(title)s") % {"title": fresh.title},
        body=comment,
    )
    return fresh


@transaction.atomic
def practice_set_public(*, practice: Practice, actor: User, is_public: bool) -> Practice:
    """Show a published practice on the public page, or take it off again."""
    before = Practice.objects.filter(pk=practice.pk).values_list("is_public", flat=True).first()
    moved = Practice.objects.filter(pk=practice.pk, status=PracticeStatus.PUBLISHED).update(is_public=is_public)
    if not moved:
        raise PracticeConflict(_("Hanya praktik yang sudah terbit yang dapat tampil di halaman publik."))
    fresh = Practice.objects.select_related("library").get(pk=practice.pk)
    if before != is_public:
        audit_change(
            actor=actor,
            action=AuditAction.UPDATE,
            target=fresh,
            changes={"is_public": [before, is_public]},
        )
    return fresh


def _tell_author(practice: Practice, *, actor: User, title: str, body: str) -> None:
    if practice.author_id == actor.pk:
        return
    notify(
        recipient=practice.author,
        kind=Kind.GENERAL,
        title=title,
        body=body,
        url=reverse("practices:detail", args=[practice.pk]),
        library_id=practice.library_id,
    )
