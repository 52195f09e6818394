"""Help pages (*bantuan*): readable without signing in, since they also explain activation."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from tpbis.accounts.scope import Scope
from tpbis.help.guides import guide_get, guides_for_role

LANGUAGES = ("id", "en")


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    mine, others = guides_for_role(scope.highest_role)
    return render(request, "help/index.html", {"mine": mine, "others": others})


@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    guide = guide_get(slug)
    if guide is None:
        raise Http404
    language = (get_language() or "id")[:2]
    body = f"help/{language if language in LANGUAGES else 'id'}/{guide.slug}.html"
    return render(request, "help/page.html", {"guide": guide, "body": body})
