"""Every change to a gathering: plan, invite, start (freeze the figures), register, check in, record what
was shared and agreed. Each is conditional on the state it read and audited."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.accounts.scope import Scope
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot
from tpbis.core.links import absolute_url
from tpbis.elis.selectors import core_finished
from tpbis.gatherings.frozen import report_freeze
from tpbis.gatherings.materials import PreparedFile
from tpbis.gatherings.models import (
    Attendance,
    AttendanceMethod,
    FollowUp,
    Gathering,
    Invitee,
    Material,
    Registration,
    SharedPractice,
)
from tpbis.gatherings.selectors import (
    can_organise,
    facilitators_of,
    invited_library_of,
    invited_managers,
    region_partners,
)
from tpbis.libraries.models import Library
from tpbis.notifications.models import Kind
from tpbis.notifications.services import NotificationDraft, notify_many
from tpbis.practices.models import Practice
from tpbis.reportcards.forms import Period
from tpbis.reportcards.selectors import gathering_report_for_user

AUDITED = [
    "title",
    "date",
    "start_time",
    "end_time",
    "online_link",
    "place",
    "region",
    "period_start",
    "period_end",
    "speakers",
    "agenda",
    "invite_all",
]
# Check-in opens this long before the start (people join early), and stays open until the day ends.
CHECKIN_EARLY = dt.timedelta(minutes=30)


class GatheringError(Exception):
    """A change the gathering's state does not allow; the message is for the person."""


@dataclass(frozen=True)
class GatheringData:
    title: str
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    region_code: str
    period_start: dt.date
    period_end: dt.date
    online_link: str = ""
    place: str = ""
    speakers: tuple[tuple[str, str], ...] = ()
    agenda: str = ""
    invite_all: bool = True


def _apply(gathering: Gathering, data: GatheringData) -> None:
    gathering.title = data.title
    gathering.date = data.date
    gathering.start_time = data.start_time
    gathering.end_time = data.end_time
    gathering.region_id = data.region_code
    gathering.period_start = data.period_start
    gathering.period_end = data.period_end
    gathering.online_link = data.online_link
    gathering.place = data.place
    gathering.speakers = [{"name": name, "role": role} for name, role in data.speakers]
    gathering.agenda = data.agenda
    gathering.invite_all = data.invite_all


def _check_reach(scope: Scope, region_code: str) -> None:
    if not can_organise(scope, region_code):
        raise ValidationError({"region": _("Anda tidak bisa mengadakan gathering untuk wilayah ini.")})


def gathering_create(*, actor: User, scope: Scope, data: GatheringData) -> Gathering:
    """A new gathering; with "all partners", every active partner of the region is invited at once."""
    _check_reach(scope, data.region_code)
    gathering = Gathering(created_by=actor)
    _apply(gathering, data)
    gathering.full_clean()
    with transaction.atomic():
        gathering.save()
        audit_change(actor=actor, action=AuditAction.CREATE, target=gathering, comment=_("Gathering dibuat"))
        if data.invite_all:
            _invite(gathering, region_partners(region_code=data.region_code).values_list("pk", flat=True))
            invitations_send(gathering=gathering)
    return gathering


def gathering_update(*, actor: User, scope: Scope, gathering_id: int, data: GatheringData) -> Gathering:
    """Change the plan. Once started, the region and period stay as presented (the figures are frozen)."""
    _check_reach(scope, data.region_code)
    with transaction.atomic():
        gathering = Gathering.objects.select_for_update().get(pk=gathering_id)
        if gathering.is_started and (
            data.region_code != gathering.region_id
            or (data.period_start, data.period_end) != (gathering.period_start, gathering.period_end)
        ):
            raise GatheringError(_("Gathering sudah dimulai: wilayah dan periode tidak bisa diubah lagi."))
        before = audit_snapshot(gathering, AUDITED)
        _apply(gathering, data)
        gathering.full_clean()
        gathering.save()
        changes = audit_diff(before, audit_snapshot(gathering, AUDITED))
        if changes:
            audit_change(actor=actor, action=AuditAction.UPDATE, target=gathering, changes=changes)
        if data.invite_all:
            _invite(gathering, region_partners(region_code=data.region_code).values_list("pk", flat=True))
            invitations_send(gathering=gathering)
    return gathering


def _invite(gathering: Gathering, library_ids: Collection[int] | Any) -> int:
    rows = [Invitee(gathering=gathering, library_id=pk) for pk in library_ids]
    before = gathering.invitees.count()
    Invitee.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return gathering.invitees.count() - before


def gathering_invitees_set(*, actor: User, gathering_id: int, library_ids: Collection[int]) -> Gathering:
    """Invite exactly these partners of the region (a selection); a library whose manager registered or
    came stays invited. New invitees are notified."""
    with transaction.atomic():
        gathering = Gathering.objects.select_for_update().get(pk=gathering_id)
        allowed = set(region_partners(region_code=gathering.region_id).values_list("pk", flat=True))
        wanted = set(library_ids) & allowed
        kept = set(gathering.registrations.values_list("library_id", flat=True))
        kept |= set(gathering.attendances.values_list("library_id", flat=True))
        current = set(gathering.invitees.values_list("library_id", flat=True))
        removed = current - wanted - kept
        Invitee.objects.filter(gathering=gathering, library_id__in=removed).delete()
        added = _invite(gathering, wanted - current)
        all_invited = set(allowed) <= (current - removed) | wanted
        Gathering.objects.filter(pk=gathering.pk).update(invite_all=all_invited)
        gathering.invite_all = all_invited
        if added or removed:
            audit_change(
                actor=actor,
                action=AuditAction.UPDATE,
                target=gathering,
                changes={"undangan": [len(current), len(current) - len(removed) + added]},
                comment=_("Daftar perpustakaan yang diundang diubah"),
            )
        invitations_send(gathering=gathering)
    return gathering


def gathering_url(gathering: Gathering) -> str:
    return reverse("gatherings:detail", args=[gathering.pk])


def when_text(gathering: Gathering) -> str:
    day = date_format(gathering.date, "l, j F Y")
    return f"{day}, {gathering.start_time:%H.%M}–{gathering.end_time:%H.%M}"


def whatsapp_text(gathering: Gathering) -> str:
    """The invitation as a facilitator forwards it to a WhatsApp group."""
    lines = [
        _("Undangan gathering: %(title)s") % {"title": gathering.title},
        when_text(gathering),
    ]
    if gathering.online_link:
        lines.append(_("Tautan: %(url)s") % {"url": gathering.online_link})
    if gathering.place:
        lines.append(_("Tempat: %(place)s") % {"place": gathering.place})
    lines.append(_("Daftar hadir di SIM TPBIS: %(url)s") % {"url": absolute_url(gathering_url(gathering))})
    return "\n".join(lines)


def invitations_send(*, gathering: Gathering) -> int:
    """Notify every manager of an invited library once (a second call reaches only new invitees)."""
    text = whatsapp_text(gathering)
    title = _("Undangan gathering: %(title)s") % {"title": gathering.title}
    drafts = [
        NotificationDraft(
            recipient_id=m.user_id,
            kind=Kind.GATHERING,
            title=title,
            body=when_text(gathering),
            url=gathering_url(gathering),
            whatsapp_text=text,
            dedupe_key=f"gathering:{gathering.pk}:invite",
            library_id=m.library_id,
        )
        for m in invited_managers(gathering)
    ]
    return len(notify_many(drafts))


def gathering_freeze(*, actor: User | None, gathering_id: int) -> Gathering:
    """Start the gathering: the region's figures for the period are frozen into it, once.

    The report is computed before the conditional UPDATE (it takes seconds on a large region); whoever's
    UPDATE lands first wins and a second "Mulai" is told the gathering has started already.
    """
    gathering = Gathering.objects.select_related("region").get(pk=gathering_id)
    if gathering.is_started:
        raise GatheringError(_("Gathering ini sudah dimulai; angkanya sudah dibekukan."))
    # The figures are the region's, whoever presses the button: computed with the national view.
    report = gathering_report_for_user(
        scope=Scope(national=True),
        region_code=gathering.region_id,
        period=Period(gathering.period_start, gathering.period_end),
    )
    core = core_finished(region=gathering.region_id)
    frozen = report_freeze(
        report,
        extra={"elis_core": {"finished": core.finished, "managers": core.managers}},
    )
    now = timezone.now()
    with transaction.atomic():
        updated = Gathering.objects.filter(pk=gathering.pk, started_at__isnull=True).update(
            started_at=now, started_by=actor, frozen_report=frozen
        )
        if not updated:
            raise GatheringError(_("Gathering ini sudah dimulai; angkanya sudah dibekukan."))
        gathering.refresh_from_db()
        audit_change(
            actor=actor,
            action=AuditAction.UPDATE,
            target=gathering,
            changes={"dimulai": [None, now]},
            comment=_("Gathering dimulai; angka wilayah dibekukan"),
        )
    return gathering


def gathering_register(*, user: User, gathering: Gathering) -> tuple[Registration, bool]:
    """A manager of an invited library says they will come; a second press changes nothing."""
    library = invited_library_of(gathering=gathering, user=user)
    if library is None:
        raise GatheringError(_("Perpustakaan Anda tidak diundang ke gathering ini."))
    with transaction.atomic():
        registration, created = Registration.objects.get_or_create(
            gathering=gathering, user=user, defaults={"library": library}
        )
        if created:
            audit_change(
                actor=user,
                action=AuditAction.CREATE,
                target=gathering,
                comment=_("%(name)s mendaftar (%(library)s)") % {"name": user.full_name, "library": library.name},
                library_id=library.pk,
            )
    return registration, created


def checkin_open(gathering: Gathering, now: dt.datetime | None = None) -> bool:
    """From half an hour before the start (or from "Mulai") until the end of the gathering's day."""
    now = now or timezone.now()
    day_end = timezone.make_aware(dt.datetime.combine(gathering.date, dt.time.max))
    opened = gathering.is_started or now >= gathering.starts_at - CHECKIN_EARLY
    return opened and now <= day_end


def gathering_check_in(*, user: User, gathering: Gathering, token: str) -> tuple[Attendance, bool]:
    """A manager of an invited library checks in with the link shown during the meeting, once."""
    if not secrets.compare_digest(token, gathering.checkin_token):
        raise GatheringError(_("Tautan daftar hadir ini tidak berlaku."))
    library = invited_library_of(gathering=gathering, user=user)
    if library is None:
        raise GatheringError(_("Daftar hadir hanya untuk pengelola perpustakaan yang diundang ke gathering ini."))
    if not checkin_open(gathering):
        raise GatheringError(_("Daftar hadir dibuka saat gathering berlangsung."))
    try:
        with transaction.atomic():
            attendance, created = Attendance.objects.get_or_create(
                gathering=gathering,
                user=user,
                defaults={"library": library, "method": AttendanceMethod.CHECKIN},
            )
            if created:
                audit_change(
                    actor=user,
                    action=AuditAction.CREATE,
                    target=gathering,
                    comment=_("%(name)s hadir (%(library)s)") % {"name": user.full_name, "library": library.name},
                    library_id=library.pk,
                )
    except IntegrityError:  # the same person on two phones at once: the other one counted
        return Attendance.objects.get(gathering=gathering, user=user), False
    return attendance, created


def attendance_mark(*, actor: User, gathering_id: int, present: Collection[tuple[int, int]]) -> tuple[int, int]:
    """The organiser's list afterwards: exactly these (person, library) pairs were there. Only managers of
    invited libraries count. Returns how many were added and removed."""
    with transaction.atomic():
        gathering = Gathering.objects.select_for_update().get(pk=gathering_id)
        allowed = {(m.user_id, m.library_id) for m in invited_managers(gathering)}
        wanted = {pair for pair in present if pair in allowed}
        wanted_people = {user_id for user_id, _library in wanted}
        current = dict(Attendance.objects.filter(gathering=gathering).values_list("user_id", "library_id"))
        removed = [user_id for user_id in current if user_id not in wanted_people]
        Attendance.objects.filter(gathering=gathering, user_id__in=removed).delete()
        seen: set[int] = set()
        rows = []
        for user_id, library_id in sorted(wanted):
            if user_id in current or user_id in seen:
                continue
            seen.add(user_id)
            rows.append(
                Attendance(
                    gathering=gathering, user_id=user_id, library_id=library_id, method=AttendanceMethod.ORGANISER
                )
            )
        Attendance.objects.bulk_create(rows, ignore_conflicts=True)
        if rows or removed:
            audit_change(
                actor=actor,
                action=AuditAction.UPDATE,
                target=gathering,
                changes={"hadir": [len(current), len(current) - len(removed) + len(rows)]},
                comment=_("Daftar hadir dicatat penyelenggara"),
            )
    return len(rows), len(removed)


def _invited(gathering: Gathering, library: Library) -> None:
    if not gathering.invitees.filter(library=library).exists():
        raise ValidationError({"library": _("Pilih perpustakaan yang diundang ke gathering ini.")})


def practice_share(
    *,
    actor: User,
    gathering: Gathering,
    library: Library,
    title: str,
    summary: str,
    practice: Practice | None = None,
) -> SharedPractice:
    """A practice a library shared (*praktik yang dibagikan*), linked to its write-up when there is one."""
    _invited(gathering, library)
    if practice is not None and practice.library_id != library.pk:
        raise ValidationError({"practice": _("Praktik ini milik perpustakaan lain.")})
    shared = SharedPractice(
        gathering=gathering, library=library, practice=practice, title=title, summary=summary, created_by=actor
    )
    shared.full_clean()
    with transaction.atomic():
        shared.save()
        audit_change(
            actor=actor,
            action=AuditAction.UPDATE,
            target=gathering,
            changes={"praktik baik": [None, f"{library.name}: {title}"]},
            comment=_("Praktik baik dicatat"),
            library_id=library.pk,
        )
    return shared


def followup_add(
    *, actor: User, gathering: Gathering, library: Library, problem: str, action: str, owner: User, due_date: dt.date
) -> FollowUp:
    """A problem raised for a library, the action agreed, its owner (a facilitator of the library's
    kabupaten/kota) and due date; it shows in the owner's work list until done."""
    _invited(gathering, library)
    if not facilitators_of(library).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("Penanggung jawab harus fasilitator kabupaten/kota perpustakaan itu.")})
    followup = FollowUp(
        gathering=gathering,
        library=library,
        problem=problem,
        action=action,
        owner=owner,
        due_date=due_date,
        created_by=actor,
    )
    followup.full_clean()
    with transaction.atomic():
        followup.save()
        audit_change(
            actor=actor,
            action=AuditAction.CREATE,
            target=followup,
            changes=audit_diff({}, audit_snapshot(followup, ["problem", "action", "owner", "due_date"])),
            comment=_("Tindak lanjut gathering: %(title)s") % {"title": gathering.title},
        )
    return followup


def followup_done(*, actor: User, followup_id: int) -> FollowUp:
    """Mark a follow-up done, once: a second press is told it is done already."""
    now = timezone.now()
    with transaction.atomic():
        updated = FollowUp.objects.filter(pk=followup_id, done_at__isnull=True).update(done_at=now, done_by=actor)
        followup = FollowUp.objects.get(pk=followup_id)
        if not updated:
            raise GatheringError(_("Tindak lanjut ini sudah ditandai selesai."))
        audit_change(
            actor=actor,
            action=AuditAction.UPDATE,
            target=followup,
            changes={"selesai": [None, now]},
            comment=_("Tindak lanjut selesai"),
        )
    return followup


def material_add(
    *, actor: User, gathering: Gathering, title: str, url: str = "", prepared: PreparedFile | None = None
) -> Material:
    """A link or a checked file (PDF, slides) of the gathering."""
    if not url and prepared is None:
        raise ValidationError({"url": _("Isi tautan atau pilih berkas.")})
    material = Material(gathering=gathering, title=title, url=url, created_by=actor)
    if prepared is not None:
        material.filename = prepared.name
        material.content_type = prepared.content_type
        material.size = len(prepared.content)
    with transaction.atomic():
        if prepared is not None:
            material.file.save(prepared.name, ContentFile(prepared.content), save=False)
        material.full_clean()
        material.save()
        audit_change(
            actor=actor,
            action=AuditAction.UPDATE,
            target=gathering,
            changes={"materi": [None, title]},
            comment=_("Materi ditambahkan"),
        )
    return material
