"""Every draft of the library stays reachable without signal (issue 15), not only the 10 the work list shows:
the library page links the older ones under "Lihat N draf lainnya" and marks them `data-keep` too, so the
phone keeps their forms (and does not drop a kept one when an 11th draft pushes it off the list)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import World
from tpbis.offline.tests.test_keep_listed import kept_links
from tpbis.reports.models import CommunityEngagement, Status
from tpbis.worklists.manager import KEPT_DRAFTS
from tpbis.worklists.tests.factories import engagement


def drafts(world: World, count: int, *, before: int = 0) -> list[CommunityEngagement]:
    """`count` drafts, the oldest first, the newest touched `before` + 1 days ago."""
    library, manager = world.lamongan_village, world.manager
    return [
        engagement(library, manager, days_ago=before + count - n, status=Status.DRAFT, title=f"Draf {n}")
        for n in range(count)
    ]


def library_page(world: World) -> str:
    return world.client_for(world.manager).get(f"/mitra/{world.lamongan_village.pk}/").content.decode()


def edit_path(record: CommunityEngagement) -> str:
    return f"/laporan/pelibatan/{record.pk}/ubah/"


def test_every_draft_is_kept_and_the_older_ones_are_one_tap_away(world: World) -> None:
    made = drafts(world, 12)

    html = library_page(world)

    assert set(kept_links(html)) == {edit_path(record) for record in made}
    assert "12 draf belum dikirim" in html
    shown, older = html.split("Lihat 2 draf lainnya")
    assert "Draf 11" in shown and "Draf 2" in shown and "Draf 1<" not in shown
    assert edit_path(made[0]) in older and edit_path(made[1]) in older


def test_the_kept_drafts_stop_at_a_cap_without_more_queries(world: World) -> None:
    drafts(world, 12)
    with CaptureQueriesContext(connection) as few:
        library_page(world)
    made = drafts(world, KEPT_DRAFTS + 3 - 12, before=12)  # touched earlier than the first twelve

    with CaptureQueriesContext(connection) as many:
        html = library_page(world)

    newest = CommunityEngagement.objects.filter(status=Status.DRAFT).order_by("-updated_at", "-pk")[:KEPT_DRAFTS]
    assert set(kept_links(html)) == {edit_path(record) for record in newest}
    assert edit_path(made[0]) not in html  # the oldest, past the cap
    assert f"{KEPT_DRAFTS + 3} draf belum dikirim" in html
    assert len(many) == len(few) + 1  # the count of them all, once past the cap; not one query per draft
