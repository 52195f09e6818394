"""Hand-over of a library to a new manager (*serah terima pengelola*), and ending a manager's access.

The old manager's account stays, and so does everything they entered, still attributed to them: only
their role over this library ends. The role row is deleted so that no reader of memberships can ever
grant it again; who managed the library, since when and until when, stays in the library's history
(an audit event of the hand-over and one of the role's removal).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tpbis.accounts.models import Invitation, Membership, Role, User
from tpbis.accounts.services import IssuedInvitation, manager_invite
from tpbis.audit.models import AuditAction, AuditEvent
from tpbis.audit.services import actor_label, audit_change
from tpbis.libraries.models import Library
from tpbis.notifications.models import Kind
from tpbis.notifications.services import notify


@dataclass(frozen=True)
class HandoverResult:
    """What a hand-over did: whose access ended, and the invitation of the successor (None: no one invited)."""

    old_user: User
    issued: IssuedInvitation | None


def library_managers(*, library_id: int) -> QuerySet[Membership]:
    """The library's current managers (a library may have several), by name."""
    return (
        Membership.objects.filter(library_id=library_id, role=Role.MANAGER)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


@transaction.atomic
def library_handover(
    *,
    library: Library,
    actor: User,
    old_user: User,
    new_email: str | None,
    comment: str,
    new_name: str = "",
    new_phone: str = "",
) -> HandoverResult:
    """End `old_user`'s access to `library` and invite a successor.

    `new_email` None invites nobody (the manager left); "" issues an open link for WhatsApp; an address
    sends the link to it. The caller has checked that `actor` is a facilitator or higher over the library.
    Two hand-overs of the same manager at once queue on the library row: the second is told who was faster.
    """
    locked = Library.objects.select_for_update().get(pk=library.pk)
    membership = Membership.objects.filter(library_id=locked.pk, user_id=old_user.pk, role=Role.MANAGER).first()
    if membership is None:
        raise ValidationError(_already_ended(library=locked, old_user=old_user))
    email = (new_email or "").strip().lower()
    if new_email is not None:
        _check_successor(library=locked, old_user=old_user, email=email)
    with translation.override(settings.LANGUAGE_CODE):
        since = date_format(timezone.localtime(membership.created_at), "j M Y")
        successor = (email or _("tautan undangan terbuka")) if new_email is not None else None
    audit_change(
        actor=actor,
        action=AuditAction.ROLE_REMOVE,
        target=membership,
        changes={"peran": [str(membership), None], "pengguna": [actor_label(old_user), None]},
        comment=comment,
    )
    deleted, _rows = Membership.objects.filter(pk=membership.pk).delete()
    if not deleted:  # pragma: no cover - the library row lock makes this unreachable; kept as the guard
        raise ValidationError(_already_ended(library=locked, old_user=old_user))
    _revoke_links_of(library=locked, old_user=old_user, actor=actor)
    issued = None
    if new_email is not None:
        issued = manager_invite(library=locked, created_by=actor, email=email, name=new_name, phone=new_phone)
    event = audit_change(
        actor=actor,
        action=AuditAction.HANDOVER,
        target=locked,
        changes={"pengelola": [actor_label(old_user), successor], "pengelola_sejak": [since, None]},
        comment=comment,
    )
    _notify_old_manager(library=locked, actor=actor, old_user=old_user, comment=comment, event=event)
    return HandoverResult(old_user=old_user, issued=issued)


def manager_remove(*, library: Library, actor: User, old_user: User, comment: str) -> HandoverResult:
    """End a manager's access without inviting anyone (they left; the library keeps its other managers)."""
    return library_handover(library=library, actor=actor, old_user=old_user, new_email=None, comment=comment)


def _check_successor(*, library: Library, old_user: User, email: str) -> None:
    if not library.is_active:
        raise ValidationError(_("Perpustakaan nonaktif tidak bisa diundang."))
    if email and email == old_user.email:
        raise ValidationError(
            {"email": _("Ini email pengelola lama. Isi email pengelola baru, atau kosongkan untuk tautan WhatsApp.")}
        )
    if email and Membership.objects.filter(library_id=library.pk, role=Role.MANAGER, user__email=email).exists():
        raise ValidationError({"email": _("Pemilik email ini sudah menjadi pengelola perpustakaan ini.")})


def _already_ended(*, library: Library, old_user: User) -> str:
    """Why there is nothing to hand over: who ended this person's access, and when, if the history says so."""
    name = old_user.get_full_name()
    recent = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Library),
        object_id=library.pk,
        action=AuditAction.HANDOVER,
    ).order_by("-at", "-pk")[:20]
    for event in recent:
        before = (event.changes.get("pengelola") or [""])[0] or ""
        if f"<{old_user.email}>" in before or before == old_user.email:
            return _(
                "Akses %(name)s ke perpustakaan ini baru saja diakhiri oleh %(who)s (%(when)s). "
                "Muat ulang halaman untuk melihat pengelola saat ini."
            ) % {
                "name": name,
                "who": event.actor.get_full_name() if event.actor else event.actor_label,
                "when": date_format(timezone.localtime(event.at), "j M Y H:i"),
            }
    # No name here: the id came from a form, and a person outside this library's history stays unnamed.
    return _("Orang ini bukan (lagi) pengelola perpustakaan ini. Muat ulang halaman untuk melihat pengelola saat ini.")


def _revoke_links_of(*, library: Library, old_user: User, actor: User) -> None:
    """Links still waiting for the old manager would give the role back: close them."""
    now = timezone.now()
    waiting = Invitation.objects.select_for_update().filter(
        Q(user_id=old_user.pk) | Q(email=old_user.email),
        library_id=library.pk,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )
    for invitation in waiting:
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        audit_change(
            actor=actor,
            action=AuditAction.INVITE_REVOKE,
            target=invitation,
            comment=_("Dicabut otomatis: akses pengelola ini diakhiri."),
        )


def _notify_old_manager(*, library: Library, actor: User, old_user: User, comment: str, event: AuditEvent) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Akses Anda ke %(library)s sudah diakhiri") % {"library": library.name}
        lines = [
            _("%(who)s mengakhiri peran Anda sebagai pengelola %(library)s.")
            % {"who": actor.get_full_name(), "library": library.name},
            _("Akun Anda dan semua laporan yang sudah Anda isi tetap tersimpan atas nama Anda."),
        ]
        if comment:
            lines.append(_("Catatan: %(comment)s") % {"comment": comment})
    notify(
        recipient=old_user,
        kind=Kind.HANDOVER,
        title=title,
        body="\n".join(lines),
        url=reverse("home"),
        whatsapp_text="\n".join([title, *lines]),
        dedupe_key=f"handover:{event.pk}",
        library_id=library.pk,
    )
