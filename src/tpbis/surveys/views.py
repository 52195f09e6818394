"""The participant's answer page (public, no login) and the staff pages under /survei/kelola/."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.core.links import absolute_url
from tpbis.dashboards.selectors import RegionRef, default_region_code, region_for_user
from tpbis.libraries.onboarding import qr_svg
from tpbis.surveys import guard
from tpbis.surveys.exporters import AnswerExporter, TallyExporter, export_response
from tpbis.surveys.forms import AnswerForm
from tpbis.surveys.models import Answer, Survey
from tpbis.surveys.selectors import (
    MIN_GROUP,
    engagement_get_for_user,
    region_answers,
    region_results,
    survey_for_engagement,
    survey_get_open,
    tally_for_survey,
)
from tpbis.surveys.services import SurveyClosed, answer_submit, survey_close, survey_open

EXPORTS = {"hasil", "jawaban"}
FORMATS = {"csv", "xlsx"}


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# ---------------------------------------------------------------------------------------- public


def _public(request: HttpRequest, template: str, context: dict[str, object], status: int = 200) -> HttpResponse:
    return render(request, f"surveys/{template}", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, code: str) -> HttpResponse:
    try:
        survey = survey_get_open(code=code)
    except Http404:
        return _public(request, "missing.html", {}, status=404)
    if request.method == "GET":
        form = AnswerForm(initial={"started": guard.form_stamp()})
        return _public(request, "answer.html", {"survey": survey, "form": form})
    if guard.answered_recently(request, survey.code):
        return _public(request, "thanks.html", {"survey": survey, "repeat": True})
    form = AnswerForm(request.POST)
    if request.POST.get("website"):
        return _public(request, "refused.html", {"survey": survey}, status=400)
    too_fast = guard.filled_too_fast(request.POST.get("started", ""))
    if not form.is_valid() or too_fast:
        if too_fast and form.is_bound:
            form.add_error(None, _("Formulir terkirim terlalu cepat. Periksa jawaban Anda, lalu kirim lagi."))
        # A fresh stamp: the next send counts its fill time from this page.
        data = request.POST.copy()
        data["started"] = guard.form_stamp()
        form.data = data
        return _public(request, "answer.html", {"survey": survey, "form": form})
    if guard.address_over_limit(request, survey.code):
        return _public(request, "refused.html", {"survey": survey, "busy": True}, status=429)
    try:
        answer_submit(survey=survey, draft=form.draft())
    except SurveyClosed:
        return _public(request, "missing.html", {}, status=404)
    response = _public(request, "thanks.html", {"survey": survey, "repeat": False})
    guard.mark_answered(response, survey.code)
    return response


# ----------------------------------------------------------------------------------------- staff


def _survey_link(survey: Survey) -> str:
    return absolute_url(reverse("surveys:answer", args=[survey.code]))


def _share_text(survey: Survey, link: str) -> str:
    return _(
        "Terima kasih sudah ikut %(title)s di %(library)s. Mohon isi survei singkat tanpa nama (2 menit): %(link)s"
    ) % {"title": survey.engagement.title, "library": survey.library.name, "link": link}


@login_required
@require_safe
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    engagement = engagement_get_for_user(scope=scope, pk=pk)
    survey = survey_for_engagement(engagement_id=engagement.pk)
    context: dict[str, object] = {"engagement": engagement, "survey": survey, "min_group": MIN_GROUP}
    if survey is not None:
        link = _survey_link(survey)
        share = _share_text(survey, link)
        role = scope.role_for_library(library_id=engagement.library_id, region_code=engagement.library.region_id)
        context |= {
            "link": link,
            "qr": qr_svg(link),
            "share_text": share,
            "whatsapp_url": "https://wa.me/?text=" + quote(share),
            "tally": tally_for_survey(survey=survey, scope=scope),
            "can_export_answers": Scope.at_least(role, Role.FACILITATOR),
        }
    return render(request, "surveys/activity.html", context)


@login_required
@require_POST
def activity_open(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for_user(scope=_scope(request), pk=pk)
    survey_open(engagement=engagement, actor=_user(request))
    messages.success(request, _("Survei dibuka. Bagikan tautan atau kode QR kepada peserta."))
    return redirect("surveys:activity", pk=engagement.pk)


@login_required
@require_POST
def activity_close(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for_user(scope=_scope(request), pk=pk)
    survey = survey_for_engagement(engagement_id=engagement.pk)
    if survey is not None and survey_close(survey=survey, actor=_user(request)):
        messages.success(request, _("Survei ditutup. Tautannya tidak bisa dipakai lagi."))
    else:
        messages.info(request, _("Survei ini sudah ditutup."))
    return redirect("surveys:activity", pk=engagement.pk)


def _check_export(what: str, fmt: str) -> None:
    if what not in EXPORTS or fmt not in FORMATS:
        raise Http404


@login_required
@require_safe
def activity_export(request: HttpRequest, pk: int, what: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    _check_export(what, fmt)
    scope = _scope(request)
    engagement = engagement_get_for_user(scope=scope, pk=pk)
    survey = survey_for_engagement(engagement_id=engagement.pk)
    if survey is None:
        raise Http404
    name = f"kegiatan-{engagement.pk}"
    if what == "jawaban":
        role = scope.role_for_library(library_id=engagement.library_id, region_code=engagement.library.region_id)
        if not Scope.at_least(role, Role.FACILITATOR):
            raise PermissionDenied
        answers = Answer.objects.filter(survey_id=survey.pk)
        return export_response(AnswerExporter(scope=scope, answers=answers, name=name), fmt)
    groups = [(_("Kegiatan"), tally_for_survey(survey=survey, scope=scope))]
    return export_response(TallyExporter(scope=scope, groups=groups, name=name), fmt)


def _region(request: HttpRequest) -> tuple[Scope, RegionRef]:
    """The region asked for (or the user's own), for facilitators and up; 403 below, 404 outside."""
    scope = _scope(request)
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    code = (request.GET.get("region") or "").strip()[:20] or default_region_code(scope=scope)
    return scope, region_for_user(scope=scope, region_code=code)


@login_required
@require_safe
def region(request: HttpRequest) -> HttpResponse:
    scope, ref = _region(request)
    results = region_results(region=ref, scope=scope)
    query = f"?region={quote(ref.code)}" if ref.code else ""
    return render(request, "surveys/region.html", {"results": results, "query": query, "min_group": MIN_GROUP})


@login_required
@require_safe
def region_export(request: HttpRequest, what: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    _check_export(what, fmt)
    scope, ref = _region(request)
    name = ref.code or "nasional"
    if what == "jawaban":
        answers = region_answers(region=ref)
        return export_response(AnswerExporter(scope=scope, answers=answers, name=name), fmt)
    results = region_results(region=ref, scope=scope)
    groups = [(_("Wilayah"), results.total)]
    groups += [(_("Wilayah"), tally) for tally in results.areas]
    groups += [(_("Perpustakaan"), tally) for tally in results.libraries]
    return export_response(TallyExporter(scope=scope, groups=groups, name=name), fmt)
