"""The search page (*pencarian*): one box in the header, results grouped by kind."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tpbis.accounts.scope import Scope
from tpbis.search.forms import SearchForm
from tpbis.search.selectors import search_for_user


@require_GET
@login_required
def results(request: HttpRequest) -> HttpResponse:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    form = SearchForm(request.GET) if "q" in request.GET else SearchForm()
    groups = search_for_user(scope=scope, text=form.cleaned_data["q"]) if form.is_bound and form.is_valid() else []
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "groups": [group for group in groups if group.hits],
            "searched": bool(form.is_bound and form.is_valid()),
        },
    )
