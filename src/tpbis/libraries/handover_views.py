"""Pages of the manager hand-over (*serah terima*) and of the new manager's first-entry guide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.accounts.tips import tip_dismiss
from tpbis.libraries.first_entry import FIRST_ENTRY_TIP
from tpbis.libraries.handover import library_handover, library_managers
from tpbis.libraries.models import Library
from tpbis.libraries.selectors import library_get_for_user

INVITE_EMAIL = "email"
INVITE_LINK = "link"
INVITE_NONE = "none"


class HandoverForm(forms.Form):
    """Whose access ends, why, and how the successor is invited (by email, by a WhatsApp link, or not at all)."""

    old_user = forms.TypedChoiceField(label=gettext_lazy("Pengelola yang diganti"), coerce=int)
    comment = forms.CharField(
        label=gettext_lazy("Alasan"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Contoh: pindah tugas ke kantor kecamatan. Tercatat di riwayat perpustakaan."),
    )
    invite = forms.ChoiceField(
        label=gettext_lazy("Pengelola baru"),
        widget=forms.RadioSelect,
        choices=[
            (INVITE_LINK, gettext_lazy("Buat tautan undangan untuk dikirim lewat WhatsApp")),
            (INVITE_EMAIL, gettext_lazy("Kirim undangan ke email pengelola baru")),
            (INVITE_NONE, gettext_lazy("Belum ada: akhiri akses saja, tanpa undangan")),
        ],
    )
    name = forms.CharField(label=gettext_lazy("Nama pengelola baru"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("Email pengelola baru"), required=False)
    phone = forms.CharField(label=gettext_lazy("Nomor HP/WhatsApp pengelola baru"), max_length=30, required=False)

    def __init__(self, *args: Any, managers: list[User], former: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(u.pk, f"{u.get_full_name()} ({u.email})") for u in managers]
        if former is not None:
            # Chosen on a page opened before someone else ended their access: the service says who did.
            choices.append((former.pk, _("(sudah bukan pengelola)")))
        field = self.fields["old_user"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("invite") == INVITE_EMAIL and not data.get("email"):
            self.add_error("email", _("Isi email pengelola baru, atau pilih tautan WhatsApp."))
        return data

    def new_email(self) -> str | None:
        """None: invite nobody; "": an open link; otherwise the address to send the link to."""
        invite = self.cleaned_data["invite"]
        if invite == INVITE_NONE:
            return None
        return self.cleaned_data["email"] if invite == INVITE_EMAIL else ""


def _library_for(request: HttpRequest, pk: int, minimum: str) -> Library:
    """The library in the user's scope (404 otherwise) on which they hold at least `minimum` (403 otherwise)."""
    scope: Scope = request.scope  # type: ignore[attr-defined]
    library = library_get_for_user(scope=scope, pk=pk)
    if not Scope.at_least(scope.role_for_library(library_id=library.pk, region_code=library.region_id), minimum):
        raise PermissionDenied
    return library


@login_required
def handover_view(request: HttpRequest, pk: int) -> HttpResponse:
    library = _library_for(request, pk, Role.FACILITATOR)
    managers = [m.user for m in library_managers(library_id=library.pk)]
    ending_only = request.GET.get("aksi") == "akhiri" or not library.is_active
    initial = {"old_user": request.GET.get("pengelola"), "invite": INVITE_NONE if ending_only else INVITE_LINK}
    former = _former_manager(request, managers) if request.method == "POST" else None
    form = HandoverForm(
        request.POST if request.method == "POST" else None, initial=initial, managers=managers, former=former
    )
    if request.method == "POST" and form.is_valid():
        old_user = next(u for u in [*managers, former] if u is not None and u.pk == form.cleaned_data["old_user"])
        assert isinstance(request.user, User)
        try:
            result = library_handover(
                library=library,
                actor=request.user,
                old_user=old_user,
                new_email=form.new_email(),
                comment=form.cleaned_data["comment"].strip(),
                new_name=form.cleaned_data["name"],
                new_phone=form.cleaned_data["phone"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            ended = _("Akses %(name)s ke perpustakaan ini sudah diakhiri.") % {"name": old_user.get_full_name()}
            messages.success(request, ended)
            if result.issued is not None:
                return render(request, "libraries/invite_done.html", {"library": library, "issued": result.issued})
            return redirect("libraries:detail", pk=library.pk)
    return render(request, "libraries/handover.html", {"library": library, "form": form, "managers": managers})


def _former_manager(request: HttpRequest, managers: list[User]) -> User | None:
    """The posted person when they are no longer among the managers (their access ended meanwhile)."""
    posted = request.POST.get("old_user", "")
    if not posted.isdigit() or any(u.pk == int(posted) for u in managers):
        return None
    return User.objects.filter(pk=int(posted)).first()


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_POST
@login_required
def first_entry_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the first-entry guide for good (for this person, on every device)."""
    library = _library_for(request, pk, Role.MANAGER)
    assert isinstance(request.user, User)
    tip_dismiss(user=request.user, key=FIRST_ENTRY_TIP)
    return redirect("libraries:detail", pk=library.pk)
