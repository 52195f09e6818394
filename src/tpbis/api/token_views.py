"""Personal API tokens: list, create (the key is shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tpbis.accounts.models import User
from tpbis.api.tokens import token_create, token_get_for_user, token_list_for_user, token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Nama token"),
        max_length=80,
        help_text=gettext_lazy('Untuk apa token ini, mis. "Dasbor kabupaten".'),
    )
    read_only = forms.TypedChoiceField(
        label=gettext_lazy("Hak akses"),
        choices=[("1", gettext_lazy("Hanya baca")), ("0", gettext_lazy("Baca dan tulis"))],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = token_create(
            user=user, name=form.cleaned_data["name"], read_only=form.cleaned_data["read_only"]
        )
        messages.success(request, _("Token dibuat. Salin sekarang: token ini hanya ditampilkan sekali."))
        form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": token_list_for_user(user=user), "new_key": new_key},
    )


@require_POST
@login_required
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = token_get_for_user(user=_user(request), pk=pk)
    if token is None:
        raise Http404
    token_revoke(token=token, actor=_user(request))
    messages.success(request, _("Token dicabut. Aplikasi yang memakainya tidak bisa masuk lagi."))
    return redirect("api_tokens:list")
