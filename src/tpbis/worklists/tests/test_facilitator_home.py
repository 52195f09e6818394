"""The facilitator's work list: what waits, oldest first, only in their own area, in few queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import World, make_library, make_user
from tpbis.accounts.models import Role
from tpbis.reports.models import CommunityEngagement, Status
from tpbis.worklists.tests.factories import engagement, publicity, visitors


def section(html: str, key: str) -> str:
    start = html.index(f'id="wl-{key}"')
    return html[start : html.index("</section>", start)]


def count_in(html: str, key: str) -> int:
    part = section(html, key)
    return int(part.split('data-count="', 1)[1].split('"', 1)[0])


def test_it_sends_facilitators_and_officers_to_the_work_list(world: World) -> None:
    for user in (world.facilitator_3524, world.province_35, world.national):
        response = world.client_for(user).get("/")
        assert response.status_code == 302
        assert response.url == "/kerja/"


def test_it_still_sends_managers_to_their_library(world: World) -> None:
    response = world.client_for(world.manager).get("/")
    assert response.url == f"/mitra/{world.lamongan_village.pk}/"


def test_it_lists_records_to_verify_oldest_first_with_figures_and_age(world: World) -> None:
    engagement(world.lamongan_village, world.manager, days_ago=2, title="Baru kemarin lusa", participants=35)
    engagement(world.lamongan_village, world.manager, days_ago=9, title="Paling lama")
    publicity(world.lamongan_district, world.manager, days_ago=5)
    html = world.client_for(world.facilitator_3524).get("/kerja/").content.decode()
    part = section(html, "verify")
    assert count_in(html, "verify") == 3
    assert part.index("Paling lama") < part.index("Berita 5") < part.index("Baru kemarin lusa")
    assert "35 peserta" in part
    assert "menunggu 9 hari" in part
    assert 'href="/laporan/verifikasi/"' in part


def test_it_shows_the_first_ten_and_the_full_count(world: World) -> None:
    for days in range(12):
        engagement(world.lamongan_village, world.manager, days_ago=days + 1)
    html = world.client_for(world.facilitator_3524).get("/kerja/").content.decode()
    part = section(html, "verify")
    assert count_in(html, "verify") == 12
    assert part.count("<li>") == 10
    assert "menunggu 12 hari" in part and "menunggu 1 hari" not in part
    assert "10 dari 12 ditampilkan" in part


def test_a_count_past_the_cap_reads_999_plus(world: World, monkeypatch: Any) -> None:
    """Counting stops at the cap (3 million waiting records nationally are not counted on every visit)."""
    import tpbis.worklists.sections as sections

    monkeypatch.setattr(sections, "NAV_COUNT_CAP", 5)
    for days in range(7):
        engagement(world.lamongan_village, world.manager, days_ago=days + 1)
    html = world.client_for(world.facilitator_3524).get("/kerja/").content.decode()
    part = section(html, "verify")
    assert count_in(html, "verify") == 5
    assert '<span class="wl-count" data-count="5">4+</span>' in part
    assert "5 dari 4+ ditampilkan" in part or "7 dari" not in part
    assert "Menunggu verifikasi (4+)" in html


def test_a_facilitator_never_sees_another_kabupaten(world: World) -> None:
    engagement(world.lumajang_village, None, days_ago=4, title="Kegiatan Lumajang")
    engagement(world.lumajang_village, None, days_ago=4, title="Dikembalikan Lumajang", status=Status.RETURNED)
    CommunityEngagement.objects.update(input_date=timezone.localdate() - dt.timedelta(days=4))
    html = world.client_for(world.facilitator_3524).get("/kerja/?hari=1").content.decode()
    assert "Lumajang" not in html and "Labruk Kidul" not in html
    province = world.client_for(world.province_35).get("/kerja/?hari=1").content.decode()
    assert "Kegiatan Lumajang" in section(province, "verify")
    assert "Dikembalikan Lumajang" in section(province, "returned")
    assert "Labruk Kidul" in section(province, "verify")
    assert "Labruk Kidul" in section(province, "silent")
    bangka = world.client_for(world.facilitator_1905).get("/kerja/").content.decode()
    assert count_in(bangka, "verify") == 0 and "Sembung" not in bangka


def test_it_lists_libraries_without_a_manager_account_with_an_invitation_link(world: World) -> None:
    html = world.client_for(world.facilitator_3524).get("/kerja/").content.decode()
    part = section(html, "no-account")
    # Sembung has a manager; the kabupaten library has none.
    assert count_in(html, "no-account") == 1
    assert "Perpustakaan Daerah Lamongan" in part and "Sembung" not in part
    assert f'href="/mitra/{world.lamongan_district.pk}/undang/"' in part
    assert 'href="/mitra/akun/"' in part


def test_it_lists_silent_libraries_with_their_last_record_date(world: World) -> None:
    old = engagement(world.lamongan_village, world.manager, days_ago=90, status=Status.VERIFIED)
    CommunityEngagement.objects.filter(pk=old.pk).update(input_date=dt.date(2026, 9, 6))
    today = timezone.localdate()
    html = world.client_for(world.facilitator_3524).get("/kerja/").content.decode()
    part = section(html, "silent")
    expected = 2 if (today - dt.date(2026, 9, 6)).days > 60 else 1
    assert count_in(html, "silent") == expected
    # Never reported first, then the longest silent.
    assert "belum pernah mengirim laporan" in part
    if expected == 2:
        assert "laporan terakhir 6 Sep 2026" in part
        assert part.index("Perpustakaan Daerah Lamongan") < part.index("Sembung")


def test_a_recent_record_takes_a_library_off_the_silent_list_and_hari_changes_the_window(world: World) -> None:
    engagement(world.lamongan_village, world.manager, days_ago=10)
    client = world.client_for(world.facilitator_3524)
    html = client.get("/kerja/").content.decode()
    assert "Sembung" not in section(html, "silent")
    CommunityEngagement.objects.update(input_date=timezone.localdate() - dt.timedelta(days=10))
    html = client.get("/kerja/?hari=5").content.decode()
    assert "Sembung" in section(html, "silent")
    assert "5 hari terakhir" in section(html, "silent")


def test_drafts_do_not_count_as_reporting(world: World) -> None:
    engagement(world.lamongan_village, world.manager, days_ago=1, status=Status.DRAFT)
    html = world.client_for(world.facilitator_3524).get("/kerja/").content.decode()
    assert "Sembung" in section(html, "silent")


def test_bad_days_get_a_field_error_not_a_500(world: World) -> None:
    client = world.client_for(world.facilitator_3524)
    for bad in ("abc", "-3", "0", "99999"):
        response = client.get(f"/kerja/?hari={bad}")
        assert response.status_code == 200
        assert 'class="errorlist"' in response.content.decode()
        assert "60 hari terakhir" in section(response.content.decode(), "silent")


def test_it_lists_returned_records_not_yet_corrected_with_their_age(world: World) -> None:
    engagement(world.lamongan_village, world.manager, days_ago=3, status=Status.RETURNED, title="Perlu foto")
    engagement(world.lamongan_village, world.manager, days_ago=8, status=Status.RETURNED, title="Tanggal salah")
    engagement(world.lamongan_village, world.manager, days_ago=8, status=Status.SUBMITTED, title="Sudah dikirim")
    html = world.client_for(world.facilitator_3524).get("/kerja/").content.decode()
    part = section(html, "returned")
    assert count_in(html, "returned") == 2
    assert part.index("Tanggal salah") < part.index("Perlu foto")
    assert "dikembalikan 8 hari lalu" in part
    full = world.client_for(world.facilitator_3524).get("/kerja/dikembalikan/").content.decode()
    assert "Tanggal salah" in full and "Sudah dikirim" not in full


def test_the_full_silent_list_pages_through_every_library(world: World) -> None:
    html = world.client_for(world.province_35).get("/kerja/senyap/?hari=30").content.decode()
    assert "3 mitra" in html
    assert "Belo Laut" not in html


def test_managers_are_refused(world: World) -> None:
    client = world.client_for(world.manager)
    for url in ("/kerja/", "/kerja/senyap/", "/kerja/dikembalikan/"):
        assert client.get(url).status_code == 403


def test_it_answers_in_a_bounded_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    from tpbis.regions.models import Region

    for village in Region.objects.filter(code__startswith="35.24.", level=4).order_by("code")[:30]:
        library = make_library(f"Perpustakaan Desa {village.name}", village.code)
        manager = make_user(f"m{library.pk}@example.id", Role.MANAGER, library=library)
        engagement(library, manager, days_ago=library.pk % 20 + 1)
        publicity(library, manager, days_ago=3, status=Status.RETURNED)
        visitors(library, manager, year=2025, month=1 + library.pk % 12)
    client = world.client_for(world.facilitator_3524)
    with django_assert_max_num_queries(22):
        response = client.get("/kerja/")
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/kerja/dikembalikan/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/kerja/senyap/?hari=1").status_code == 200


def test_the_pages_keep_the_content_security_policy(world: World) -> None:
    from tpbis.core.tests.test_content_security_policy import policy_problems

    engagement(world.lamongan_village, world.manager, days_ago=2, status=Status.DRAFT)
    engagement(world.lamongan_village, world.manager, days_ago=2, status=Status.RETURNED)
    problems = []
    for path in ("/kerja/", "/kerja/senyap/?hari=5", "/kerja/dikembalikan/"):
        problems += policy_problems(world.client_for(world.facilitator_3524), path)
    problems += policy_problems(world.client_for(world.manager), f"/mitra/{world.lamongan_village.pk}/")
    assert not problems, "\n".join(problems)
