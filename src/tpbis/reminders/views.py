"""Pages of reminders: the rules (province and national teams), a preview of who would be reminded, the log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.notifications.models import Channel
from tpbis.notifications.services import channels_for
from tpbis.regions.models import Level, Region
from tpbis.reminders.compute import reminders_due
from tpbis.reminders.forms import RuleForm
from tpbis.reminders.models import ReminderLog, ReminderRule, RuleKind
from tpbis.reminders.selectors import log_list_for_user, province_get_for_user, rule_for_edit, rule_list_for_user
from tpbis.reminders.services import rule_delete, rule_save

PREVIEW_ROWS = 200
PAGE_SIZE = 50


def _scope(request: HttpRequest, minimum: str) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not Scope.at_least(scope.highest_role, minimum):
        raise PermissionDenied
    return scope


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _province(request: HttpRequest, scope: Scope) -> Region | None:
    """?wilayah= names a province rule; without it, the national rule, which only the national team edits."""
    code = request.GET.get("wilayah", "")
    if code:
        return province_get_for_user(scope=scope, code=code)
    if not scope.national:
        raise PermissionDenied
    return None


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request, Role.PROVINCE)
    rules = list(rule_list_for_user(scope=scope))
    national = {rule.kind: rule for rule in rules if rule.region_id is None}
    provinces = sorted(scope.provinces) if not scope.national else []
    own = {(rule.kind, rule.region_id): rule for rule in rules if rule.region_id}
    rows = [
        {
            "kind": kind,
            "label": label,
            "national": national.get(kind),
            "provinces": [(code, own.get((kind, code))) for code in provinces],
            "overrides": [rule for (k, _code), rule in own.items() if k == kind] if scope.national else [],
        }
        for kind, label in RuleKind.choices
    ]
    names = {r.code: r.short_name for r in Region.objects.filter(code__in=provinces)}
    return render(request, "reminders/rules.html", {"rows": rows, "names": names, "is_national": scope.national})


@login_required
def rule_edit(request: HttpRequest, kind: str) -> HttpResponse:
    scope = _scope(request, Role.PROVINCE)
    province = _province(request, scope)
    rule = rule_for_edit(kind=kind, province=province)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        rule_save(rule=form.instance, actor=_user(request))
        messages.success(request, _("Aturan pengingat disimpan."))
        return redirect("reminders:rules")
    return render(request, "reminders/rule_form.html", {"form": form, "rule": rule, "province": province})


@require_POST
@login_required
def rule_reset(request: HttpRequest, kind: str) -> HttpResponse:
    """Drop a province's own rule so the national rule applies to it again."""
    scope = _scope(request, Role.PROVINCE)
    province = province_get_for_user(scope=scope, code=request.GET.get("wilayah") or request.POST.get("wilayah", ""))
    rule = ReminderRule.objects.filter(kind=kind, region=province).first()
    if rule is not None:
        rule_delete(rule=rule, actor=_user(request))
        messages.success(request, _("Aturan provinsi dihapus; aturan nasional berlaku lagi."))
    return redirect("reminders:rules")


class PreviewForm(forms.Form):
    wilayah = forms.CharField(
        label=gettext_lazy("Wilayah (kode provinsi atau kabupaten/kota)"), required=False, max_length=5
    )
    tanggal = forms.DateField(
        label=gettext_lazy("Tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@login_required
def preview(request: HttpRequest) -> HttpResponse:
    """Who a run on the chosen day would remind and why (nothing is sent), within the viewer's scope."""
    scope = _scope(request, Role.FACILITATOR)
    form = PreviewForm(request.GET or None)
    day = timezone.localdate()
    if form.is_valid() and form.cleaned_data["tanggal"]:
        day = form.cleaned_data["tanggal"]
    due = reminders_due(today=day, scope=_narrowed(scope, form))
    shown = due[:PREVIEW_ROWS]
    channels = channels_for(user_ids={r.recipient_id for r in shown}, kinds={r.notification_kind for r in shown})
    sent = set(
        ReminderLog.objects.filter(dedupe_key__in={r.dedupe_key for r in shown}).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    rows = [
        {
            "reminder": r,
            "opted_out": channels.get((r.recipient_id, r.notification_kind)) == Channel.OFF,
            "sent": (r.recipient_id, r.dedupe_key) in sent,
        }
        for r in shown
    ]
    return render(
        request,
        "reminders/preview.html",
        {"form": form, "day": day, "rows": rows, "total": len(due), "counts": _counts(due)},
    )


def _narrowed(scope: Scope, form: PreviewForm) -> Scope:
    """The viewer's scope, or one province or kabupaten/kota of it (404 outside it): a national preview of
    one area is quick where the whole nation takes seconds."""
    code = form.cleaned_data.get("wilayah", "") if form.is_valid() else ""
    if not code:
        return scope
    region = Region.objects.filter(code=code, level__in=[Level.PROVINCE, Level.REGENCY]).first()
    if region is None or not scope.covers_region(code):
        raise Http404
    if region.level == Level.PROVINCE:
        return Scope(provinces=frozenset({code}))
    return Scope(regencies=frozenset({code}))


def _counts(due: list[Any]) -> list[tuple[str, int]]:
    labels = dict(RuleKind.choices)
    counts: dict[str, int] = {}
    for reminder in due:
        counts[reminder.rule_kind] = counts.get(reminder.rule_kind, 0) + 1
    return [(str(labels[kind]), counts[kind]) for kind in RuleKind.values if kind in counts]


@login_required
def log(request: HttpRequest) -> HttpResponse:
    scope = _scope(request, Role.FACILITATOR)
    page = Paginator(log_list_for_user(scope=scope), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reminders/log.html", {"page": page})
