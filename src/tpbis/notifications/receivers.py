"""Receivers of lower apps' signals that become notifications (accounts cannot import this app)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tpbis.accounts.models import Invitation, User
from tpbis.accounts.signals import invitation_accepted
from tpbis.notifications.models import Kind
from tpbis.notifications.services import notify


@receiver(invitation_accepted, dispatch_uid="notifications.invitation_accepted")
def invitation_accepted_notify(sender: Any, *, invitation: Invitation, user: User, **kwargs: Any) -> None:
    """Tell whoever issued the invitation that it was taken up (not when they accepted it themselves)."""
    inviter = invitation.created_by
    if inviter is None or not inviter.is_active or inviter.pk == user.pk:
        return
    library = invitation.library
    with translation.override(settings.LANGUAGE_CODE):
        role = str(invitation.get_role_display()) if invitation.role else ""
        values = {"who": user.get_full_name(), "role": role, "library": library.name if library else ""}
        if library is not None:
            title = _("%(who)s menerima undangan untuk %(library)s") % values
        else:
            title = _("%(who)s menerima undangan SIM TPBIS") % values
        body = _("%(who)s kini masuk sebagai %(role)s.") % values if role else ""
    notify(
        recipient=inviter,
        kind=Kind.INVITATION_ACCEPTED,
        title=title,
        body=body,
        url=reverse("libraries:detail", args=[library.pk]) if library is not None else "",
        dedupe_key=f"invitation:{invitation.pk}",
        library_id=library.pk if library is not None else None,
    )
