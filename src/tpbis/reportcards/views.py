"""The report card (*rapor*) of a library and the gathering report of a region, as pages and PDFs."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.dashboards.fragments import fragment_render, kept
from tpbis.dashboards.rates import deadline_day
from tpbis.dashboards.selectors import default_region_code
from tpbis.elis.selectors import core_finished_sentence
from tpbis.regions.codes import normalize_code
from tpbis.regions.forms import RegionPickerWidget
from tpbis.reportcards.charts import chart_width, trend_bars
from tpbis.reportcards.formatting import headline_text
from tpbis.reportcards.forms import Period, PeriodForm
from tpbis.reportcards.pdf import gathering_story, pdf_render, report_card_story
from tpbis.reportcards.selectors import gathering_report_for_user, report_card_for_user


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _pdf_response(content: bytes, name: str, period: Period) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"{slugify(name)}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def report_card_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    card = report_card_for_user(scope=_scope(request), library_id=pk, period=form.period())
    bars = trend_bars(card.trend)
    # The trend, records, activities and visitors kept rendered by what they show (the card whole, see
    # dashboards.fragments); the score and the Elis lines above them stay live.
    body_html = fragment_render(
        "reportcards/_card_body.html",
        (card,),
        lambda: {"card": card, "bars": bars, "chart_width": chart_width(bars)},
    )
    return render(
        request,
        "reportcards/report_card.html",
        {
            "form": form,
            "card": card,
            "bars": bars,
            "chart_width": chart_width(bars),
            "body_html": body_html,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def report_card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    period = PeriodForm(request.GET or None).period()
    card = report_card_for_user(scope=_scope(request), library_id=pk, period=period)
    title = _("Rapor %(library)s") % {"library": card.library.name}
    core = core_finished_sentence(library_id=card.library.pk)
    today = timezone.localdate()
    # Kept by everything the PDF is made of (the card whole, the Elis line, the day): the same figures give
    # the same document, and any write that changes one makes a new one.
    content = kept(
        "reportcards/rapor.pdf",
        (card, core, title, today),
        lambda: pdf_render(story=report_card_story(card, core_sentence=core), title=title, today=today),
    )
    return _pdf_response(content, f"rapor-{card.library.name}", period)


@dataclass(frozen=True)
class _GatheringRequest:
    region_code: str | None
    form: PeriodForm


def _gathering_request(request: HttpRequest) -> _GatheringRequest:
    """Facilitators and up (403 otherwise); the region from ?wilayah=, dotted or not, else the user's own."""
    scope = _scope(request)
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    raw = request.GET.get("wilayah", "").strip()
    code = normalize_code(raw) if raw else default_region_code(scope=scope)
    if raw and code is None:
        raise Http404
    return _GatheringRequest(code, PeriodForm(request.GET or None))


@login_required
def gathering_view(request: HttpRequest) -> HttpResponse:
    wanted = _gathering_request(request)
    report = gathering_report_for_user(
        scope=_scope(request), region_code=wanted.region_code, period=wanted.form.period()
    )
    return render(
        request,
        "reportcards/gathering.html",
        {
            "form": wanted.form,
            "report": report,
            "headline": headline_text(report.headline),
            # The figures' parts kept by what they show (see dashboards.fragments): the report itself.
            "reporting_html": fragment_render(
                "dashboards/_reporting.html", (report.figures, deadline_day()), lambda: {"figures": report.figures}
            ),
            "figures_html": fragment_render(
                "reportcards/_gathering_figures.html",
                (report,),
                lambda: {"report": report, "f": report.figures, "hl": 2, "links": True},
            ),
            "region_field": RegionPickerWidget().render(
                "wilayah", report.figures.region.code, attrs={"id": "id_wilayah"}
            ),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def gathering_pdf(request: HttpRequest) -> HttpResponse:
    wanted = _gathering_request(request)
    period = wanted.form.period()
    report = gathering_report_for_user(scope=_scope(request), region_code=wanted.region_code, period=period)
    title = _("Laporan Gathering %(region)s") % {"region": report.region_name}
    core = core_finished_sentence(region=report.figures.region.code)
    today = timezone.localdate()
    content = kept(
        "reportcards/gathering.pdf",
        (report, core, title, today),
        lambda: pdf_render(story=gathering_story(report, core_sentence=core), title=title, today=today),
    )
    return _pdf_response(content, f"gathering-{report.region_name}", period)
