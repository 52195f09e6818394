"""The report card (*rapor*) of a library: page and PDF, scoped like the library page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from conftest import World
from tpbis.accounts.scope import scope_for_user
from tpbis.reportcards.forms import Period
from tpbis.reportcards.pdf import report_card_story
from tpbis.reportcards.selectors import report_card_for_user, trend_dates
from tpbis.reportcards.tests.records import advocacy, engagement, story_text, visitors
from tpbis.reports.models import Status

PERIOD = "?mulai=2024-01-01&sampai=2024-09-30"


def _records(world: World) -> None:
    sembung = world.lamongan_village
    engagement(sembung, dt.date(2024, 2, 10), title="Pelatihan literasi digital", participants=1234)
    engagement(sembung, dt.date(2024, 5, 3), title="Kelas menjahit")
    engagement(sembung, dt.date(2024, 9, 30), title="Dongeng anak")
    engagement(sembung, dt.date(2024, 8, 1), status=Status.SUBMITTED, title="Menunggu verifikasi")
    engagement(sembung, dt.date(2024, 8, 2), status=Status.DRAFT, title="Masih draf")
    engagement(sembung, dt.date(2024, 8, 3), status=Status.RETURNED, title="Dikembalikan")
    engagement(sembung, dt.date(2024, 10, 1), title="Sesudah periode")
    engagement(world.lamongan_district, dt.date(2024, 3, 1), title="Kegiatan perpustakaan lain")
    advocacy(sembung, dt.date(2024, 4, 4))
    visitors(sembung, 2024, 3, 100)
    visitors(sembung, 2024, 3, 140)  # a correction of March
    visitors(sembung, 2024, 4, 80, status=Status.DRAFT)


def test_it_shows_the_score_as_of_the_period_end_with_components_and_advice(world: World) -> None:
    _records(world)
    response = world.client_for(world.manager).get(f"/rapor/{world.lamongan_village.pk}/{PERIOD}")
    assert response.status_code == 200
    card = response.context["card"]
    # 3 verified activities × 2.5 + advocacy 18.75 × 1/14 rounded down to 1.25 + visitors 2.5.
    assert card.explained.as_of == dt.date(2024, 9, 30)
    assert card.explained.score == Decimal("11.25")
    assert card.explained.colour == "merah"
    engagement_part = next(p for p in card.explained.parts if p["record_type"] == "pelibatan")
    assert (engagement_part["achieved"], engagement_part["points"]) == (3, 7.5)
    body = response.content.decode()
    # The fewest records first (two parts together), then another way on its own.
    assert "Laporkan 2 kegiatan pelibatan masyarakat lagi dan 4 publikasi untuk mencapai kuning" in body
    assert "atau 12 kegiatan advokasi lagi" in body
    assert "30 September 2024" in body


def test_it_lists_only_counted_activities_of_the_period(world: World) -> None:
    _records(world)
    card = world.client_for(world.manager).get(f"/rapor/{world.lamongan_village.pk}/{PERIOD}").context["card"]
    titles = [a.title for a in card.activities]
    assert titles == ["Pelatihan literasi digital", "Kelas menjahit", "Menunggu verifikasi", "Dongeng anak"]
    counts = {c.record_type: (c.counted, c.verified) for c in card.counts}
    assert counts == {
        "pelibatan": (4, 3),
        "advokasi": (1, 1),
        "publikasi": (0, 0),
        "peningkatan": (0, 0),
        "pengunjung": (2, 2),
    }


def test_it_shows_visitors_per_month_with_the_latest_correction(world: World) -> None:
    _records(world)
    card = world.client_for(world.manager).get(f"/rapor/{world.lamongan_village.pk}/{PERIOD}").context["card"]
    assert [(v.month, v.total) for v in card.visitors] == [(dt.date(2024, 3, 1), 140)]


def test_it_draws_the_month_end_trend_as_an_inline_chart(world: World) -> None:
    _records(world)
    response = world.client_for(world.manager).get(f"/rapor/{world.lamongan_village.pk}/{PERIOD}")
    trend = response.context["card"].trend
    assert [p.date.month for p in trend] == list(range(1, 10))
    assert (trend[0].score, trend[0].colour) == (None, "belum_dinilai")  # nothing reported in January
    assert trend[1].score == Decimal("2.50")  # the February activity
    assert trend[-1].score == Decimal("11.25")
    body = response.content.decode()
    assert body.count('<rect class="bar-') == 9
    assert "https://" not in body.split('<svg class="trend-chart"')[1].split("</svg>")[0]


def test_it_scores_month_ends_inside_the_period_and_its_last_day() -> None:
    period = Period(dt.date(2024, 11, 15), dt.date(2025, 2, 10))
    assert trend_dates(period, today=dt.date(2026, 1, 1)) == [
        dt.date(2024, 11, 30),
        dt.date(2024, 12, 31),
        dt.date(2025, 1, 31),
        dt.date(2025, 2, 10),
    ]
    assert trend_dates(period, today=dt.date(2024, 12, 5)) == [dt.date(2024, 11, 30), dt.date(2024, 12, 5)]


def test_it_defaults_to_this_year_to_date(world: World) -> None:
    response = world.client_for(world.manager).get(f"/rapor/{world.lamongan_village.pk}/")
    card = response.context["card"]
    assert card.period.start.month == card.period.start.day == 1
    assert card.period.end == card.explained.as_of


def test_it_explains_a_period_that_ends_before_it_starts(world: World) -> None:
    response = world.client_for(world.manager).get(
        f"/rapor/{world.lamongan_village.pk}/?mulai=2024-09-30&sampai=2024-01-01"
    )
    assert response.status_code == 200
    assert "Tanggal mulai harus sebelum tanggal sampai." in response.content.decode()


def test_it_hides_a_library_outside_the_users_scope(world: World) -> None:
    sembung = world.lamongan_village.pk
    assert world.client_for(world.facilitator_1905).get(f"/rapor/{sembung}/").status_code == 404
    assert world.client_for(world.facilitator_1905).get(f"/rapor/{sembung}/pdf/").status_code == 404
    assert world.client_for(world.manager).get(f"/rapor/{world.lumajang_village.pk}/").status_code == 404
    assert world.client_for(world.province_35).get(f"/rapor/{sembung}/").status_code == 200
    assert world.client_for(world.facilitator_3524).get(f"/rapor/{sembung}/").status_code == 200


def test_it_asks_an_anonymous_visitor_to_sign_in(client: object, world: World) -> None:
    response = client.get(f"/rapor/{world.lamongan_village.pk}/")  # type: ignore[attr-defined]
    assert response.status_code == 302


def test_it_downloads_the_report_card_as_a_pdf(world: World) -> None:
    _records(world)
    response = world.client_for(world.manager).get(f"/rapor/{world.lamongan_village.pk}/pdf/{PERIOD}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="rapor-perpustakaan-desa-sembung-20240101')
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 3000


def test_it_writes_the_pdf_in_indonesian_numbers_and_dates(world: World) -> None:
    _records(world)
    card = report_card_for_user(
        scope=scope_for_user(world.manager),
        library_id=world.lamongan_village.pk,
        period=Period(dt.date(2024, 1, 1), dt.date(2024, 9, 30)),
    )
    printed = story_text(report_card_story(card))
    assert "Perpustakaan Desa Sembung" in printed
    assert "Kab. Lamongan" in printed
    assert "1 Januari 2024 – 30 September 2024" in printed
    assert "11,25" in printed  # the score
    assert "1.234" in printed  # participants of the digital-literacy training
    assert "10 Februari 2024" in printed
    assert "Masih draf" not in printed
    assert "untuk mencapai kuning" in printed
    assert "1 bulan dilaporkan; 1 bulan sudah cukup" in printed  # March, once with its correction


def test_it_is_linked_from_the_library_page(world: World) -> None:
    body = world.client_for(world.manager).get(f"/mitra/{world.lamongan_village.pk}/").content.decode()
    assert f'href="/rapor/{world.lamongan_village.pk}/"' in body
