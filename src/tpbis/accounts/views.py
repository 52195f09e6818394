"""Home page and account activation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tpbis.accounts.forms import ActivationForm
from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.accounts.services import (
    InvitationMode,
    invitation_accept,
    invitation_get_usable,
    invitation_join,
    invitation_mode,
    invitation_refused,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Managers land on their library; facilitators and above on the work list of their area."""
    scope: Scope = request.scope  # type: ignore[attr-defined]
    role = scope.highest_role
    if role == Role.MANAGER and len(scope.libraries) == 1:
        return redirect("libraries:detail", pk=next(iter(scope.libraries)))
    if role is None:
        return render(request, "accounts/no_role.html", status=403)
    # A manager of several libraries (staff who run two reading gardens) picks one from their list.
    return redirect("worklists:home" if Scope.at_least(role, Role.FACILITATOR) else "libraries:list")


@never_cache
def activate(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind an invitation link: sign up, set a first password, or sign in and accept."""
    invitation = invitation_get_usable(token=token)
    if invitation is None:
        return render(request, "accounts/activation_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None
    mode = invitation_mode(invitation=invitation, user=user)
    context: dict[str, object] = {"invitation": invitation, "mode": mode, "login_url": _login_url(request)}
    if mode in (InvitationMode.ACCEPT, InvitationMode.WRONG_ACCOUNT, InvitationMode.LOGIN):
        if mode == InvitationMode.ACCEPT and request.method == "POST":
            try:
                invitation_join(invitation=invitation, user=request.user)  # type: ignore[arg-type]
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Undangan diterima. Peran baru sudah ada di akun Anda."))
                return redirect("home")
        return render(request, "accounts/activate.html", context, status=403 if mode == "wrong_account" else 200)
    form = ActivationForm(request.POST if request.method == "POST" else None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                email=form.cleaned_data.get("email", ""),
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data.get("phone", ""),
            )
        except ValidationError as error:
            invitation_refused(invitation=invitation)
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            login(request, user, backend="tpbis.accounts.backends.EmailBackend")
            messages.success(request, _("Akun Anda aktif. Selamat datang di SIM TPBIS!"))
            return redirect("home")
    context["form"] = form
    return render(request, "accounts/activate.html", context)


def _login_url(request: HttpRequest) -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"
