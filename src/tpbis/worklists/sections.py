"""The facilitator's work list as sections: each a count, the first items and a link to the full list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tpbis.accounts.context_processors import NAV_COUNT_CAP
from tpbis.accounts.scope import Scope
from tpbis.core.templatetags.core_tags import num
from tpbis.libraries.models import Library
from tpbis.reports.models import Advocacy, CommunityEngagement, InformationService, Publicity, Replication, Visitors
from tpbis.worklists.registry import Section, SectionItem
from tpbis.worklists.selectors import (
    SHOWN,
    WorkItem,
    last_entry_shown,
    libraries_silent,
    libraries_without_account,
    returned_uncorrected,
    to_verify,
    verification_waiting_count,
    work_items,
)


def day(value: dt.date) -> str:
    """A date as people write it here: "6 Des 2026"."""
    return date_format(value, "j M Y")


def _month(record: Any) -> str:
    return date_format(dt.date(record.year, record.month, 1), "M Y")


def key_figures(record: Any) -> str:
    """The figures a verifier looks at first, on one line."""
    if isinstance(record, CommunityEngagement):
        participants = record.participants or 0  # only a draft has no count yet
        return ngettext("%(n)s peserta", "%(n)s peserta", participants) % {"n": num(participants)}
    if isinstance(record, Advocacy):
        outcome = str(record.get_outcome_display())
        return f"{outcome} · Rp {num(record.amount)}" if record.amount else outcome
    if isinstance(record, Publicity):
        return f"{record.media_kind} · {record.media_name}"
    if isinstance(record, InformationService):
        return _("%(books)s buku, %(computers)s komputer") % {
            "books": num(record.books),
            "computers": num(record.computers),
        }
    if isinstance(record, Visitors):
        return ngettext("%(n)s pengunjung", "%(n)s pengunjung", record.total) % {"n": num(record.total)}
    if isinstance(record, Replication):
        return ngettext("Rp %(funds)s · %(n)s desa", "Rp %(funds)s · %(n)s desa", record.villages) % {
            "funds": num(record.funds),
            "n": num(record.villages),
        }
    return ""


def _where_and_when(record: Any) -> list[str]:
    if isinstance(record, Replication):
        return [record.region.name]
    # A monthly record's title already says its month.
    when = "" if hasattr(record, "month") else (day(record.date) if record.date else "")
    return [part for part in (record.library.name, when) if part]


def record_item(item: WorkItem, *, age_text: str) -> SectionItem:
    parts = [*_where_and_when(item.record), key_figures(item.record), age_text % {"n": num(item.age_days)}]
    return SectionItem(label=item.title, url=item.url, note=" · ".join(p for p in parts if p))


def waiting_for(n: int) -> str:
    return ngettext("menunggu %(n)s hari", "menunggu %(n)s hari", n)


def returned_ago(n: int) -> str:
    return ngettext("dikembalikan %(n)s hari lalu", "dikembalikan %(n)s hari lalu", n)


def verify_section(*, scope: Scope, user_id: int) -> Section:
    items = work_items(to_verify(scope=scope, user_id=user_id)[:SHOWN])
    return Section(
        key="verify",
        title=_("Menunggu verifikasi"),
        count=verification_waiting_count(scope=scope, user_id=user_id, limit=NAV_COUNT_CAP),
        count_cap=NAV_COUNT_CAP,
        items=[
            record_item(
                item,
                age_text=waiting_for(item.age_days),
            )
            for item in items
        ],
        more_url=reverse("reports:queue"),
        more_label=_("Buka antrean verifikasi"),
        empty_text=_("Tidak ada laporan yang menunggu verifikasi."),
        lead=_("Yang paling lama menunggu di atas."),
    )


def returned_section(*, scope: Scope) -> Section:
    rows = returned_uncorrected(scope=scope)
    items = work_items(rows[:SHOWN])
    return Section(
        key="returned",
        title=_("Dikembalikan, belum diperbaiki"),
        count=rows.count(),
        items=[
            record_item(
                item,
                age_text=returned_ago(item.age_days),
            )
            for item in items
        ],
        more_url=reverse("worklists:returned"),
        more_label=_("Semua laporan yang dikembalikan"),
        empty_text=_("Semua laporan yang dikembalikan sudah diperbaiki."),
    )


def without_account_section(*, scope: Scope) -> Section:
    libraries = libraries_without_account(scope=scope)
    return Section(
        key="no-account",
        title=_("Mitra tanpa akun pengelola"),
        count=libraries.count(),
        items=[
            SectionItem(
                label=library.name,
                url=reverse("libraries:detail", args=[library.pk]),
                note=library.region.name,
                action_url=reverse("libraries:invite", args=[library.pk]),
                action_label=_("Undang"),
            )
            for library in libraries[:SHOWN]
        ],
        more_url=reverse("libraries:onboarding"),
        more_label=_("Akun mitra per wilayah"),
        empty_text=_("Semua mitra sudah punya akun pengelola atau undangan."),
    )


def silent_note(library: Library) -> str:
    last = last_entry_shown(library)
    if last is None:
        return _("%(region)s · belum pernah mengirim laporan") % {"region": library.region.name}
    return _("%(region)s · laporan terakhir %(date)s") % {"region": library.region.name, "date": day(last)}


def silent_section(*, scope: Scope, days: int) -> Section:
    libraries = libraries_silent(scope=scope, days=days)
    return Section(
        key="silent",
        title=ngettext("Mitra tanpa laporan %(n)s hari terakhir", "Mitra tanpa laporan %(n)s hari terakhir", days)
        % {"n": num(days)},
        count=libraries.count(),
        items=[
            SectionItem(
                label=library.name, url=reverse("libraries:detail", args=[library.pk]), note=silent_note(library)
            )
            for library in libraries[:SHOWN]
        ],
        more_url=reverse("worklists:silent") + "?" + urlencode({"hari": days}),
        more_label=_("Semua mitra yang diam"),
        empty_text=_("Semua mitra mengirim laporan dalam periode ini."),
    )
