"""A new manager's first page walks them through their first entry, until they make it or close the guide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import World, make_library, make_user
from tpbis.accounts.models import DismissedTip, Role, User
from tpbis.libraries.models import Library
from tpbis.reports.models import CommunityEngagement, Visitors
from tpbis.reports.photos import photos_prepare
from tpbis.reports.services import record_create
from tpbis.reports.tests.test_entry import jpeg

GUIDE = "Langkah 1:"


def _fresh(world: World) -> tuple[Library, User]:
    library = make_library("Perpustakaan Desa Baru", "35.24.01.2001")
    return library, make_user("baru@example.id", Role.MANAGER, library=library)


def _page(world: World, user: User, library: Library) -> str:
    response = world.client_for(user).get(f"/mitra/{library.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _activity(user: User, library: Library, *, submit: bool = True) -> CommunityEngagement:
    record, _ = record_create(
        model=CommunityEngagement,
        user=user,
        library=library,
        data={
            "date": timezone.localdate() - dt.timedelta(days=2),
            "title": "Bimbingan belajar",
            "activity_field": "Pendidikan",
            "activity_kind": "Pelatihan",
            "audience": "Anak",
            "participants": 15,
        },
        photos=photos_prepare(files=[jpeg()]),
        submit=submit,
    )
    return record


def test_it_walks_a_new_manager_to_their_first_entry(world: World) -> None:
    library, manager = _fresh(world)

    page = _page(world, manager, library)

    assert GUIDE in page and "Langkah 2:" in page
    assert f'href="/laporan/pelibatan/baru/?perpustakaan={library.pk}"' in page
    assert 'href="/bantuan/' in page


def test_its_help_links_lead_to_existing_pages(world: World) -> None:
    library, manager = _fresh(world)
    client = world.client_for(manager)
    page = client.get(f"/mitra/{library.pk}/").content.decode()
    start = page.index('class="card first-entry"')
    guide = page[start : page.index("</section>", start)]

    links = {part.split('"', 1)[0] for part in guide.split('href="')[1:]}

    assert any(link.startswith("/bantuan/") for link in links)
    for link in links:
        assert client.get(link).status_code == 200, link


def test_it_is_gone_after_the_first_entry(world: World) -> None:
    library, manager = _fresh(world)
    _activity(manager, library, submit=False)

    assert GUIDE not in _page(world, manager, library)


def test_it_is_not_shown_for_a_library_that_already_has_records(world: World) -> None:
    library, _first = _fresh(world)
    _activity(_first, library)
    successor = make_user("pengganti@example.id", Role.MANAGER, library=library)

    assert GUIDE not in _page(world, successor, library)


def test_it_is_not_shown_to_a_manager_who_has_entered_before(world: World) -> None:
    library, manager = _fresh(world)
    Visitors.objects.create(library=world.lamongan_village, entered_by=manager, year=2026, month=1, total=10)

    assert GUIDE not in _page(world, manager, library)


def test_it_stays_closed_once_dismissed(world: World) -> None:
    library, manager = _fresh(world)
    client = world.client_for(manager)

    response = client.post(f"/mitra/{library.pk}/panduan/tutup/")

    assert response.status_code == 302
    assert response["Location"] == f"/mitra/{library.pk}/"
    assert GUIDE not in client.get(f"/mitra/{library.pk}/").content.decode()
    assert DismissedTip.objects.filter(user=manager).count() == 1
    assert client.post(f"/mitra/{library.pk}/panduan/tutup/").status_code == 302, "closing twice is harmless"


def test_it_is_not_shown_to_a_facilitator(world: World) -> None:
    library, _manager = _fresh(world)

    assert GUIDE not in _page(world, world.facilitator_3524, library)


def test_it_costs_one_query(world: World, django_assert_num_queries: Any) -> None:
    from tpbis.libraries.first_entry import first_entry_due

    library, manager = _fresh(world)

    with django_assert_num_queries(1):
        assert first_entry_due(user=manager, library=library, role=Role.MANAGER)
