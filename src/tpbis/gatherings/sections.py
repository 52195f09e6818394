"""The follow-ups a facilitator owns, as a section of their work list (registered in apps.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.gatherings.selectors import followups_open_for
from tpbis.worklists.registry import Section, SectionItem

SHOWN = 10


def followups_section(request: HttpRequest) -> Section | None:
    """Open follow-ups of gatherings owned by this person, the earliest due first; none: no section."""
    user = request.user
    if not isinstance(user, User):
        return None
    rows = followups_open_for(user=user)
    count = rows.count()
    if not count:
        return None
    today = timezone.localdate()
    items = []
    for followup in rows[:SHOWN]:
        due = date_format(followup.due_date, "j M Y")
        late = _("lewat tenggat") if followup.due_date < today else ""
        note = " · ".join(p for p in (followup.library.name, _("tenggat %(date)s") % {"date": due}, late) if p)
        items.append(
            SectionItem(
                label=followup.action,
                url=reverse("gatherings:detail", args=[followup.gathering_id]) + f"#tl{followup.pk}",
                note=note,
            )
        )
    return Section(
        key="gathering-followups",
        title=_("Tindak lanjut gathering"),
        count=count,
        items=items,
        lead=_("Tindak lanjut yang Anda pegang, tenggat terdekat di atas."),
    )
