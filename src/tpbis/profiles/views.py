"""Pages of the library profile (*profil perpustakaan*): the yearly form, the list of a region with its
completeness and export, and the JSON of the libraries' map."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.dashboards.selectors import default_region_code
from tpbis.libraries.selectors import library_get_for_user
from tpbis.profiles.forms import ProfileFilterForm, ProfileForm
from tpbis.profiles.models import LibraryProfile
from tpbis.profiles.selectors import (
    library_years,
    map_data_for_user,
    map_json,
    partners_of_year,
    profile_get,
    profile_previous,
    profile_rows_for_user,
    visits_for_library,
)
from tpbis.profiles.services import PROFILE_FIELDS, ProfileConflict, profile_save
from tpbis.regions.codes import normalize_code
from tpbis.regions.models import Region

PAGE_SIZE = 50


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _year(request: HttpRequest, years: list[int]) -> int:
    """?tahun= among the years the library can state a profile for; anything else is the latest."""
    raw = request.GET.get("tahun", "")
    return int(raw) if raw.isdigit() and int(raw) in years else years[0]


def _initial(source: LibraryProfile | None) -> dict[str, Any]:
    if source is None:
        return {}
    initial = {name: getattr(source, name) for name in PROFILE_FIELDS}
    initial["has_internet"] = "1" if source.has_internet else "0"
    return initial


@login_required
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The library's profile of a year: stated by its manager or a facilitator (anyone whose scope covers it)."""
    library = library_get_for_user(scope=_scope(request), pk=pk)
    years = library_years(library=library)
    year = _year(request, years)
    profile = profile_get(library=library, year=year)
    previous = profile_previous(library=library, year=year) if profile is None else None
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=profile or LibraryProfile(library=library, year=year))
        if form.is_valid():
            try:
                profile_save(
                    library=library,
                    year=year,
                    data=form.cleaned_data,
                    seen_version=form.cleaned_data["version"],
                    actor=_user(request),
                )
            except ProfileConflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Profil tahun %(year)s tersimpan.") % {"year": year})
                return redirect(f"{reverse('profiles:edit', args=[library.pk])}?tahun={year}")
    else:
        initial = _initial(profile or previous)
        initial["version"] = profile.version if profile else 0
        form = ProfileForm(instance=profile, initial=initial)
    context = {
        "library": library,
        "year": year,
        "years": years,
        "profile": profile,
        "saved_by": (profile.updated_by.full_name or profile.updated_by.email)
        if profile and profile.updated_by
        else "",
        "previous": previous,
        "visits": visits_for_library(library=library, year=year),
        "form": form,
    }
    return render(request, "profiles/edit.html", context, status=status)


@login_required
@require_safe
def profile_list(request: HttpRequest) -> HttpResponse:
    """Expected libraries of a region and year, with or without a profile, and the share stated."""
    scope = _scope(request)
    if scope.is_empty:
        raise PermissionDenied
    form = ProfileFilterForm(request.GET or None)
    filters = form.filters(scope=scope)
    rows = profile_rows_for_user(scope=scope, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("halaman"))
    stated = Exists(LibraryProfile.objects.filter(library=OuterRef("pk"), year=filters.year))
    totals = partners_of_year(scope=scope, region=filters.region, year=filters.year).aggregate(
        expected=Count("pk"), complete=Count("pk", filter=stated)
    )
    query = request.GET.copy()
    query.pop("halaman", None)
    export_query = {"tahun": filters.year, **({"wilayah": filters.region} if filters.region else {})}
    context = {
        "form": form,
        "filters": filters,
        "region": Region.objects.filter(code=filters.region).first() if filters.region else None,
        "page": page,
        "expected": totals["expected"],
        "complete": totals["complete"],
        "pct": round(100 * totals["complete"] / totals["expected"], 1) if totals["expected"] else 0.0,
        "query": query.urlencode(),
        "can_export": Scope.at_least(scope.highest_role, Role.FACILITATOR),
        "export_query": urlencode(export_query),
    }
    return render(request, "profiles/list.html", context)


@login_required
@require_safe
def map_data(request: HttpRequest) -> JsonResponse:
    """The libraries of a region the user covers as map points with their KPI colour and its label."""
    scope = _scope(request)
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    raw = request.GET.get("wilayah", "").strip()
    code = normalize_code(raw) if raw else default_region_code(scope=scope)
    if raw and code is None:
        raise Http404
    data = map_data_for_user(scope=scope, region_code=code)
    payload = map_json(data, library_url=lambda pk: reverse("libraries:detail", args=[pk]))
    payload["as_of"] = timezone.localdate().isoformat()
    return JsonResponse(payload)
