"""Partner registry pages: list, detail, create, edit, deactivate, invite and onboarding."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tpbis.accounts.forms import InviteForm
from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.accounts.services import manager_invite
from tpbis.audit.selectors import audit_for_library, audit_rows
from tpbis.kpi.selectors import score_explained
from tpbis.libraries.first_entry import first_entry_guide
from tpbis.libraries.forms import LibraryFilterForm, LibraryForm
from tpbis.libraries.models import FUNDING_SOURCE_SUGGESTIONS, AccountStatus, Library
from tpbis.libraries.onboarding import qr_svg
from tpbis.libraries.selectors import (
    LibraryFilters,
    account_status_by_region,
    account_status_counts,
    library_get_for_user,
    library_list_for_user,
)
from tpbis.libraries.services import library_create, library_set_active, library_update
from tpbis.regions.models import Level, Region
from tpbis.regions.selectors import region_ancestors, region_get_by_code
from tpbis.reports.selectors import returned_for_library

PAGE_SIZE = 50
QR_SHEET_LIMIT = 400
HISTORY_SHOWN = 100


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _get_library(request: HttpRequest, pk: int, minimum: str = Role.MANAGER) -> Library:
    """The library in the user's scope (404 otherwise) on which they hold at least `minimum` (403 otherwise)."""
    scope = _scope(request)
    library = library_get_for_user(scope=scope, pk=pk)
    role = scope.role_for_library(library_id=library.pk, region_code=library.region_id)
    if not Scope.at_least(role, minimum):
        raise PermissionDenied
    return library


def _require_role(request: HttpRequest, minimum: str) -> Scope:
    scope = _scope(request)
    if not Scope.at_least(scope.highest_role, minimum):
        raise PermissionDenied
    return scope


@login_required
def library_list(request: HttpRequest) -> HttpResponse:
    scope = _require_role(request, Role.MANAGER)
    form = LibraryFilterForm(request.GET or None)
    filters = form.filters() if request.GET else LibraryFilters()
    if filters.region and not scope.covers_region(filters.region) and not scope.national:
        raise Http404
    libraries = library_list_for_user(scope=scope, filters=filters)
    page = Paginator(libraries, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = account_status_counts(qs=library_list_for_user(scope=scope, filters=_without_status(filters)))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "libraries/list.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "query": query.urlencode(),
            "can_create": Scope.at_least(scope.highest_role, Role.PROVINCE),
        },
    )


def _without_status(filters: LibraryFilters) -> LibraryFilters:
    """The same filters minus the account status, so the status counts show every status."""
    return LibraryFilters(**{**filters.__dict__, "account_status": None})


@login_required
def library_detail(request: HttpRequest, pk: int) -> HttpResponse:
    library = _get_library(request, pk)
    scope = _scope(request)
    role = scope.role_for_library(library_id=library.pk, region_code=library.region_id)
    managers = library.memberships.filter(role=Role.MANAGER).select_related("user").order_by("user__email")
    returned = returned_for_library(library_id=library.pk)
    explained = score_explained(library=library) if library.is_active else None
    return render(
        request,
        "libraries/detail.html",
        {
            "library": library,
            "region_chain": region_ancestors(region=library.region),
            "managers": managers,
            "can_edit": Scope.at_least(role, Role.FACILITATOR),
            "can_invite": Scope.at_least(role, Role.FACILITATOR),
            "can_deactivate": Scope.at_least(role, Role.PROVINCE),
            "returned": returned,
            "explained": explained,
            "history": audit_rows(audit_for_library(library_id=library.pk)[:HISTORY_SHOWN], page_about=library),
            "first_entry": first_entry_guide(user=_user(request), library=library, role=role),
        },
    )


@login_required
def library_create_view(request: HttpRequest) -> HttpResponse:
    scope = _require_role(request, Role.PROVINCE)
    initial = {}
    if code := request.GET.get("wilayah"):
        initial["region"] = code
    form = LibraryForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        region: Region = form.cleaned_data["region"]
        if not Scope.at_least(scope.role_for_region(region.code), Role.PROVINCE):
            form.add_error("region", _("Wilayah ini di luar wilayah kerja Anda."))
        else:
            try:
                library = library_create(actor=_user(request), **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _('Perpustakaan "%(name)s" terdaftar.') % {"name": library.name})
                return redirect("libraries:detail", pk=library.pk)
    return render(
        request, "libraries/form.html", {"form": form, "suggestions": FUNDING_SOURCE_SUGGESTIONS, "library": None}
    )


@login_required
def library_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    library = _get_library(request, pk, Role.FACILITATOR)
    scope = _scope(request)
    form = LibraryForm(request.POST if request.method == "POST" else None, instance=Library.objects.get(pk=library.pk))
    if request.method == "POST" and form.is_valid():
        region: Region = form.cleaned_data["region"]
        if not Scope.at_least(scope.role_for_region(region.code), Role.FACILITATOR):
            form.add_error("region", _("Wilayah ini di luar wilayah kerja Anda."))
        else:
            try:
                with transaction.atomic():
                    fresh = Library.objects.select_for_update().get(pk=library.pk)
                    changed = library_update(library=fresh, actor=_user(request), **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if changed:
                    messages.success(request, _("Perubahan disimpan."))
                else:
                    messages.info(request, _("Tidak ada yang berubah."))
                return redirect("libraries:detail", pk=library.pk)
    return render(
        request, "libraries/form.html", {"form": form, "suggestions": FUNDING_SOURCE_SUGGESTIONS, "library": library}
    )


def _add_errors(form: LibraryForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_POST
@login_required
def library_set_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    library = _get_library(request, pk, Role.PROVINCE)
    active = request.POST.get("active") == "1"
    library_set_active(library=library, active=active, actor=_user(request))
    if active:
        messages.success(request, _("Perpustakaan diaktifkan kembali."))
    else:
        messages.success(request, _("Perpustakaan dinonaktifkan. Datanya tetap tersimpan."))
    return redirect("libraries:detail", pk=library.pk)


@login_required
def library_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    library = _get_library(request, pk, Role.FACILITATOR)
    if not library.is_active:
        messages.error(request, _("Perpustakaan nonaktif tidak bisa diundang."))
        return redirect("libraries:detail", pk=library.pk)
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        initial={"name": library.contact_name, "phone": library.contact_phone, "email": library.contact_email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            issued = manager_invite(library=library, created_by=_user(request), **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return render(request, "libraries/invite_done.html", {"library": library, "issued": issued})
    return render(request, "libraries/invite.html", {"library": library, "form": form})


def _browsed_region(request: HttpRequest, scope: Scope) -> Region | None:
    """The region named by ?wilayah= (404 outside the user's scope), else the user's single area."""
    code = request.GET.get("wilayah") or request.POST.get("wilayah")
    if code:
        region = region_get_by_code(code=code)
        if region is None or region.level > Level.DISTRICT or not scope.covers_region(region.code):
            raise Http404
        return region
    if scope.national:
        return None
    areas = sorted(scope.provinces) + sorted(scope.regencies)
    if len(areas) == 1:
        return Region.objects.get(code=areas[0])
    return None


@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    """Account status of partners per child region, and the libraries still without an account."""
    scope = _require_role(request, Role.FACILITATOR)
    region = _browsed_region(request, scope)
    rows = account_status_by_region(scope=scope, parent_code=region.code if region else None)
    names = Region.objects.in_bulk([row["code"] for row in rows])
    for row in rows:
        row["region"] = names.get(row["code"])
    filters = LibraryFilters(region=region.code if region else None, account_status=AccountStatus.NONE.value)
    without = library_list_for_user(scope=scope, filters=filters)
    counts = account_status_counts(
        qs=library_list_for_user(scope=scope, filters=LibraryFilters(region=region.code if region else None))
    )
    return render(
        request,
        "libraries/onboarding.html",
        {
            "region": region,
            "region_chain": region_ancestors(region=region) if region else [],
            "rows": rows,
            "counts": counts,
            "without": without[:50],
            "without_total": counts[AccountStatus.NONE.value]["count"],
            "can_print_sheet": region is not None and region.level == Level.REGENCY,
        },
    )


@require_POST
@login_required
def qr_sheet(request: HttpRequest) -> HttpResponse:
    """Create one open activation link per library without an account in a kabupaten/kota, as QR cards."""
    scope = _require_role(request, Role.FACILITATOR)
    region = _browsed_region(request, scope)
    if region is None or region.level != Level.REGENCY:
        raise Http404
    filters = LibraryFilters(region=region.code, account_status=AccountStatus.NONE.value)
    libraries = list(library_list_for_user(scope=scope, filters=filters)[:QR_SHEET_LIMIT])
    user = _user(request)
    with transaction.atomic():
        issued = [manager_invite(library=library, created_by=user) for library in libraries]
    cards = [{"library": i.invitation.library, "issued": i, "svg": qr_svg(i.url)} for i in issued]
    return render(request, "libraries/qr_sheet.html", {"region": region, "cards": cards, "limit": QR_SHEET_LIMIT})
