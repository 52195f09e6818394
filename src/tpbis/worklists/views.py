"""Work lists: what waits for a facilitator (or a provincial or national officer) in their area."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.worklists.forms import SilentDaysForm
from tpbis.worklists.registry import worklist_extra_sections
from tpbis.worklists.sections import (
    record_item,
    returned_ago,
    returned_section,
    silent_note,
    silent_section,
    verify_section,
    without_account_section,
)
from tpbis.worklists.selectors import libraries_silent, returned_uncorrected, work_items

PAGE_SIZE = 30


def _facilitator_scope(request: HttpRequest) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    return scope


def _days_form(request: HttpRequest) -> SilentDaysForm:
    return SilentDaysForm(request.GET if "hari" in request.GET else None)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = _facilitator_scope(request)
    form = _days_form(request)
    sections = [
        verify_section(scope=scope, user_id=int(request.user.pk or 0)),
        without_account_section(scope=scope),
        silent_section(scope=scope, days=form.days()),
        returned_section(scope=scope),
        *worklist_extra_sections(request),
    ]
    return render(request, "worklists/home.html", {"sections": sections, "form": form})


@login_required
def silent(request: HttpRequest) -> HttpResponse:
    scope = _facilitator_scope(request)
    form = _days_form(request)
    days = form.days()
    page = Paginator(libraries_silent(scope=scope, days=days), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(library, silent_note(library)) for library in page]
    return render(request, "worklists/silent.html", {"page": page, "rows": rows, "days": days, "form": form})


@login_required
def returned(request: HttpRequest) -> HttpResponse:
    scope = _facilitator_scope(request)
    page = Paginator(returned_uncorrected(scope=scope), PAGE_SIZE).get_page(request.GET.get("page"))
    items = [record_item(item, age_text=returned_ago(item.age_days)) for item in work_items(page.object_list)]
    return render(request, "worklists/returned.html", {"page": page, "items": items})
