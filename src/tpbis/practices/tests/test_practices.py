"""The good-practice library: search, review chain, visibility, limits, and "Coba ini"."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from conftest import World, make_library, make_user
from tpbis.accounts.models import Role
from tpbis.accounts.scope import scope_for_user
from tpbis.audit.models import AuditEvent
from tpbis.libraries.models import LibraryKind
from tpbis.notifications.models import Notification
from tpbis.practices.demo import practices_demo_load
from tpbis.practices.models import Practice, PracticeStatus
from tpbis.practices.selectors import PracticeFilters, practice_list_for_user, try_this
from tpbis.practices.services import PracticeConflict, practice_publish, practice_return, practice_submit
from tpbis.practices.tests.helpers import FIELDS, practice_make
from tpbis.reports.models import CommunityEngagement, Status
from tpbis.reports.tests.test_entry import jpeg

pytestmark = pytest.mark.django_db


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {**FIELDS, "focus": []}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _demo(world: World) -> list[Practice]:
    """The seed practices; Labruk Kidul is in the world, Klemunan (Blitar) is added as the demo has it."""
    make_library("Perpustakaan Kelurahan Klemunan", "35.05.17.1006")
    return practices_demo_load(reviewer=world.province_35)


def _titles(world: World, user: object, q: str) -> list[str]:
    scope = scope_for_user(user)  # type: ignore[arg-type]
    return [p.title for p in practice_list_for_user(scope=scope, filters=PracticeFilters(q=q))]


# ---------------------------------------------------------------------------------------------- search


def test_it_finds_the_demo_practice_by_a_word_of_its_body_anywhere(world: World) -> None:
    knitting, _mawar = _demo(world)
    assert "merajut" not in knitting.problem and "merajut" in knitting.steps
    # Published: Sembung's manager (Lamongan) and the Bangka Barat facilitator (another province) find it.
    for user in (world.manager, world.facilitator_1905):
        response = world.client_for(user).get(reverse("practices:list"), {"q": "merajut"})
        assert response.status_code == 200
        assert knitting.title in response.content.decode()
        assert [p.pk for p in response.context["page"]] == [knitting.pk]


def test_it_never_finds_an_unpublished_practice_outside_scope(world: World) -> None:
    _demo(world)
    belo_laut_manager = make_user("belolaut@example.id", Role.MANAGER, library=world.belo_laut)
    draft = practice_make(
        library=world.belo_laut, author=belo_laut_manager, title="Pelatihan merajut tas", steps="Kami merajut."
    )
    assert draft.status == PracticeStatus.SUBMITTED
    assert draft.title not in _titles(world, world.manager, "merajut")
    assert draft.title not in _titles(world, world.province_35, "merajut")
    # Its own kabupaten's facilitator and the national team see it (they review or help write it).
    assert draft.title in _titles(world, world.facilitator_1905, "merajut")
    assert draft.title in _titles(world, world.national, "merajut")


def test_the_site_search_finds_published_practices_and_never_a_draft_outside_scope(world: World) -> None:
    knitting, _mawar = _demo(world)
    belo_laut_manager = make_user("belolaut@example.id", Role.MANAGER, library=world.belo_laut)
    draft = practice_make(
        library=world.belo_laut, author=belo_laut_manager, title="Pelatihan merajut tas", steps="Kami merajut."
    )
    for user, sees_draft in ((world.manager, False), (world.province_35, False), (world.facilitator_1905, True)):
        page = world.client_for(user).get("/cari/", {"q": "merajut"}).content.decode()
        assert knitting.title in page
        assert (draft.title in page) is sees_draft


def test_it_filters_by_tags(world: World) -> None:
    knitting, mawar = _demo(world)
    client = world.client_for(world.manager)
    page = client.get(reverse("practices:list"), {"component": "publikasi"}).context["page"]
    assert [p.pk for p in page] == [mawar.pk]
    page = client.get(reverse("practices:list"), {"cost": "low"}).context["page"]
    assert [p.pk for p in page] == [knitting.pk]
    page = client.get(reverse("practices:list"), {"q": "merajut", "advocacy_result": "NonDana"}).context["page"]
    assert list(page) == []


# ------------------------------------------------------------------------------------- review chain


def test_it_returns_then_publishes_with_history_and_tells_the_author(world: World) -> None:
    practice = practice_make(library=world.lamongan_village, author=world.manager)
    officer = world.client_for(world.province_35)
    url = reverse("practices:review", args=[practice.pk])
    officer.post(url, {"action": "return", "comment": "Tambahkan angka hasilnya."})
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.RETURNED
    assert practice.return_comment == "Tambahkan angka hasilnya."
    notice = Notification.objects.get(recipient=world.manager)
    assert "dikembalikan" in notice.title and notice.url == reverse("practices:detail", args=[practice.pk])

    manager = world.client_for(world.manager)
    response = manager.post(reverse("practices:edit", args=[practice.pk]), _form(results="40 peserta, 7 bekerja."))
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.SUBMITTED and practice.results == "40 peserta, 7 bekerja."

    officer.post(url, {"action": "publish", "is_public": "on"})
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.PUBLISHED and practice.is_public
    assert Notification.objects.filter(recipient=world.manager).count() == 2
    chain = list(practice.steps_taken.values_list("from_status", "to_status"))
    assert chain == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "published"),
    ]
    events = AuditEvent.objects.filter(object_id=practice.pk, content_type__model="practice")
    assert events.count() == 6  # created, submitted, returned, edited, resubmitted, published
    page = manager.get(reverse("practices:detail", args=[practice.pk])).content.decode()
    assert "Tambahkan angka hasilnya." in page and "dikirim ulang" in page


def test_it_refuses_a_second_publication_with_a_clear_message(world: World) -> None:
    practice = practice_make(library=world.lamongan_village, author=world.manager)
    stale = Practice.objects.get(pk=practice.pk)  # what a second officer's page read
    practice_publish(practice=practice, actor=world.province_35)
    with pytest.raises(PracticeConflict, match="sudah diterbitkan"):
        practice_publish(practice=stale, actor=world.national)
    with pytest.raises(PracticeConflict, match="sudah diterbitkan"):
        practice_return(practice=stale, actor=world.national, comment="Kurang lengkap")
    stale.refresh_from_db()
    assert stale.published_by == world.province_35
    assert Notification.objects.filter(recipient=world.manager).count() == 1
    response = world.client_for(world.national).post(
        reverse("practices:review", args=[practice.pk]), {"action": "publish"}, follow=True
    )
    assert "sudah diterbitkan" in response.content.decode()
    assert practice.steps_taken.filter(to_status=PracticeStatus.PUBLISHED).count() == 1


def test_it_needs_a_comment_to_return(world: World) -> None:
    practice = practice_make(library=world.lamongan_village, author=world.manager)
    with pytest.raises(Exception, match="perlu diperbaiki"):
        practice_return(practice=practice, actor=world.province_35, comment="  ")
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.SUBMITTED


def test_a_draft_cannot_be_published_and_writers_cannot_review(world: World) -> None:
    practice = practice_make(library=world.lamongan_village, author=world.manager)
    Practice.objects.filter(pk=practice.pk).update(status=PracticeStatus.DRAFT)
    with pytest.raises(PracticeConflict, match="masih draf"):
        practice_publish(practice=practice, actor=world.province_35)
    practice_submit(practice=practice, actor=world.manager)
    for user in (world.manager, world.facilitator_3524):
        response = world.client_for(user).post(reverse("practices:review", args=[practice.pk]), {"action": "publish"})
        assert response.status_code == 403
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.SUBMITTED


# ---------------------------------------------------------------------------------------- visibility


@pytest.mark.parametrize(
    ("persona", "status"),
    [("manager", 200), ("facilitator_3524", 200), ("province_35", 200), ("national", 200), ("facilitator_1905", 404)],
)
def test_an_unpublished_practice_is_seen_only_in_scope(world: World, persona: str, status: int) -> None:
    practice = practice_make(library=world.lamongan_village, author=world.manager)
    response = world.client_for(getattr(world, persona)).get(reverse("practices:detail", args=[practice.pk]))
    assert response.status_code == status


def test_a_published_practice_is_seen_by_everyone_signed_in_and_public_only_when_marked(world: World) -> None:
    shown = practice_make(
        library=world.lamongan_village, author=world.manager, publish_by=world.province_35, public=True
    )
    inside = practice_make(
        library=world.lamongan_village, author=world.manager, publish_by=world.province_35, title="Hanya internal"
    )
    waiting = practice_make(library=world.lamongan_village, author=world.manager, title="Belum terbit")
    assert (
        world.client_for(world.facilitator_1905).get(reverse("practices:detail", args=[inside.pk])).status_code == 200
    )
    anonymous = world.client_for(world.manager)
    anonymous.logout()
    page = anonymous.get(reverse("practices:public_list")).content.decode()
    assert shown.title in page and inside.title not in page and waiting.title not in page
    assert anonymous.get(reverse("practices:public_detail", args=[shown.pk])).status_code == 200
    for hidden in (inside, waiting):
        assert anonymous.get(reverse("practices:public_detail", args=[hidden.pk])).status_code == 404
    assert anonymous.get(reverse("practices:detail", args=[shown.pk])).status_code == 302
    assert reverse("practices:public_list") in anonymous.get(reverse("public:figures")).content.decode()


def test_photos_are_re_encoded_and_served_to_whoever_may_read_the_practice(world: World) -> None:
    manager = world.client_for(world.manager)
    response = manager.post(
        reverse("practices:create"), {**_form(), "perpustakaan": world.lamongan_village.pk, "photos": [jpeg()]}
    )
    assert response.status_code == 302
    practice = Practice.objects.get()
    from tpbis.reports.photos import photos_for

    photo = photos_for(practice).get()
    url = reverse("practices:photo", args=[practice.pk, photo.pk, "thumb"])
    outsider = world.client_for(world.facilitator_1905)
    assert outsider.get(url).status_code == 404
    practice_publish(practice=practice, actor=world.province_35)
    answer = outsider.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"


# ---------------------------------------------------------------------------------------------- writing


def test_it_refuses_a_5000_word_practice_and_keeps_every_value(world: World) -> None:
    client = world.client_for(world.manager)
    record = CommunityEngagement.objects.create(
        library=world.lamongan_village,
        title="Pelatihan merajut",
        activity_field="Ekonomi",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=20,
        status=Status.VERIFIED,
    )
    long_steps = " ".join(["merajut"] * 5000)
    data = _form(
        title="Judul yang harus tetap ada",
        steps=long_steps,
        cost="funded",
        advocacy_result="Dana",
        focus=["publikasi"],
        records=[f"pelibatan:{record.pk}"],
        perpustakaan=world.lamongan_village.pk,
    )
    response = client.post(reverse("practices:create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "5.000 kata" in page and "1.500 kata" in page
    assert not Practice.objects.exists()
    form = response.context["form"]
    assert form["title"].value() == "Judul yang harus tetap ada"
    assert form["cost"].value() == "funded" and form["advocacy_result"].value() == "Dana"
    assert form["focus"].value() == ["publikasi"] and form["records"].value() == [f"pelibatan:{record.pk}"]
    assert 'value="Judul yang harus tetap ada"' in page
    assert f'value="pelibatan:{record.pk}"' in page and "checked" in page


def test_records_of_another_library_cannot_be_linked(world: World) -> None:
    other = CommunityEngagement.objects.create(
        library=world.lumajang_village,
        title="Kegiatan desa lain",
        activity_field="Ekonomi",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=5,
    )
    response = world.client_for(world.manager).post(
        reverse("practices:create"),
        _form(records=[f"pelibatan:{other.pk}"], perpustakaan=world.lamongan_village.pk),
    )
    assert response.status_code == 200
    assert "bukan laporan perpustakaan ini" in response.content.decode()
    assert not Practice.objects.exists()


def test_only_managers_and_facilitators_write_and_only_in_their_scope(world: World) -> None:
    url = reverse("practices:create")
    library = world.lamongan_village.pk
    assert world.client_for(world.manager).get(url).status_code == 200  # their only library
    assert world.client_for(world.facilitator_3524).get(url, {"perpustakaan": library}).status_code == 200
    assert world.client_for(world.province_35).get(url, {"perpustakaan": library}).status_code == 403
    assert world.client_for(world.facilitator_1905).get(url, {"perpustakaan": library}).status_code == 404
    response = world.client_for(world.facilitator_3524).post(url, {**_form(), "perpustakaan": library, "draft": "1"})
    assert response.status_code == 302
    practice = Practice.objects.get()
    assert practice.status == PracticeStatus.DRAFT and practice.author == world.facilitator_3524


# ---------------------------------------------------------------------------------------------- try this


def test_try_this_suggests_a_practice_of_a_similar_library_that_raised_the_missing_part(world: World) -> None:
    neighbour = make_library("Perpustakaan Desa Tetangga", "35.24.01.2002")
    district = world.lamongan_district
    author = world.facilitator_3524
    publicity = practice_make(
        library=neighbour,
        author=author,
        publish_by=world.province_35,
        title="Setiap kegiatan diunggah",
        focus=["publikasi"],
        activity_field="",
        audience="",
    )
    practice_make(  # raised engagement only: unrelated to what is missing
        library=neighbour, author=author, publish_by=world.province_35, title="Kelas anak", activity_field="Pendidikan"
    )
    practice_make(  # the right part, but a kabupaten library: not like a village library
        library=district, author=author, publish_by=world.province_35, title="Media daerah", focus=["publikasi"]
    )
    practice_make(library=neighbour, author=author, title="Belum terbit", focus=["publikasi"])  # not published
    red = SimpleNamespace(
        colour="merah",
        parts=[
            {"record_type": "publikasi", "label": "Publikasi", "points": 0, "weight": 11.25},
            {"record_type": "pelibatan", "label": "Pelibatan", "points": 17.5, "weight": 17.5},
        ],
    )
    suggestions = try_this(library=world.lamongan_village, explained=red)
    assert [p.pk for p in suggestions] == [publicity.pk]
    html = render_to_string("practices/_try_this.html", {"library": world.lamongan_village, "explained": red})
    assert "Coba ini" in html and publicity.title in html and "Kelas anak" not in html
    green = SimpleNamespace(colour="hijau", parts=red.parts)
    assert try_this(library=world.lamongan_village, explained=green) == []
    assert world.lamongan_village.kind == neighbour.kind == LibraryKind.VILLAGE


def test_try_this_prefers_the_same_kabupaten(world: World) -> None:
    far = make_library("Perpustakaan Desa Jauh", "35.05.17.1006")  # Blitar, same province
    near = make_library("Perpustakaan Desa Dekat", "35.24.01.2002")
    author = world.province_35
    first = practice_make(library=far, author=author, publish_by=world.province_35, focus=["advokasi"])
    second = practice_make(library=near, author=author, publish_by=world.province_35, focus=["advokasi"])
    red = SimpleNamespace(colour="merah", parts=[{"record_type": "advokasi", "points": 0, "weight": 18.75}])
    assert [p.pk for p in try_this(library=world.lamongan_village, explained=red)] == [second.pk, first.pk]
    outside = SimpleNamespace(colour="kuning", parts=red.parts)
    assert try_this(library=world.belo_laut, explained=outside) == []  # other province: none nearby
