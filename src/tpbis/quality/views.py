"""Data-quality pages: flags of a region ranked by how far they lie, their follow-up, and the settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.quality.forms import FlagFilterForm, FollowUpForm, OutlierSettingsForm
from tpbis.quality.selectors import flag_get_for_user, flag_text, flags_for_user, quality_region_for_user
from tpbis.quality.services import FlagConflict, flag_follow_up, outlier_settings_get, outlier_settings_update
from tpbis.regions.codes import normalize_code

PAGE_SIZE = 30


def _facilitator(request: HttpRequest) -> tuple[Scope, User]:
    """The user's area as a verifier sees it (not the libraries they manage); 403 below facilitator."""
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    assert isinstance(request.user, User)
    return Scope(national=scope.national, provinces=scope.provinces, regencies=scope.regencies), request.user


@login_required
def flag_list(request: HttpRequest) -> HttpResponse:
    scope, _user = _facilitator(request)
    form = FlagFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    chosen = data.get("wilayah")
    raw = chosen.code if chosen else normalize_code(request.GET.get("wilayah") or None)
    region = quality_region_for_user(scope=scope, code=raw)
    page = Paginator(
        flags_for_user(scope=scope, region_code=region.code, status=data.get("status") or None), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "quality/flags.html",
        {
            "form": form,
            "region": region,
            "page": page,
            "rows": [(flag, flag_text(flag), FollowUpForm(initial={"seen": flag.version})) for flag in page],
            "first_rank": (page.number - 1) * PAGE_SIZE + 1,
            "query": query.urlencode(),
            "can_configure": scope.national,
        },
    )


@require_POST
@login_required
def flag_mark(request: HttpRequest, pk: int) -> HttpResponse:
    scope, user = _facilitator(request)
    flag = flag_get_for_user(scope=scope, pk=pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih tindak lanjut, lalu simpan lagi."))
    else:
        try:
            flag_follow_up(
                flag=flag,
                user=user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                seen_version=form.cleaned_data["seen"],
            )
        except FlagConflict as conflict:
            messages.error(request, " ".join(conflict.messages))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Tindak lanjut tersimpan."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("quality:flags")
    return redirect(f"{target}#f{flag.pk}" if "#" not in target else target)


@login_required
def outlier_settings(request: HttpRequest) -> HttpResponse:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not scope.national:
        raise PermissionDenied
    assert isinstance(request.user, User)
    current, bounds = outlier_settings_get()
    form = OutlierSettingsForm(
        request.POST if request.method == "POST" else None, bounds=bounds, initial={"threshold": current.threshold}
    )
    if request.method == "POST" and form.is_valid():
        try:
            outlier_settings_update(user=request.user, threshold=form.cleaned_data["threshold"], bounds=form.bounds())
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Pengaturan tersimpan. Tanda pencilan dihitung ulang sebentar lagi."))
            return redirect("quality:settings")
    return render(request, "quality/settings.html", {"form": form, "current": current})
