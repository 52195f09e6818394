"""What managers and facilitators hear from the KPI: their library's colour changed, a new scheme is in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tpbis.accounts.models import Membership, Role
from tpbis.kpi.models import Colour, Scheme
from tpbis.libraries.models import Library
from tpbis.notifications.models import Kind
from tpbis.notifications.services import NotificationDraft, absolute_url, notify_many


def notify_colour_changes(*, changes: Iterable[tuple[int, str, str]], as_of: dt.date) -> None:
    """Tell each library's managers that its current colour moved (library id, old, new); once per month and colour.

    Three queries whatever the number of libraries (managers, names, then notify_many's own).
    """
    # Only moves between real colours are news: "not assessed yet" comes and goes with a library's first
    # record being submitted or returned, which the person already hears about.
    assessed = {Colour.GREEN, Colour.YELLOW, Colour.RED}
    moved = {library_id: (old, new) for library_id, old, new in changes if old != new and {old, new} <= assessed}
    if not moved:
        return
    managers = Membership.objects.filter(role=Role.MANAGER, library_id__in=list(moved), user__is_active=True)
    pairs = list(managers.values_list("library_id", "user_id"))
    if not pairs:
        return
    names = dict(Library.objects.filter(pk__in={lid for lid, _u in pairs}).values_list("pk", "name"))
    labels = dict(Colour.choices)
    drafts = []
    with translation.override(settings.LANGUAGE_CODE):
        for library_id, user_id in pairs:
            old, new = moved[library_id]
            values = {"library": names[library_id], "old": labels.get(old, old), "new": labels.get(new, new)}
            drafts.append(
                NotificationDraft(
                    recipient_id=user_id,
                    kind=Kind.SCORE_CHANGED,
                    title=_("Warna IKU %(library)s kini %(new)s") % values,
                    body=_("Warna skor IKU %(library)s berubah dari %(old)s menjadi %(new)s.") % values,
                    url=reverse("libraries:detail", args=[library_id]),
                    dedupe_key=f"score:{library_id}:{as_of:%Y-%m}:{new}",
                    library_id=library_id,
                )
            )
    notify_many(drafts)


def notify_scheme_new(*, scheme: Scheme) -> None:
    """Tell every manager and facilitator that a scheme is in force (once per scheme and person), in one batch.

    A manager is sent to their library's page (its score under the new scheme), a facilitator to the ranking,
    with a text ready to forward by WhatsApp to the managers of their area.
    """
    people = Membership.objects.filter(role__in=[Role.MANAGER, Role.FACILITATOR], user__is_active=True)
    ranking = reverse("kpi:ranking")
    links: dict[int, str] = {}
    for user_id, role, library_id in people.order_by("role").values_list("user_id", "role", "library_id"):
        if role == Role.FACILITATOR:  # "fasilitator" sorts first: a person with both roles gets the ranking
            links.setdefault(user_id, ranking)
        else:
            links.setdefault(user_id, reverse("libraries:detail", args=[library_id]))
    with translation.override(settings.LANGUAGE_CODE):
        values = {"name": scheme.name, "date": date_format(scheme.effective_from, "j M Y")}
        title = _("Skema IKU baru: %(name)s") % values
        body = _("Skema IKU %(name)s berlaku sejak %(date)s. Skor dan warna perpustakaan dihitung ulang.") % values
        forward = "\n".join(
            [
                body,
                _("Lihat skor dan warna perpustakaan Anda di SIM TPBIS: %(url)s") % {"url": absolute_url("/")},
            ]
        )
    notify_many(
        NotificationDraft(
            recipient_id=user_id,
            kind=Kind.SCHEME_NEW,
            title=title,
            body=body,
            url=url,
            whatsapp_text=forward if url == ranking else "",
            dedupe_key=f"scheme:{scheme.pk}",
        )
        for user_id, url in links.items()
    )
