"""Writes of accounts: invitations, activation and memberships."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tpbis.accounts.models import Invitation, Membership, Role, User
from tpbis.accounts.signals import invitation_accepted
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change
from tpbis.core.links import absolute_url
from tpbis.libraries.models import Library
from tpbis.regions.models import Region


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its plain token, which exists only here, at creation."""

    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return absolute_url(reverse("accounts:activate", args=[self.token]))

    @property
    def message(self) -> str:
        """Text ready to paste into WhatsApp."""
        invitation = self.invitation
        library = invitation.library
        name = invitation.name or (invitation.user.full_name if invitation.user else "")
        greeting = _("Halo %(name)s,") % {"name": name} if name else _("Halo,")
        target = (
            _("Anda diundang mengelola laporan %(library)s di SIM TPBIS.") % {"library": library.name}
            if library
            else _("Anda diundang memakai SIM TPBIS.")
        )
        until = date_format(timezone.localtime(invitation.expires_at), "j F Y")
        return "\n".join(
            [
                greeting,
                target,
                _("Buka tautan ini untuk membuat kata sandi (berlaku sampai %(date)s, sekali pakai):")
                % {"date": until},
                self.url,
            ]
        )

    @property
    def shows_link(self) -> bool:
        """Only an open link is shown to whoever issued it; a link for an email address goes to that address."""
        return not self.invitation.email

    @property
    def share_text(self) -> str:
        """What the facilitator forwards by WhatsApp: the open link, or a nudge to check the mailbox."""
        if self.shows_link:
            return self.message
        invitation = self.invitation
        greeting = _("Halo %(name)s,") % {"name": invitation.name} if invitation.name else _("Halo,")
        until = date_format(timezone.localtime(invitation.expires_at), "j F Y")
        return "\n".join(
            [
                greeting,
                _("Undangan SIM TPBIS untuk Anda sudah dikirim ke email %(email)s.") % {"email": invitation.email},
                _("Buka email itu di HP Anda dan ikuti tautannya (berlaku sampai %(date)s).") % {"date": until},
            ]
        )

    @property
    def whatsapp_url(self) -> str:
        phone = _whatsapp_number(self.invitation.phone or (self.invitation.user.phone if self.invitation.user else ""))
        return f"https://wa.me/{phone}?text={quote(self.share_text)}"


def _whatsapp_number(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


def _issue(
    *,
    library: Library | None,
    created_by: User | None,
    user: User | None = None,
    email: str = "",
    role: str = "",
    title: str = "",
    region: Region | None = None,
    new_account: bool = False,
    name: str = "",
    phone: str = "",
) -> IssuedInvitation:
    token = secrets.token_urlsafe(24)
    invitation = Invitation.objects.create(
        user=user,
        email=email,
        library=library,
        role=role,
        title=title,
        region=region,
        new_account=new_account,
        name=name,
        phone=phone,
        token_hash=Invitation.hash_token(token),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit_change(
        actor=created_by,
        action=AuditAction.INVITE,
        target=invitation,
        changes={"email": [None, email or None], "peran": [None, _role_text(role) or None]},
        library_id=library.pk if library else None,
        region_code=region.code if region else (library.region_id if library else None),
    )
    return issued_with_email(IssuedInvitation(invitation=invitation, token=token))


def issued_with_email(issued: IssuedInvitation) -> IssuedInvitation:
    if issued.invitation.email:
        transaction.on_commit(lambda: invitation_send_email(issued=issued))
    return issued


def _role_text(role: str) -> str:
    return str(Role(role).label) if role else ""


@transaction.atomic
def manager_invite(
    *, library: Library, created_by: User | None, email: str = "", name: str = "", phone: str = ""
) -> IssuedInvitation:
    """Invite a manager for a library.

    Without an email the link is open: it is shown to the facilitator to send by WhatsApp, and whoever
    opens it first becomes the manager. With an email the link goes only to that address, and the answer
    is the same whether the address has an account or not: a facilitator learns nothing about accounts
    outside their area, and no existing account is created, changed or given a role until its owner
    signs in with their own password and accepts.
    """
    return _issue(
        library=library,
        created_by=created_by,
        email=email.strip().lower(),
        role=Role.MANAGER,
        name=name.strip(),
        phone=phone.strip(),
    )


def role_offer(
    *,
    user: User,
    role: str,
    created_by: User | None,
    title: str = "",
    region: Region | None = None,
    library: Library | None = None,
) -> IssuedInvitation:
    """Offer an existing account a role (account import): granted only when its owner signs in and accepts."""
    return _issue(
        user=user,
        email=user.email,
        role=role,
        title=title,
        region=region,
        library=library,
        created_by=created_by,
        name=user.full_name,
        phone=user.phone,
    )


def user_invite(*, user: User, created_by: User | None) -> IssuedInvitation:
    """The activation link of an account this system has just created and nobody has used yet."""
    if user.has_usable_password() or user.last_login is not None:
        raise ValidationError(_("Akun ini sudah aktif: pemiliknya masuk dengan kata sandinya sendiri."))
    return _issue(
        user=user,
        email=user.email,
        new_account=True,
        library=None,
        created_by=created_by,
        name=user.full_name,
        phone=user.phone,
    )


def invitation_send_email(*, issued: IssuedInvitation) -> None:
    """Mail the link to the invitation's address; an account holder is told to sign in, not to set a password."""
    invitation = issued.invitation
    if not invitation.email:
        return
    holder = User.objects.filter(email=invitation.email).first()
    if holder is not None and not holder.is_active:
        return
    message = issued.message
    if holder is not None and not invitation.new_account:
        message += "\n" + _("Email ini sudah punya akun SIM TPBIS: masuk dengan kata sandi Anda untuk menerima.")
    send_mail(
        subject=_("Undangan SIM TPBIS"),
        message=message,
        from_email=None,
        recipient_list=[invitation.email],
        fail_silently=True,  # the facilitator can always issue an open link for WhatsApp instead
    )


def invitation_get_usable(*, token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("user", "library", "region")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    if invitation.user is not None and not invitation.user.is_active:
        return None
    return invitation


class InvitationMode:
    """What the link's page offers the person who opened it."""

    SET_PASSWORD = "set_password"  # activation of an account this system created, never used
    SIGNUP = "signup"  # create a new manager account (open link, or an email without an account)
    LOGIN = "login"  # the invited account exists: sign in with its own password first
    ACCEPT = "accept"  # signed in as the invited person: one button adds the role
    WRONG_ACCOUNT = "wrong_account"  # signed in as somebody else


def invitation_mode(*, invitation: Invitation, user: User | None) -> str:
    invited = _invited_account(invitation)
    if user is not None and user.is_authenticated:
        if invited is not None and invited.pk != user.pk:
            return InvitationMode.WRONG_ACCOUNT
        if invited is None and invitation.email and invitation.email != user.email:
            return InvitationMode.WRONG_ACCOUNT
        return InvitationMode.ACCEPT
    if invited is None:
        return InvitationMode.SIGNUP
    if invitation.new_account and _never_used(invited):
        return InvitationMode.SET_PASSWORD
    return InvitationMode.LOGIN


def _invited_account(invitation: Invitation) -> User | None:
    if invitation.user is not None:
        return invitation.user
    if invitation.email:
        return User.objects.filter(email=invitation.email).first()
    return None


def _never_used(user: User) -> bool:
    return not user.has_usable_password() and user.last_login is None


def _locked_usable(invitation: Invitation) -> Invitation:
    if invitation.library_id is not None:
        # One manager account per library from its links: two links opened at once queue here.
        Library.objects.select_for_update().filter(pk=invitation.library_id).first()
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_usable:
        raise ValidationError(_("Tautan aktivasi ini sudah dipakai atau kedaluwarsa."))
    return locked


def invitation_refused(*, invitation: Invitation) -> None:
    """Count a refused sign-up through the link (outside the refused transaction, so it sticks)."""
    Invitation.objects.filter(pk=invitation.pk).update(failed_attempts=F("failed_attempts") + 1)


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, password: str, email: str = "", full_name: str = "", phone: str = ""
) -> User:
    """Sign-up through the link: create the invited manager account, or set the first password of an
    account this system created for the person. Never touches any other existing account."""
    invitation = _locked_usable(invitation)
    invited = _invited_account(invitation)
    if invited is None:
        email = (invitation.email or email).strip().lower()
        if User.objects.filter(email=email).exists():
            raise ValidationError(
                {"email": _("Email ini sudah terdaftar. Masuk dengan kata sandi akun itu untuk menerima undangan.")}
            )
        user = User.objects.create_user(email, password, full_name=full_name.strip(), phone=phone.strip())
        audit_change(actor=user, action=AuditAction.CREATE, target=user, changes={"email": [None, email]})
    elif invitation.new_account and _never_used(invited):
        user = invited
        user.set_password(password)
        user.full_name = full_name.strip() or user.full_name
        user.phone = phone.strip() or user.phone
        user.save()
        audit_change(actor=user, action=AuditAction.ACCOUNT_ACTIVATE, target=user)
    else:
        raise ValidationError(_("Akun ini sudah ada. Masuk dengan kata sandinya untuk menerima undangan."))
    _grant(invitation=invitation, user=user)
    return user


@transaction.atomic
def invitation_join(*, invitation: Invitation, user: User) -> Membership | None:
    """A signed-in person accepts the invitation's role for their own account."""
    invitation = _locked_usable(invitation)
    if invitation_mode(invitation=invitation, user=user) != InvitationMode.ACCEPT:
        raise ValidationError(_("Undangan ini untuk akun lain."))
    return _grant(invitation=invitation, user=user)


def _grant(*, invitation: Invitation, user: User) -> Membership | None:
    membership = None
    if invitation.role:
        membership, created = Membership.objects.get_or_create(
            user=user,
            role=invitation.role,
            region=invitation.region,
            library=invitation.library,
            defaults={"title": invitation.title},
        )
        if created:
            audit_change(
                actor=user,
                action=AuditAction.ROLE_ADD,
                target=membership,
                changes={"peran": [None, str(membership)]},
                comment=_("Lewat undangan dari %(who)s") % {"who": invitation.created_by or _("sistem")},
            )
    now = timezone.now()
    invitation.accepted_at = now
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    audit_change(actor=user, action=AuditAction.INVITE_ACCEPT, target=invitation)
    # Other links for the same person, and the library's other open manager links, are now pointless or
    # dangerous (two open links gave two manager accounts): close them so none can be used. A link sent
    # to a named address stays: a library may have more than one manager on purpose.
    others = Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).exclude(pk=invitation.pk)
    stale = Q(user=user) | Q(email=user.email)
    if invitation.library_id is not None and invitation.role == Role.MANAGER:
        stale |= Q(library_id=invitation.library_id, role=Role.MANAGER, email="", user__isnull=True)
    for other in others.filter(stale):
        other.revoked_at = now
        other.save(update_fields=["revoked_at"])
        audit_change(
            actor=user,
            action=AuditAction.INVITE_REVOKE,
            target=other,
            comment=_("Dicabut otomatis: undangan lain sudah diterima."),
        )
    invitation_accepted.send(sender=Invitation, invitation=invitation, user=user)
    return membership
