"""The region picker: an htmx endpoint returning matching regions as options."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tpbis.regions.selectors import region_search


@require_GET
@login_required
def region_search_view(request: HttpRequest) -> HttpResponse:
    """Regions matching `q` (a name fragment or a code), optionally one `level` and `within` a region."""
    query = (request.GET.get("q") or request.GET.get("picker_q") or "")[:100]
    level_raw = request.GET.get("level", "")
    level = int(level_raw) if level_raw in {"1", "2", "3", "4"} else None
    within = request.GET.get("within", "")[:13] or None
    results = region_search(query=query, level=level, within=within)
    return render(
        request,
        "regions/_search_results.html",
        {"results": results, "query": query, "target": request.GET.get("target", "region")[:40]},
    )
