"""The review list of likely duplicates (`/duplikat/`): facilitators and above, within their area."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.duplicates.forms import DismissForm, MergeForm, PairFilterForm
from tpbis.duplicates.models import DuplicateKind, DuplicateStatus
from tpbis.duplicates.selectors import (
    PairFilters,
    pair_get_for_user,
    pair_history,
    pair_list_for_user,
    pair_rows,
    pair_view,
    region_get_for_user,
)
from tpbis.duplicates.services import pair_dismiss, pair_merge

PAGE_SIZE = 30


def _reviewer(request: HttpRequest) -> tuple[Scope, User]:
    """The reviewer's area (not libraries they manage); 403 below facilitator."""
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    assert isinstance(request.user, User)
    return Scope(national=scope.national, provinces=scope.provinces, regencies=scope.regencies), request.user


@login_required
def pair_list(request: HttpRequest) -> HttpResponse:
    scope, _user = _reviewer(request)
    form = PairFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    region = region_get_for_user(scope=scope, code=data["wilayah"]) if data.get("wilayah") else None
    filters = PairFilters(
        status=data.get("status") or DuplicateStatus.OPEN,
        kind=data.get("jenis") or "",
        region=region.code if region else "",
    )
    page = Paginator(pair_list_for_user(scope=scope, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "duplicates/list.html",
        {
            "form": form,
            "region": region,
            "done": filters.status == "done",
            "page": page,
            "rows": pair_rows(list(page)),
            "query": query.urlencode(),
        },
    )


@login_required
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, _user = _reviewer(request)
    pair = pair_get_for_user(scope=scope, pk=pk)
    return _detail(request, pair_pk=pair.pk, scope=scope)


def _detail(
    request: HttpRequest,
    *,
    pair_pk: int,
    scope: Scope,
    dismiss_form: DismissForm | None = None,
    merge_form: MergeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    pair = pair_get_for_user(scope=scope, pk=pair_pk)
    return render(
        request,
        "duplicates/detail.html",
        {
            "row": pair_view(pair),
            "is_library": pair.kind == DuplicateKind.LIBRARY,
            "history": pair_history(pair),
            "dismiss_form": dismiss_form or DismissForm(),
            "merge_form": merge_form or MergeForm(initial={"keep": "first"}),
        },
        status=status,
    )


@require_POST
@login_required
def pair_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    scope, user = _reviewer(request)
    pair = pair_get_for_user(scope=scope, pk=pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _detail(request, pair_pk=pair.pk, scope=scope, dismiss_form=form, status=400)
    try:
        pair_dismiss(pair=pair, user=user, comment=form.cleaned_data["comment"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("duplicates:detail", pair.pk)
    messages.success(request, _("Ditandai bukan duplikat; pasangan ini tidak akan diusulkan lagi."))
    return redirect("duplicates:list")


@require_POST
@login_required
def pair_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    scope, user = _reviewer(request)
    pair = pair_get_for_user(scope=scope, pk=pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _detail(request, pair_pk=pair.pk, scope=scope, merge_form=form, status=400)
    try:
        pair_merge(pair=pair, user=user, keep=form.cleaned_data["keep"], comment=form.cleaned_data["comment"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("duplicates:detail", pair.pk)
    if pair.kind == DuplicateKind.LIBRARY:
        messages.success(request, _("Perpustakaan digabung: laporan dan akun pindah, yang lain dinonaktifkan."))
    else:
        messages.success(request, _("Laporan duplikatnya ditarik; laporan yang dipertahankan tetap dihitung."))
    return redirect("duplicates:list")
