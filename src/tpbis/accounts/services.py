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
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tpbis.accounts.models import Invitation, Membership, Role, User
from tpbis.libraries.models import Library


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its plain token, which exists only here, at creation."""

    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return settings.SITE_URL + reverse("accounts:activate", args=[self.token])

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
    def whatsapp_url(self) -> str:
        phone = _whatsapp_number(self.invitation.phone or (self.invitation.user.phone if self.invitation.user else ""))
        return f"https://wa.me/{phone}?text={quote(self.message)}"


def _whatsapp_number(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


def _issue(
    *, user: User | None, library: Library | None, name: str, phone: str, created_by: User | None
) -> IssuedInvitation:
    token = secrets.token_urlsafe(24)
    invitation = Invitation.objects.create(
        user=user,
        library=library,
        name=name,
        phone=phone,
        token_hash=Invitation.hash_token(token),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    return IssuedInvitation(invitation=invitation, token=token)


@transaction.atomic
def manager_invite(
    *, library: Library, created_by: User | None, email: str = "", name: str = "", phone: str = ""
) -> IssuedInvitation:
    """Invite a manager for a library.

    With an email the account is created now (status: invited) and the link is emailed; without one
    the link stays open and whoever opens it first creates the manager account.
    """
    email = email.strip().lower()
    user = None
    if email:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, full_name=name.strip(), phone=phone.strip())
        elif not user.is_active:
            raise ValidationError({"email": _("Akun dengan email ini dinonaktifkan. Hubungi tim nasional.")})
        Membership.objects.get_or_create(user=user, role=Role.MANAGER, library=library)
    issued = _issue(user=user, library=library, name=name.strip(), phone=phone.strip(), created_by=created_by)
    if user is not None:
        transaction.on_commit(lambda: invitation_send_email(issued=issued))
    return issued


def user_invite(*, user: User, created_by: User | None) -> IssuedInvitation:
    """A fresh activation link for an existing user who has not signed in yet."""
    issued = _issue(user=user, library=None, name=user.full_name, phone=user.phone, created_by=created_by)
    transaction.on_commit(lambda: invitation_send_email(issued=issued))
    return issued


def invitation_send_email(*, issued: IssuedInvitation) -> None:
    user = issued.invitation.user
    if user is None or not user.email:
        return
    send_mail(
        subject=_("Undangan SIM TPBIS"),
        message=issued.message,
        from_email=None,
        recipient_list=[user.email],
        fail_silently=True,  # the link is also shown to the facilitator, so a mail outage blocks nobody
    )


def invitation_get_usable(*, token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("user", "library").filter(token_hash=Invitation.hash_token(token)).first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    if invitation.user is not None and not invitation.user.is_active:
        return None
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, password: str, email: str = "", full_name: str = "", phone: str = ""
) -> User:
    """Activate: set the password (creating the manager account for an open invitation) and close the link."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(_("Tautan aktivasi ini sudah dipakai atau kedaluwarsa."))
    user = invitation.user
    if user is None:
        email = email.strip().lower()
        if User.objects.filter(email=email).exists():
            raise ValidationError(
                {"email": _("Email ini sudah terdaftar. Masuk dengan email itu, atau pakai email lain.")}
            )
        user = User.objects.create_user(email, password, full_name=full_name.strip(), phone=phone.strip())
        assert invitation.library is not None
        Membership.objects.create(user=user, role=Role.MANAGER, library=invitation.library)
    else:
        user.set_password(password)
        if full_name.strip():
            user.full_name = full_name.strip()
        if phone.strip():
            user.phone = phone.strip()
        user.save()
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    # Other links sent to the same person are now pointless; close them so none can be reused.
    Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return user
