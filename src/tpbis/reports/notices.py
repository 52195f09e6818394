"""What a library hears when its records are returned or verified (notifications, in the action's transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tpbis.accounts.models import Membership, Role, User
from tpbis.notifications.models import Kind
from tpbis.notifications.services import NotificationDraft, absolute_url, notify_many


def record_describe(record: Any) -> str:
    """ "Pelibatan masyarakat «Lomba baca»" or "Pengunjung 03/2026": how a person recognises the record."""
    what = str(type(record)._meta.verbose_name).capitalize()
    if record.title_text:
        return f"{what} «{record.title_text}»"
    if hasattr(record, "month"):
        return f"{what} {record.month:02d}/{record.year}"
    return f"{what} {getattr(record, 'year', '')}".strip()


def _recipients(records: Sequence[Any], actor: User | None) -> dict[int, set[int]]:
    """{record pk: user ids}: the managers of each record's library and whoever entered it, not the actor."""
    library_ids = {r.library_id for r in records if getattr(r, "library_id", None)}
    managers: dict[int, set[int]] = {}
    for library_id, user_id in Membership.objects.filter(
        role=Role.MANAGER, library_id__in=library_ids, user__is_active=True
    ).values_list("library_id", "user_id"):
        managers.setdefault(library_id, set()).add(user_id)
    result = {}
    for record in records:
        people = set(managers.get(getattr(record, "library_id", None) or 0, set()))
        if record.entered_by_id:
            people.add(record.entered_by_id)
        if actor is not None:
            people.discard(actor.pk)
        result[record.pk] = people
    return result


def notify_record_returned(*, record: Any, user: User, comment: str) -> None:
    edit = reverse("reports:edit", kwargs={"record_type": record.RECORD_TYPE, "pk": record.pk})
    with translation.override(settings.LANGUAGE_CODE):
        what = record_describe(record)
        library = getattr(record, "library", None)
        title = _("Laporan dikembalikan: %(what)s") % {"what": what}
        body = "\n".join(
            [
                _("%(who)s mengembalikan laporan %(what)s%(where)s untuk diperbaiki.")
                % {"who": user, "what": what, "where": f" ({library.name})" if library else ""},
                _("Catatan: %(comment)s") % {"comment": comment},
                _("Perbaiki lalu kirim lagi."),
            ]
        )
        whatsapp = "\n".join([title, _("Catatan: %(comment)s") % {"comment": comment}, absolute_url(edit)])
    notify_many(
        NotificationDraft(
            recipient_id=user_id,
            kind=Kind.RECORD_RETURNED,
            title=title,
            body=body,
            url=edit,
            whatsapp_text=whatsapp,
            library_id=getattr(record, "library_id", None),
        )
        for user_id in _recipients([record], user)[record.pk]
    )


def notify_records_verified(*, records: Sequence[Any], user: User) -> None:
    """One notification per person: about the record, or, after a bulk verification, about how many.

    Created in one batch, so verifying a whole queue costs a bounded number of queries.
    """
    recipients = _recipients(records, user)
    by_person: dict[int, list[Any]] = {}
    for record in records:
        for user_id in recipients[record.pk]:
            by_person.setdefault(user_id, []).append(record)
    with translation.override(settings.LANGUAGE_CODE):
        drafts = [_verified_draft(user_id, theirs, user) for user_id, theirs in by_person.items()]
    notify_many(drafts)


def _verified_draft(user_id: int, records: list[Any], verifier: User) -> NotificationDraft:
    library_ids = {getattr(r, "library_id", None) for r in records}
    library_id = library_ids.pop() if len(library_ids) == 1 else None
    if len(records) == 1:
        (record,) = records
        what = record_describe(record)
        return NotificationDraft(
            recipient_id=user_id,
            kind=Kind.RECORD_VERIFIED,
            title=_("Laporan diverifikasi: %(what)s") % {"what": what},
            body=_("%(who)s memverifikasi laporan %(what)s. Laporan ini kini dihitung dalam IKU.")
            % {"who": verifier, "what": what},
            url=reverse("reports:detail", kwargs={"record_type": record.RECORD_TYPE, "pk": record.pk}),
            library_id=library_id,
        )
    shown = [record_describe(r) for r in records[:5]]
    if len(records) > len(shown):
        shown.append(_("dan %(n)s lainnya") % {"n": len(records) - len(shown)})
    return NotificationDraft(
        recipient_id=user_id,
        kind=Kind.RECORD_VERIFIED,
        title=_("%(n)s laporan diverifikasi") % {"n": len(records)},
        body=_("%(who)s memverifikasi: %(what)s. Laporan ini kini dihitung dalam IKU.")
        % {"who": verifier, "what": "; ".join(shown)},
        url=_list_url(records, library_id),
        library_id=library_id,
    )


def _list_url(records: list[Any], library_id: int | None) -> str:
    types = {r.RECORD_TYPE for r in records}
    path = reverse("reports:list_type", args=[types.pop()]) if len(types) == 1 else reverse("reports:list")
    return path + (f"?perpustakaan={library_id}&status=verified" if library_id else "")
