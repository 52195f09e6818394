"""Who is due a reminder today, and why: set-based reads, a bounded number of queries per rule whatever the
number of libraries (each rule is a handful of GROUP BY / NOT EXISTS queries, never one per library)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tpbis.accounts.models import Invitation, Membership, Role
from tpbis.accounts.scope import Scope
from tpbis.core.links import absolute_url
from tpbis.kpi.models import Colour, CurrentScore
from tpbis.libraries.models import Library
from tpbis.notifications.models import Kind
from tpbis.regions.models import Region
from tpbis.reminders.models import ColourMark, ReminderRule, RuleKind
from tpbis.reports.models import Advocacy, CommunityEngagement, InformationService, Publicity, Status, Visitors

LIBRARY_RECORDS = (CommunityEngagement, Advocacy, Publicity, InformationService, Visitors)
# A record the library sent counts as reporting, whatever the facilitator later did with it.
REPORTED = (Status.SUBMITTED, Status.VERIFIED, Status.RETURNED)
# Lines of a list in one message; the rest is summed up and the link opens the full list.
LIST_LIMIT = 30


@dataclass(frozen=True)
class Reminder:
    """One message due to one person under one rule, with the reason shown in the preview and the log."""

    rule_id: int
    rule_kind: str
    recipient_id: int
    recipient_name: str
    subject: str  # what the reminder is about: a library id, or the area of a list
    period: dt.date  # the reminder is sent once per recipient, rule, period and subject
    title: str
    body: str
    url: str
    reason: str
    region_code: str
    library_id: int | None = None
    notification_kind: str = Kind.REMINDER

    @property
    def dedupe_key(self) -> str:
        return f"reminder:{self.rule_id}:{self.period:%Y-%m-%d}:{self.subject}"


def rules_in_force(rules: Iterable[ReminderRule]) -> list[tuple[ReminderRule, Q]]:
    """(rule, Q over Library) for every enabled rule: a province rule, enabled or not, replaces the national
    rule of its kind for the province's libraries."""
    national: dict[str, ReminderRule] = {}
    provincial: dict[str, list[ReminderRule]] = defaultdict(list)
    for rule in rules:
        if rule.region_id is None:
            national[rule.kind] = rule
        else:
            provincial[rule.kind].append(rule)
    applied: list[tuple[ReminderRule, Q]] = []
    for kind in RuleKind.values:
        own = provincial.get(kind, [])
        base = national.get(kind)
        if base is not None and base.enabled:
            applied.append((base, ~Q(province_id__in=sorted(r.region_id for r in own if r.region_id))))
        applied.extend((rule, Q(province_id=rule.region_id)) for rule in own if rule.enabled)
    return applied


def reminders_due(*, today: dt.date, scope: Scope | None = None) -> list[Reminder]:
    """Every reminder due today under the rules in force; with a scope, only those concerning it."""
    rules = list(ReminderRule.objects.select_related("region"))
    with translation.override(settings.LANGUAGE_CODE):
        due: list[Reminder] = []
        for rule, libraries in rules_in_force(rules):
            if scope is not None:
                libraries &= scope.library_filter()
            due.extend(_COMPUTE[rule.kind](rule, libraries, today))
    if scope is not None and not scope.national:
        due = [r for r in due if scope.covers_region(r.region_code) or r.library_id in scope.libraries]
    return due


def _every_n_days(today: dt.date, days: int) -> dt.date:
    """The start of today's N-day period on a fixed grid: a reminder repeats at most once per period."""
    return today - dt.timedelta(days=today.toordinal() % days)


def _week_start(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _fill(rule: ReminderRule, **values: Any) -> str:
    """The rule's message with its {words} filled in; a message saved around the form is sent as written."""
    try:
        return rule.message.format_map({name: str(value) for name, value in values.items()})
    except (KeyError, ValueError, IndexError, AttributeError):
        return rule.message


def _date(day: dt.date) -> str:
    return formats.date_format(day, "j M Y")


def _reporting_libraries(since: dt.date, until: dt.date | None = None) -> list[QuerySet[Any]]:
    """Per record type, the ids of libraries that entered a record dated `since` (up to `until`, excluded).

    An entry's input date is never after the day it was saved, so the redundant bound on `created_at`
    lets the database read the window through the (status, created_at) index instead of every record.
    """
    window = Q(status__in=REPORTED, input_date__gte=since, created_at__gte=_start_of_day(since))
    if until is not None:
        window &= Q(input_date__lt=until)
    return [model.objects.filter(window).values("library_id") for model in LIBRARY_RECORDS]


def _reported(column: str, since: dt.date, until: dt.date | None = None) -> Q:
    """`column` (a library id) is among the libraries that reported in the window."""
    condition = Q()
    for ids in _reporting_libraries(since, until):
        condition |= Q(**{f"{column}__in": ids})
    return condition


def _managers(libraries: Q) -> QuerySet[Membership]:
    """Active managers of the active libraries selected by `libraries` (a Q over Library)."""
    return Membership.objects.filter(
        role=Role.MANAGER,
        user__is_active=True,
        library__is_active=True,
        library__in=Library.objects.filter(libraries),
    )


_MANAGER_FIELDS = ("library_id", "library__name", "library__region_id", "user_id", "user__full_name", "user__email")


def _silent_managers(rule: ReminderRule, libraries: Q, today: dt.date) -> list[Reminder]:
    days = rule.days or 1
    since = today - dt.timedelta(days=days)
    rows = _managers(libraries).exclude(_reported("library_id", since)).values_list(*_MANAGER_FIELDS)
    period = _every_n_days(today, days)
    title = _("Pengingat: belum ada laporan %(days)d hari") % {"days": days}
    reason = _("Tidak ada laporan sejak %(date)s") % {"date": _date(since)}
    url = reverse("reports:list") + "?perpustakaan="
    return [
        Reminder(
            rule_id=rule.pk,
            rule_kind=rule.kind,
            recipient_id=user_id,
            recipient_name=full_name or email,
            subject=str(library_id),
            period=period,
            title=title,
            body=_fill(rule, perpustakaan=name, hari=days),
            url=url + str(library_id),
            reason=f"{name}: {reason}",
            region_code=region_code,
            library_id=library_id,
        )
        for library_id, name, region_code, user_id, full_name, email in rows
    ]


def _previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _visitors_missing(rule: ReminderRule, libraries: Q, today: dt.date) -> list[Reminder]:
    deadline = rule.day_of_month or 1
    if today.day <= deadline:
        return []
    month = _previous_month(today)
    reported = Visitors.objects.filter(
        library_id=OuterRef("library_id"), year=month.year, month=month.month, status__in=REPORTED
    )
    rows = _managers(libraries).exclude(Exists(reported)).values_list(*_MANAGER_FIELDS)
    month_text = formats.date_format(month, "M Y")
    title = _("Pengingat: laporan pengunjung %(month)s belum masuk") % {"month": month_text}
    reason = _("Laporan pengunjung %(month)s belum ada setelah tanggal %(day)d") % {
        "month": month_text,
        "day": deadline,
    }
    url = reverse("reports:new", args=["pengunjung"]) + "?perpustakaan="
    return [
        Reminder(
            rule_id=rule.pk,
            rule_kind=rule.kind,
            recipient_id=user_id,
            recipient_name=full_name or email,
            subject=str(library_id),
            period=month,
            title=title,
            body=_fill(rule, perpustakaan=name, bulan=month_text, tanggal=deadline),
            url=url + str(library_id),
            reason=f"{name}: {reason}",
            region_code=region_code,
            library_id=library_id,
        )
        for library_id, name, region_code, user_id, full_name, email in rows
    ]


def _area_field(rule: ReminderRule) -> str:
    """The library column naming the area whose officers receive a list: kabupaten/kota or province."""
    return "province_id" if rule.audience == Role.PROVINCE else "regency_id"


def _officers(rule: ReminderRule, areas: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
    """{area code: [(user id, name), ...]} of the active officers of the rule's audience over those areas."""
    rows = Membership.objects.filter(role=rule.audience, region_id__in=sorted(set(areas)), user__is_active=True)
    officers: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for region_id, user_id, full_name, email in rows.values_list(
        "region_id", "user_id", "user__full_name", "user__email"
    ):
        officers[region_id].append((user_id, full_name or email))
    return officers


def _region_names(codes: Iterable[str]) -> dict[str, str]:
    return {r.code: r.short_name for r in Region.objects.filter(code__in=sorted(set(codes)))}


def _listed(lines: Sequence[str], total: int) -> str:
    shown = list(lines[:LIST_LIMIT])
    if total > len(shown):
        shown.append(_("… dan %(n)d lainnya") % {"n": total - len(shown)})
    return "\n".join(shown)


def _verification_waiting(rule: ReminderRule, libraries: Q, today: dt.date) -> list[Reminder]:
    days = rule.days or 1
    before = _start_of_day(today - dt.timedelta(days=days))
    area = _area_field(rule)
    governed = Library.objects.filter(libraries, is_active=True).exclude(**{f"{area}__isnull": True}).values("pk")
    waiting: dict[int, tuple[int, dt.datetime]] = {}
    for model in LIBRARY_RECORDS:
        # Grouped by the record's own column, then named below: a join per waiting record costs more.
        rows = (
            model.objects.filter(status=Status.SUBMITTED, created_at__lt=before, library_id__in=governed)
            .values("library_id")
            .annotate(n=Count("pk"), oldest=Min("created_at"))
            .order_by()
            .values_list("library_id", "n", "oldest")
        )
        for library_id, n, oldest in rows:
            count, first = waiting.get(library_id, (0, oldest))
            waiting[library_id] = (count + n, min(first, oldest))
    per_library = {
        pk: {"name": name, "area": code, "n": waiting[pk][0], "oldest": waiting[pk][1]}
        for pk, name, code in Library.objects.filter(pk__in=sorted(waiting)).values_list("pk", "name", area)
    }
    by_area: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in per_library.values():
        by_area[entry["area"]].append(entry)
    officers = _officers(rule, by_area)
    names = _region_names(by_area)
    period = _every_n_days(today, days)
    url = reverse("reports:queue")
    due: list[Reminder] = []
    for code, entries in sorted(by_area.items()):
        entries.sort(key=lambda e: (e["oldest"], e["name"]))
        total = sum(e["n"] for e in entries)
        lines = [
            _("- %(library)s: %(n)d laporan, tertua %(date)s")
            % {"library": e["name"], "n": e["n"], "date": _date(timezone.localdate(e["oldest"]))}
            for e in entries
        ]
        region = names.get(code, code)
        body = _fill(rule, wilayah=region, jumlah=total, hari=days) + "\n\n" + _listed(lines, len(lines))
        body += "\n\n" + _("Buka antrean verifikasi: %(url)s") % {"url": absolute_url(url)}
        title = ngettext(
            "%(n)d laporan menunggu verifikasi lebih dari %(days)d hari",
            "%(n)d laporan menunggu verifikasi lebih dari %(days)d hari",
            total,
        ) % {"n": total, "days": days}
        reason = _("%(region)s: %(n)d laporan dari %(libraries)d perpustakaan menunggu lebih dari %(days)d hari") % {
            "region": region,
            "n": total,
            "libraries": len(entries),
            "days": days,
        }
        due += _to_each(
            officers.get(code, []),
            rule=rule,
            subject=code,
            period=period,
            title=title,
            body=body,
            url=url,
            reason=reason,
        )
    return due


def _to_each(
    people: Iterable[tuple[int, str]],
    *,
    rule: ReminderRule,
    subject: str,
    period: dt.date,
    title: str,
    body: str,
    url: str,
    reason: str,
    kind: str = Kind.REMINDER,
) -> list[Reminder]:
    """The same message about one area (`subject`, a region code) to each of its officers."""
    return [
        Reminder(
            rule_id=rule.pk,
            rule_kind=rule.kind,
            recipient_id=user_id,
            recipient_name=user_name,
            subject=subject,
            period=period,
            title=title,
            body=body,
            url=url,
            reason=reason,
            region_code=subject,
            notification_kind=kind,
        )
        for user_id, user_name in people
    ]


def _weekly_due(rule: ReminderRule, today: dt.date) -> bool:
    """A weekly rule sends from its weekday on: a run missed that day catches up later in the week."""
    return rule.weekday is not None and today.weekday() >= rule.weekday


def _no_account(rule: ReminderRule, libraries: Q, today: dt.date) -> list[Reminder]:
    if not _weekly_due(rule, today):
        return []
    area = _area_field(rule)
    signed_in = Membership.objects.filter(
        library=OuterRef("pk"), role=Role.MANAGER, user__is_active=True, user__last_login__isnull=False
    )
    open_invitation = (
        Invitation.objects.filter(
            library=OuterRef("pk"), accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .values("expires_at")[:1]
    )
    rows = (
        Library.objects.filter(libraries, is_active=True)
        .exclude(**{f"{area}__isnull": True})
        .exclude(Exists(signed_in))
        .annotate(invited_until=open_invitation)
        .order_by(area, "name", "pk")
        .values_list("pk", "name", area, "invited_until")
    )
    by_area: dict[str, list[tuple[int, str, dt.datetime | None]]] = defaultdict(list)
    for pk, name, code, invited_until in rows:
        by_area[code].append((pk, name, invited_until))
    officers = _officers(rule, by_area)
    names = _region_names(by_area)
    period = _week_start(today)
    due: list[Reminder] = []
    for code, entries in sorted(by_area.items()):
        lines = [_no_account_line(pk, name, invited_until) for pk, name, invited_until in entries]
        region = names.get(code, code)
        url = reverse("libraries:onboarding") + "?wilayah=" + code
        body = _fill(rule, wilayah=region, jumlah=len(entries)) + "\n\n" + _listed(lines, len(lines))
        body += "\n\n" + _("Semua mitra tanpa akun: %(url)s") % {"url": absolute_url(url)}
        invited = sum(1 for entry in entries if entry[2] is not None)
        reason = _("%(region)s: %(n)d mitra belum punya akun (%(invited)d dengan undangan terbuka)") % {
            "region": region,
            "n": len(entries),
            "invited": invited,
        }
        title = ngettext(
            "%(n)d mitra di %(region)s belum punya akun",
            "%(n)d mitra di %(region)s belum punya akun",
            len(entries),
        ) % {"n": len(entries), "region": region}
        due += _to_each(
            officers.get(code, []),
            rule=rule,
            subject=code,
            period=period,
            title=title,
            body=body,
            url=url,
            reason=reason,
        )
    return due


def _no_account_line(pk: int, name: str, invited_until: dt.datetime | None) -> str:
    # The link opens the invitation page, which shows or makes the library's activation link: only a hash
    # of an open link's token is stored, so a reminder cannot repeat the link itself.
    link = absolute_url(reverse("libraries:invite", args=[pk]))
    if invited_until is None:
        state = _("belum diundang")
    else:
        state = _("undangan terbuka sampai %(date)s") % {"date": _date(timezone.localdate(invited_until))}
    return f"- {name} ({state}): {link}"


def _weekly_summary(rule: ReminderRule, libraries: Q, today: dt.date) -> list[Reminder]:
    if not _weekly_due(rule, today):
        return []
    selected = Library.objects.filter(libraries, is_active=True)
    changed = _colour_changes(selected)
    silent = _gone_silent(selected, today=today, days=rule.days or 30)
    provinces = {p for p, *_rest in changed} | {p for p, *_rest in silent}
    officers = _officers(rule, set(provinces) | _provinces(selected))
    names = _region_names(officers)
    period = _week_start(today)
    colours = dict(Colour.choices)
    due: list[Reminder] = []
    for code, people in sorted(officers.items()):
        region = names.get(code, code)
        changes = [
            f"- {name}: {colours.get(before, before)} → {colours.get(after, after)}"
            for p, name, before, after in changed
            if p == code
        ]
        quiet = [f"- {name}" for p, name in silent if p == code]
        parts = [_fill(rule, wilayah=region, hari=rule.days or 30)]
        parts.append(_("Berganti warna pekan ini: %(n)d") % {"n": len(changes)})
        if changes:
            parts.append(_listed(changes, len(changes)))
        parts.append(
            _("Mulai diam pekan ini (tanpa laporan %(days)d hari): %(n)d") % {"days": rule.days or 30, "n": len(quiet)}
        )
        if quiet:
            parts.append(_listed(quiet, len(quiet)))
        body = "\n\n".join(parts)
        reason = _("%(region)s: %(changed)d berganti warna, %(silent)d mulai diam") % {
            "region": region,
            "changed": len(changes),
            "silent": len(quiet),
        }
        title = _("Ringkasan mingguan %(region)s, pekan %(date)s") % {"region": region, "date": _date(period)}
        url = reverse("dashboards:region") + "?wilayah=" + code
        due += _to_each(
            people,
            rule=rule,
            subject=code,
            period=period,
            title=title,
            body=body,
            url=url,
            reason=reason,
            kind=Kind.WEEKLY_SUMMARY,
        )
    return due


def _provinces(selected: QuerySet[Library]) -> set[str]:
    """Provinces of the selected libraries: a quiet week still gets its summary."""
    return set(selected.order_by().values_list("province_id", flat=True).distinct())


def _colour_changes(selected: QuerySet[Library]) -> list[tuple[str, str, str, str]]:
    """(province, library name, colour at the last summary, colour now) for libraries whose colour moved;
    a library never marked has no "before" yet and is only marked."""
    mark = ColourMark.objects.filter(library_id=OuterRef("library_id"))
    rows = (
        CurrentScore.objects.filter(library__in=selected)
        .annotate(before=mark.values("colour")[:1])
        .filter(before__isnull=False)
        .exclude(colour=F("before"))
        .order_by("library__province_id", "library__name")
        .values_list("library__province_id", "library__name", "before", "colour")
    )
    return list(rows)


def _gone_silent(selected: QuerySet[Library], *, today: dt.date, days: int) -> list[tuple[str, str]]:
    """(province, library name) of libraries whose last record is from the week before the N-day window:
    they crossed the silence threshold this week."""
    since = today - dt.timedelta(days=days)
    week_before = since - dt.timedelta(days=7)
    recent = _reported("pk", since)
    earlier = _reported("pk", week_before, since)
    rows = selected.filter(earlier).exclude(recent).order_by("province_id", "name").values_list("province_id", "name")
    return list(rows)


_COMPUTE: dict[str, Callable[[ReminderRule, Q, dt.date], list[Reminder]]] = {
    RuleKind.SILENT_MANAGER: _silent_managers,
    RuleKind.VISITORS_MISSING: _visitors_missing,
    RuleKind.VERIFICATION_WAITING: _verification_waiting,
    RuleKind.NO_ACCOUNT: _no_account,
    RuleKind.WEEKLY_SUMMARY: _weekly_summary,
}
