"""Region dashboards for facilitators and above, the public figures page and the public stats JSON."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.core.templatetags.core_tags import num, pct1
from tpbis.dashboards.charts import month_bars, province_tiles
from tpbis.dashboards.fragments import fragment_render
from tpbis.dashboards.panels import panel_assets, panels_build
from tpbis.dashboards.periods import period_from_query, presets
from tpbis.dashboards.public import public_region_check
from tpbis.dashboards.rates import deadline_day, rate_text
from tpbis.dashboards.selectors import (
    GREEN_LISTED,
    ChildRow,
    RegionFigures,
    default_region_code,
    public_dashboard,
    region_dashboard,
)
from tpbis.regions.codes import normalize_code
from tpbis.regions.models import Region


def _region_code(request: HttpRequest) -> str | None:
    raw = request.GET.get("wilayah", "").strip()
    if not raw:
        return None
    code = normalize_code(raw)
    if code is None:
        raise Http404
    return code


def _context(
    request: HttpRequest, figures: RegionFigures, rows: list[Any], sort: str, *, public: bool
) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("urut", None)
    parents = []
    if figures.region.code:
        parts = figures.region.code.split(".")
        codes = [".".join(parts[:i]) for i in range(1, len(parts))]
        parents = list(Region.objects.filter(code__in=codes).order_by("code"))
    query_without_sort = query.urlencode()
    full_query = request.GET.urlencode()
    period_query = _period_query(request)
    # Built only when a part below is rendered, not when it is kept (the lambdas) or read (tests read them).
    table = SimpleLazyObject(lambda: [(row, _cells(row)) for row in rows])
    chart = SimpleLazyObject(lambda: month_bars(figures.months))
    tiles = SimpleLazyObject(lambda: province_tiles(rows))
    figures_html = fragment_render(
        "dashboards/_figures.html",
        (figures, public, deadline_day()),
        lambda: {"figures": figures, "chart": chart, "public": public},
    )
    map_html = (
        fragment_render(
            "dashboards/_map.html", (rows, period_query), lambda: {"map": tiles, "period_query": period_query}
        )
        if figures.region.level == 0
        else ""
    )
    children_html = fragment_render(
        "dashboards/_children.html",
        (rows, sort, query_without_sort, full_query, period_query, public),
        lambda: {
            "rows": rows,
            "table": table,
            "sort": sort,
            "columns": _columns(),
            "query_without_sort": query_without_sort,
            "query": full_query,
            "period_query": period_query,
            "public": public,
        },
    )
    return {
        "figures": figures,
        "rows": rows,
        "table": table,
        "sort": sort,
        "parents": parents,
        "chart": chart,
        "map": tiles if figures.region.level == 0 else None,
        "figures_html": figures_html,
        "map_html": map_html,
        "children_html": children_html,
        "presets": presets(timezone.localdate()),
        "query_without_sort": query_without_sort,
        "query": full_query,
        "period_query": period_query,
        "public": public,
    }


def _cells(row: ChildRow) -> list[str]:
    """A child row's figures formatted once in Python: the table prints hundreds of numbers."""
    colours = row.colours
    return [
        num(row.partners),
        format_html("{} <small>({}%)</small>", num(row.without_account), pct1(row.without_account_pct)),
        *(num(row.records[t].submitted) for t in ("pelibatan", "advokasi", "publikasi", "peningkatan")),
        num(row.participants),
        *(num(n) for n in (colours.hijau, colours.kuning, colours.merah, colours.belum_dinilai)),
        f"{pct1(row.green_pct)}%",
        rate_text(row.reporting.rate),
        rate_text(row.reporting.on_time_rate),
    ]


def _columns() -> list[tuple[str, str]]:
    return [
        ("nama", _("Wilayah")),
        ("mitra", _("Mitra")),
        ("tanpa_akun", _("Tanpa akun")),
        ("pelibatan", _("Pelibatan")),
        ("advokasi", _("Advokasi")),
        ("publikasi", _("Publikasi")),
        ("peningkatan", _("Peningkatan")),
        ("peserta", _("Peserta")),
        ("hijau", _("Hijau")),
        ("kuning", _("Kuning")),
        ("merah", _("Merah")),
        ("belum_dinilai", _("Belum dinilai")),
        ("hijau_pct", _("% hijau")),
        ("laporan_pct", _("Laporan pengunjung masuk")),
        ("tepat_waktu_pct", _("Laporan pengunjung tepat waktu")),
    ]


def _period_query(request: HttpRequest) -> str:
    """The period part of the query string, carried into links to other regions."""
    kept = request.GET.copy()
    for name in list(kept):
        if name not in {"periode", "mulai", "sampai"}:
            kept.pop(name)
    return kept.urlencode()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    code = _region_code(request) or default_region_code(scope=scope)
    period, errors = period_from_query(request.GET, timezone.localdate())
    sort = request.GET.get("urut", "kode")
    figures, rows = region_dashboard(
        scope=scope, region_code=code, start=period.start, end=period.end, sort=sort, green_limit=GREEN_LISTED
    )
    context = _context(request, figures, rows, sort, public=False)
    context["parents"] = [p for p in context["parents"] if scope.covers_region(p.code)]
    context.update({"period": period, "errors": errors})
    context["panels"] = panels_build(request=request, figures=figures)
    context["panel_styles"], context["panel_scripts"] = panel_assets(context["panels"])
    return render(request, "dashboards/region.html", context)


def public_figures(request: HttpRequest) -> HttpResponse:
    """The programme's achievements without login: aggregates down to the public floor (kabupaten/kota)."""
    code = _region_code(request)
    public_region_check(code)
    period, errors = period_from_query(request.GET, timezone.localdate())
    sort = request.GET.get("urut", "kode")
    figures, rows = public_dashboard(region_code=code, start=period.start, end=period.end, sort=sort)
    context = _context(request, figures, rows, sort, public=True)
    context.update({"period": period, "errors": errors})
    return render(request, "dashboards/public.html", context)
