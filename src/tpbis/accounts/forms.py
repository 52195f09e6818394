"""Forms for signing in, resetting a password and activating an account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from tpbis.accounts.models import Invitation


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email", "inputmode": "email"}),
    )
    error_messages = {
        "invalid_login": _('Email atau kata sandi salah. Periksa lagi, atau pakai "Lupa kata sandi".'),
        "inactive": _("Akun ini dinonaktifkan. Hubungi fasilitator Anda."),
    }


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ActivationForm(forms.Form):
    """Sets the password; for an open library invitation also asks who the manager is."""

    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Nomor HP/WhatsApp"), max_length=30, required=False)
    password1 = forms.CharField(
        label=_("Kata sandi baru"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        user = invitation.user
        if user is not None:
            # The account was created for this person: its email is fixed, name and phone are prefilled.
            del self.fields["email"]
            self.fields["full_name"].initial = user.full_name
            self.fields["phone"].initial = user.phone
        else:
            if invitation.email:
                # The link was sent to this address: the new account takes it.
                del self.fields["email"]
            self.fields["full_name"].initial = invitation.name
            self.fields["phone"].initial = invitation.phone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.invitation.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class InviteForm(forms.Form):
    """A facilitator invites a library's manager; every field is optional."""

    name = forms.CharField(label=_("Nama pengelola"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Email pengelola"),
        required=False,
        help_text=_(
            "Jika diisi, tautan hanya dikirim ke email ini. Kosongkan untuk mendapat tautan yang bisa dikirim "
            "lewat WhatsApp."
        ),
    )
    phone = forms.CharField(label=_("Nomor HP/WhatsApp"), max_length=30, required=False)
