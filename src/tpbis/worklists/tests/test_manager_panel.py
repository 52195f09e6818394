"""The manager's panel on their library page: drafts, returned records, last month's visitor report and
the one entry that raises the KPI score the most."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from conftest import World
from tpbis.kpi.models import Component, Measure, Scheme
from tpbis.kpi.selectors import score_explained
from tpbis.kpi.services import scheme_for, schemes_load
from tpbis.reports.models import Status
from tpbis.worklists.manager import missing_visitor_month, next_action, pending_counts
from tpbis.worklists.tests.factories import engagement, publicity, visitors

TODAY = timezone.localdate()


def panel(html: str) -> str:
    start = html.index('id="wl-manager"')
    return html[start : html.index("</section>", start)]


def page(world: World, user: Any = None) -> str:
    client = world.client_for(user or world.manager)
    return client.get(f"/mitra/{world.lamongan_village.pk}/").content.decode()


def test_it_shows_a_draft_with_a_link_to_continue(world: World) -> None:
    draft = engagement(world.lamongan_village, world.manager, days_ago=1, status=Status.DRAFT, title="Belum selesai")
    part = panel(page(world))
    assert "1 draf belum dikirim" in part
    assert "Belum selesai" in part
    assert f'href="/laporan/pelibatan/{draft.pk}/ubah/"' in part


def test_it_shows_a_returned_record_with_its_comment_once(world: World) -> None:
    record = engagement(
        world.lamongan_village, world.manager, days_ago=2, status=Status.RETURNED, return_comment="Foto buram"
    )
    html = page(world)
    assert "1 laporan dikembalikan untuk diperbaiki" in panel(html)
    assert "Foto buram" in panel(html)
    assert f'href="/laporan/pelibatan/{record.pk}/ubah/"' in panel(html)
    assert html.count("laporan dikembalikan untuk diperbaiki") == 1  # the old banner is replaced, not repeated


def test_a_facilitator_sees_the_returned_banner_but_not_the_managers_panel(world: World) -> None:
    engagement(world.lamongan_village, world.manager, days_ago=2, status=Status.RETURNED, return_comment="Foto buram")
    html = page(world, world.facilitator_3524)
    assert 'id="wl-manager"' not in html
    assert "1 laporan dikembalikan untuk diperbaiki" in html


def test_missing_visitor_report_appears_after_the_month_ends_and_goes_once_entered(world: World) -> None:
    library = world.lamongan_village
    assert missing_visitor_month(library=library, today=dt.date(2026, 10, 31)) == dt.date(2026, 9, 1)
    visitors(library, world.manager, year=2026, month=9)
    assert missing_visitor_month(library=library, today=dt.date(2026, 10, 31)) is None
    # October is missing only once October is over.
    assert missing_visitor_month(library=library, today=dt.date(2026, 11, 1)) == dt.date(2026, 10, 1)
    visitors(library, world.manager, year=2026, month=10, status=Status.DRAFT)  # started: shown as a draft
    assert missing_visitor_month(library=library, today=dt.date(2026, 11, 1)) is None


def test_the_page_links_the_missing_month_to_the_visitor_form(world: World) -> None:
    last = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    part = panel(page(world))
    assert "Laporan pengunjung" in part and "belum diisi" in part
    assert f"/laporan/pengunjung/baru/?perpustakaan={world.lamongan_village.pk}&amp;bulan={last.month}" in part
    visitors(world.lamongan_village, world.manager, year=last.year, month=last.month)
    assert "belum diisi" not in panel(page(world))


def _scheme(weights: dict[str, tuple[str, str, str, str]]) -> None:
    """Replace the default scheme: record type -> (measure, target, weight, step)."""
    Scheme.objects.update(is_active=False)
    scheme = Scheme.objects.create(
        name="Uji", effective_from=dt.date(2018, 1, 1), library_kinds=[], green_above=75, yellow_above=25
    )
    for position, (record_type, (measure, target, weight, step)) in enumerate(weights.items()):
        Component.objects.create(
            scheme=scheme,
            position=position,
            label={"pelibatan": "Pelibatan masyarakat", "publikasi": "Publikasi", "advokasi": "Advokasi"}.get(
                record_type, "Pengunjung"
            ),
            record_type=record_type,
            measure=measure,
            target=Decimal(target),
            weight=Decimal(weight),
            rounding_step=Decimal(step),
        )


def test_next_action_points_to_the_component_with_most_points_open(world: World) -> None:
    _scheme(
        {
            "pelibatan": (Measure.COUNT, "10", "20", "0"),  # 2 points a record
            "publikasi": (Measure.COUNT, "4", "20", "0"),  # 5 points a record
            "advokasi": (Measure.COUNT, "20", "60", "0"),  # 3 points a record
        }
    )
    part = panel(page(world))
    assert "Tambahkan 1 laporan publikasi: +5 poin" in part
    assert f'href="/laporan/publikasi/baru/?perpustakaan={world.lamongan_village.pk}"' in part


def test_next_action_moves_on_when_a_component_is_full(world: World) -> None:
    _scheme({"pelibatan": (Measure.COUNT, "10", "20", "0"), "publikasi": (Measure.COUNT, "2", "10", "0")})
    for _ in range(2):
        publicity(world.lamongan_village, world.manager, days_ago=0, status=Status.VERIFIED)
    assert "Tambahkan 1 laporan pelibatan masyarakat: +2 poin" in panel(page(world))


def test_records_waiting_for_verification_count_as_already_in(world: World) -> None:
    _scheme({"pelibatan": (Measure.COUNT, "10", "20", "0"), "publikasi": (Measure.COUNT, "1", "10", "0")})
    publicity(world.lamongan_village, world.manager, days_ago=0, status=Status.SUBMITTED)
    assert pending_counts(library=world.lamongan_village, year=TODAY.year) == {"publikasi": 1}
    assert "laporan pelibatan masyarakat" in panel(page(world))


def test_a_rounding_step_asks_for_as_many_records_as_it_takes(world: World) -> None:
    _scheme({"advokasi": (Measure.COUNT, "14", "18.75", "2.5")})  # 1,34 points a record, counted per 2,5
    library = world.lamongan_village
    explained = score_explained(library=library)
    scheme = scheme_for(schemes_load(), date=explained.as_of, kind=library.kind)
    action = next_action(explained=explained, scheme=scheme, pending={})
    assert action is not None
    assert (action.record_type, action.records, action.points) == ("advokasi", 2, Decimal("2.5"))
    assert "Tambahkan 2 laporan advokasi: +2,5 poin" in panel(page(world))


def test_the_default_scheme_suggests_an_entry(world: World) -> None:
    part = panel(page(world))
    assert "Tambahkan 1 laporan" in part and "poin" in part


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED])
def test_the_library_page_stays_bounded(world: World, status: str, django_assert_max_num_queries: Any) -> None:
    for days in range(15):
        engagement(world.lamongan_village, world.manager, days_ago=days, status=status)
    client = world.client_for(world.manager)
    client.get(f"/mitra/{world.lamongan_village.pk}/")
    with django_assert_max_num_queries(40):
        response = client.get(f"/mitra/{world.lamongan_village.pk}/")
    assert response.status_code == 200
