"""Reads of reminder rules and the reminder log, through the user's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from tpbis.accounts.scope import Scope
from tpbis.regions.models import Level, Region
from tpbis.reminders.models import ReminderLog, ReminderRule, RuleKind


def rule_list_for_user(*, scope: Scope) -> QuerySet[ReminderRule]:
    """The national rules and the province rules the user covers (all of them for the national team)."""
    qs = ReminderRule.objects.select_related("region", "updated_by")
    if not scope.national:
        qs = qs.filter(Q(region__isnull=True) | Q(region_id__in=sorted(scope.provinces)))
    return qs.order_by("kind", "region_id")


def province_get_for_user(*, scope: Scope, code: str) -> Region:
    """A province the user covers; 404 for anything else."""
    region = Region.objects.filter(code=code, level=Level.PROVINCE).first()
    if region is None or not (scope.national or code in scope.provinces):
        raise Http404
    return region


def rule_for_edit(*, kind: str, province: Region | None) -> ReminderRule:
    """The rule of a kind for the nation or a province; a province without its own rule starts from a copy
    of the national one (saving it creates the province's rule)."""
    if kind not in RuleKind.values:
        raise Http404
    rule = ReminderRule.objects.filter(kind=kind, region=province).first()
    if rule is not None:
        return rule
    national = ReminderRule.objects.filter(kind=kind, region__isnull=True).first()
    rule = ReminderRule(kind=kind, region=province, audience="", message="")
    if national is not None:
        for name in ("audience", "enabled", "days", "day_of_month", "weekday", "message"):
            setattr(rule, name, getattr(national, name))
    return rule


def _region_q(scope: Scope, column: str) -> Q:
    if scope.national:
        return Q()
    q = Q(pk__in=[])
    for code in sorted(scope.provinces | scope.regencies):
        q |= Q(**{column: code}) | Q(**{f"{column}__startswith": code + "."})
    return q


def log_list_for_user(*, scope: Scope) -> QuerySet[ReminderLog]:
    """Sent reminders concerning the user's areas, newest first."""
    return (
        ReminderLog.objects.filter(_region_q(scope, "region_code"))
        .select_related("recipient", "library")
        .order_by("-sent_at", "-pk")
    )
