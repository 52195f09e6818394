"""League tables, a library's explained score, and the national team's scheme editor."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.accounts.scope import Scope
from tpbis.kpi.engine import SchemeSpec
from tpbis.kpi.forms import ComponentFormSet, RankingFilterForm, SchemeForm
from tpbis.kpi.models import Component, Scheme
from tpbis.kpi.selectors import colour_distribution, ranking
from tpbis.kpi.services import kpi_compute, scheme_save, schemes_load
from tpbis.libraries.models import Library

PAGE_SIZE = 50


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


@login_required
def ranking_view(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if scope.is_empty:
        raise PermissionDenied
    form = RankingFilterForm(request.GET or None)
    filters = form.filters()
    if filters.region and not scope.covers_region(filters.region) and not scope.national:
        raise Http404
    page = Paginator(ranking(scope=scope, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "kpi/ranking.html",
        {
            "form": form,
            "page": page,
            "first_rank": (page.number - 1) * PAGE_SIZE + 1,
            "distribution": colour_distribution(scope=scope, region=filters.region),
            "query": query.urlencode(),
        },
    )


def _require_national(request: HttpRequest) -> User:
    if not _scope(request).national:
        raise PermissionDenied
    assert isinstance(request.user, User)
    return request.user


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    _require_national(request)
    schemes = Scheme.objects.prefetch_related("components").order_by("-effective_from", "-pk")
    return render(request, "kpi/scheme_list.html", {"schemes": schemes})


@login_required
def scheme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a scheme; "Pratinjau" shows who would change colour before anything is saved."""
    user = _require_national(request)
    scheme = get_object_or_404(Scheme, pk=pk) if pk else None
    bound = request.method == "POST"
    form = SchemeForm(request.POST if bound else None, instance=scheme)
    formset = ComponentFormSet(request.POST if bound else None, instance=scheme or Scheme(), prefix="c")
    preview = None
    if bound and form.is_valid() and formset.is_valid():
        if request.POST.get("action") == "preview":
            preview = _preview(form, formset)
        else:
            scheme_save(form=form, formset=formset, actor=user)
            messages.success(request, _("Skema disimpan dan semua skor dihitung ulang."))
            return redirect("kpi:schemes")
    return render(
        request, "kpi/scheme_form.html", {"form": form, "formset": formset, "scheme": scheme, "preview": preview}
    )


def _draft_spec(form: SchemeForm, formset: Any) -> SchemeSpec:
    draft = form.save(commit=False)
    components = [
        Component(**{k: v for k, v in f.cleaned_data.items() if k not in {"DELETE", "id", "scheme"}})
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
    for position, component in enumerate(components):
        component.position = position
    spec = SchemeSpec.from_model(draft, components)
    # A draft has no id yet: keep the one being edited so the preview replaces it, not adds beside it.
    return SchemeSpec(**{**spec.__dict__, "id": draft.pk or -1})


def _preview(form: SchemeForm, formset: Any) -> dict[str, Any]:
    """Per province, how many active libraries would change colour today with the draft scheme."""
    today = timezone.localdate()
    draft = _draft_spec(form, formset)
    current = [s for s in schemes_load() if s.id != draft.id]
    libraries = Library.objects.filter(is_active=True)
    before = kpi_compute(libraries=libraries, dates=[today], schemes=current)
    after = kpi_compute(libraries=libraries, dates=[today], schemes=[*current, draft])
    provinces = dict(libraries.values_list("pk", "province__name"))
    changes: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for key, new in after.items():
        old = before.get(key)
        if old is not None and old.colour != new.colour:
            changes[provinces[key[0]]][(old.colour, new.colour)] += 1
    rows = sorted(((name, sum(c.values()), dict(c)) for name, c in changes.items()), key=lambda r: (-r[1], r[0]))
    return {
        "rows": rows,
        "total": sum(r[1] for r in rows),
        "date": today,
        "in_effect_today": draft.in_effect_on(today),
    }
