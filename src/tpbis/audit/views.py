"""The national team's audit page: every change to shared data, filtered and paginated."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tpbis.audit.forms import AuditFilterForm
from tpbis.audit.selectors import AuditFilters, audit_list, audit_rows

PAGE_SIZE = 50


@login_required
def audit_page(request: HttpRequest) -> HttpResponse:
    # The scope comes from the accounts middleware; read as data so this low app imports nothing above it.
    if not getattr(getattr(request, "scope", None), "national", False):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if request.GET else AuditFilters()
    page = Paginator(audit_list(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "rows": audit_rows(page.object_list), "query": query.urlencode()},
    )
