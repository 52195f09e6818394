"""Region figures against hand-computed values: what counts, what does not, at every level and period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from conftest import World, make_library
from tpbis.accounts.scope import scope_for_user
from tpbis.dashboards.models import FIGURE_COLUMNS, DistrictMonth, LibraryMonth, RegencyMonth
from tpbis.dashboards.selectors import (
    child_region_rows,
    most_active_libraries,
    region_figures,
    region_stats,
)
from tpbis.dashboards.services import summaries_rebuild
from tpbis.libraries.models import Library
from tpbis.reports.models import (
    Advocacy,
    CommunityEngagement,
    InformationService,
    Publicity,
    Status,
    Visitors,
)
from tpbis.reports.signals import records_changed

START, END = dt.date(2024, 1, 1), dt.date(2024, 9, 30)
V, S = Status.VERIFIED, Status.SUBMITTED


def engagement(library: Library, day: str, status: str = V, participants: int = 10, **extra: Any) -> None:
    CommunityEngagement.objects.create(
        library=library,
        date=dt.date.fromisoformat(day),
        status=status,
        title="Kegiatan",
        activity_field="Pendidikan",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=participants,
        **extra,
    )


def split(male: int, female: int, disability: int) -> dict[str, int]:
    return {"participants_male": male, "participants_female": female, "participants_disability": disability}


def build(world: World) -> None:
    """East Java's known records for January–September 2024 plus noise that must not count."""
    sembung, district, lumajang = world.lamongan_village, world.lamongan_district, world.lumajang_village
    # Sembung reaches score 100 by 30 September: 7 activities, 14 advocacy, 4 publicity, visitors, information.
    for day in ["2024-03-10", "2024-04-10", "2024-05-10", "2024-06-10", "2024-07-10", "2024-08-10", "2024-09-30"]:
        engagement(sembung, day, **split(6, 4, 1))
    engagement(sembung, "2024-03-01", status=S, participants=20)  # submitted: counts, not verified
    engagement(sembung, "2024-01-01", status=S, participants=5, date_unknown=True)  # counted on 1 January
    for status in (Status.DRAFT, Status.RETURNED, Status.WITHDRAWN):
        engagement(sembung, "2024-04-01", status=status, participants=99)
    engagement(sembung, "2024-10-01", participants=99)  # after the period
    engagement(sembung, "2023-12-31", participants=99)  # before the period
    for i in range(14):
        Advocacy.objects.create(
            library=sembung, date=dt.date(2024, 1 + i % 9, 15), status=V, title="Audiensi", outcome="NonDana"
        )
    Advocacy.objects.create(library=sembung, date=dt.date(2024, 7, 1), status=S, title="Audiensi", outcome="NonDana")
    for month in (2, 4, 6, 8):
        Publicity.objects.create(
            library=sembung, date=dt.date(2024, month, 20), status=V, title="Kabar", media_kind="Media Online"
        )
    capacity = {"books": 1000, "digital_books": 100, "computers": 3, "bandwidth": Decimal(20)}
    InformationService.objects.create(library=sembung, year=2024, month=1, status=V, **capacity)
    InformationService.objects.create(library=sembung, year=2024, month=7, status=V, **capacity)
    InformationService.objects.create(library=sembung, year=2024, month=10, status=V, **capacity)  # after
    InformationService.objects.create(library=sembung, year=2024, month=3, status=Status.DRAFT, **capacity)
    Visitors.objects.create(library=sembung, year=2024, month=1, male=5, female=7, total=12, status=V)
    Visitors.objects.create(library=sembung, year=2024, month=9, male=4, female=6, total=10, status=S)
    engagement(district, "2024-03-15", participants=30, **split(10, 20, 2))
    engagement(lumajang, "2024-01-20", participants=5)
    engagement(lumajang, "2024-01-21", participants=5)
    for _ in range(5):
        engagement(world.belo_laut, "2024-02-01", participants=50)  # another province
    # Not partners: inactive, or joining after the period's year. Their records count nowhere either.
    inactive = make_library("Perpustakaan Desa Nonaktif", "35.24.01.2002", is_active=False)
    make_library("Perpustakaan Desa Baru", "35.24.01.2003", cohort_year=2025)
    records_changed.send(
        sender=None, library_ids={sembung.pk, district.pk, lumajang.pk, world.belo_laut.pk, inactive.pk}
    )


@pytest.fixture
def east_java(world: World) -> World:
    build(world)
    return world


def test_it_counts_every_figure_of_a_province_by_hand(east_java: World) -> None:
    scope = scope_for_user(east_java.province_35)
    figures = region_figures(scope=scope, region_code="35", start=START, end=END)
    assert figures.region.name == "Jawa Timur"
    assert figures.partners.total == 3
    assert figures.partners.by_kind == {"provinsi": 0, "kabupaten_kota": 1, "desa_kelurahan": 2, "tbm": 0}
    assert figures.partners.by_support == {"full_support": 2, "bantuan_buku": 1, "replikasi_mandiri": 0}
    assert figures.partners.by_cohort == {2019: 1, 2022: 2}
    # Sembung's manager was invited (an account not yet activated still counts as an account).
    assert (figures.partners.without_account, figures.partners.without_account_pct) == (2, 66.7)
    records = {t: (c.submitted, c.verified) for t, c in figures.records.items()}
    assert records == {
        "pelibatan": (12, 10),
        "advokasi": (15, 14),
        "publikasi": (4, 4),
        "peningkatan": (2, 2),
        "pengunjung": (2, 1),
    }
    p = figures.participants
    assert (p.total, p.male, p.female, p.disability) == (135, 52, 48, 9)
    assert figures.visitors.total == 22
    assert figures.kpi_as_of == END
    c = figures.colours
    assert (c.hijau, c.kuning, c.merah, c.belum_dinilai) == (1, 0, 2, 0)
    assert [(g.name, g.score) for g in figures.green_100] == [("Perpustakaan Desa Sembung", Decimal("100.00"))]
    assert [t.name for t in figures.top] == [
        "Perpustakaan Desa Sembung",
        "Perpustakaan Desa Labruk Kidul",
        "Perpustakaan Daerah Lamongan",
    ]
    assert figures.bottom[0].name == "Perpustakaan Daerah Lamongan"
    by_month = {m.month.month: m.records["pelibatan"].submitted for m in figures.months}
    assert by_month == {1: 3, 2: 0, 3: 3, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1}


def test_it_gives_the_same_figures_from_the_summary_and_from_the_records(east_java: World) -> None:
    scope = scope_for_user(east_java.national)
    # Kecamatan figures are read from the records; kabupaten figures from the summary.
    kecamatan = region_figures(scope=scope, region_code="35.24.01", start=START, end=END)
    assert kecamatan.partners.total == 1
    assert (kecamatan.records["pelibatan"].submitted, kecamatan.records["pelibatan"].verified) == (9, 7)
    assert kecamatan.participants.total == 95
    lamongan = region_figures(scope=scope, region_code="35.24", start=START, end=END)
    assert (lamongan.records["pelibatan"].submitted, lamongan.records["pelibatan"].verified) == (10, 8)
    assert lamongan.participants.total == 135 - 10


def test_it_cuts_months_at_custom_dates(east_java: World) -> None:
    scope = scope_for_user(east_java.national)
    start, end = dt.date(2024, 3, 11), dt.date(2024, 9, 29)
    for code in ("35", "35.24", "35.24.01"):
        figures = region_figures(scope=scope, region_code=code, start=start, end=end)
        district = 1 if code != "35.24.01" else 0
        assert figures.records["pelibatan"].submitted == 5 + district, code
        # Monthly records count when their month's first day lies in the period: July yes, March no.
        assert figures.records["peningkatan"].submitted == 1, code
        assert (figures.records["pengunjung"].submitted, figures.records["pengunjung"].verified) == (1, 0), code
        assert figures.records["advokasi"].submitted == 1 + 10, code  # 15 March ... 15 September and 1 July


def test_it_builds_one_row_per_child_region(east_java: World) -> None:
    scope = scope_for_user(east_java.national)
    rows = {r.region.code: r for r in child_region_rows(scope=scope, region_code="35", start=START, end=END)}
    assert len(rows) == 38  # every kabupaten/kota of East Java, with or without partners
    lamongan, lumajang = rows["35.24"], rows["35.08"]
    assert (lamongan.partners, lamongan.without_account, lamongan.records["pelibatan"].submitted) == (2, 1, 10)
    assert (lamongan.colours.hijau, lamongan.colours.merah, lamongan.green_pct) == (1, 1, 50.0)
    assert (lumajang.partners, lumajang.without_account_pct, lumajang.participants) == (1, 100.0, 10)
    assert rows["35.01"].partners == 0
    nation = child_region_rows(scope=scope, region_code=None, start=START, end=END, sort="-pelibatan")
    assert [r.region.code for r in nation[:2]] == ["35", "19"]
    assert nation[1].records["pelibatan"].submitted == 5
    kecamatan = child_region_rows(scope=scope, region_code="35.24", start=START, end=END)
    assert kecamatan[0].is_parent_level and kecamatan[0].partners == 1  # the kabupaten library itself
    assert {r.region.code: r.records["pelibatan"].submitted for r in kecamatan}["35.24.01"] == 9


def test_it_answers_the_stats_json_of_the_issue(east_java: World) -> None:
    stats = region_stats(region_code="35", start=START, end=END)
    assert stats == {
        "region": {"code": "35", "name": "Jawa Timur"},
        "period": {"start": "2024-01-01", "end": "2024-09-30"},
        "partners": {
            "total": 3,
            "by_kind": {"provinsi": 0, "kabupaten_kota": 1, "desa_kelurahan": 2, "tbm": 0},
            "by_support": {"full_support": 2, "bantuan_buku": 1, "replikasi_mandiri": 0},
            "without_account": 2,
            "without_account_pct": 66.7,
        },
        "records": {
            "pelibatan": {"submitted": 12, "verified": 10},
            "advokasi": {"submitted": 15, "verified": 14},
            "publikasi": {"submitted": 4, "verified": 4},
            "peningkatan": {"submitted": 2, "verified": 2},
            "pengunjung": {"submitted": 2, "verified": 1},
        },
        "participants": {"total": 135, "male": 52, "female": 48, "disability": 9},
        "kpi": {"as_of": "2024-09-30", "hijau": 1, "kuning": 0, "merah": 2, "belum_dinilai": 0},
        "green_100": [{"library": "Perpustakaan Desa Sembung", "region_code": "35.24.01.2001", "score": 100}],
        # 3 partners × 9 months; Sembung's January and September, both entered today: late.
        "reporting_rate": 7.4,
        "reporting_rate_on_time": 0.0,
        "reports_expected": 27,
        "reports_received": 2,
        "reports_on_time": 0,
    }
    nation = region_stats(region_code=None, start=START, end=END)
    assert nation["region"] == {"code": None, "name": "Indonesia"}
    assert nation["partners"]["total"] == 4
    assert nation["records"]["pelibatan"]["submitted"] == 17


def _summaries() -> tuple[list[Any], list[Any], list[Any]]:
    return (
        sorted(DistrictMonth.objects.values_list("area_id", "regency_id", "province_id", "month", *FIGURE_COLUMNS)),
        sorted(RegencyMonth.objects.values_list("area_id", "province_id", "month", *FIGURE_COLUMNS)),
        sorted(LibraryMonth.objects.values_list("library_id", "month", "pelibatan", "advokasi", "publikasi")),
    )


def test_it_keeps_the_summary_equal_to_a_full_rebuild(east_java: World) -> None:
    incremental = _summaries()
    summaries_rebuild()
    assert _summaries() == incremental
    # Sembung's January: the date-unknown activity (submitted), two verified advocacy, 12 visitors.
    january = DistrictMonth.objects.get(area_id="35.24.01", month=dt.date(2024, 1, 1))
    assert (january.pelibatan, january.pelibatan_verified, january.participants) == (1, 0, 5)
    assert (january.advokasi, january.advokasi_verified, january.visitors) == (2, 2, 12)
    # The kabupaten library has a row under the kabupaten's own code; the kabupaten sums both.
    march = RegencyMonth.objects.get(area_id="35.24", month=dt.date(2024, 3, 1))
    assert (march.pelibatan, march.pelibatan_verified, march.participants) == (3, 2, 10 + 20 + 30)
    assert DistrictMonth.objects.filter(area_id="35.24", month=dt.date(2024, 3, 1), regency_id="35.24").exists()


def test_a_record_write_refreshes_only_its_kecamatan_and_kabupaten(east_java: World) -> None:
    other = DistrictMonth.objects.get(area_id="35.08.21", month=dt.date(2024, 1, 1))
    engagement(east_java.lamongan_village, "2024-03-20", participants=7)
    records_changed.send(sender=None, library_ids={east_java.lamongan_village.pk})
    march = DistrictMonth.objects.get(area_id="35.24.01", month=dt.date(2024, 3, 1))
    assert (march.pelibatan, march.participants) == (3, 10 + 20 + 7)
    assert RegencyMonth.objects.get(area_id="35.24", month=dt.date(2024, 3, 1)).pelibatan == 4
    assert DistrictMonth.objects.get(pk=other.pk).pelibatan == 2  # Lumajang untouched, same row


def test_it_counts_the_most_active_libraries_on_days_a_period_cuts(east_java: World) -> None:
    # 10 March – 10 August: whole months April–July from the summary, the cut days from the records.
    scope = scope_for_user(east_java.province_35)
    active = most_active_libraries(scope=scope, region_code="35", start=dt.date(2024, 3, 10), end=dt.date(2024, 8, 10))
    sembung = next(a for a in active if a.name == "Perpustakaan Desa Sembung")
    # Activities on 10 March … 10 August (six, the 1 March one is outside); advocacy on the 15th of
    # March–July (i = 2..6 and 11..13: eight) plus the submitted one of 1 July; publicity 20 April, 20 June.
    assert sembung.records == {"pelibatan": 6, "advokasi": 8 + 1, "publikasi": 2}
    assert [a.name for a in active][:1] == ["Perpustakaan Desa Sembung"]
    assert "Perpustakaan Desa Labruk Kidul" not in [a.name for a in active]  # January only


def test_it_lists_the_most_active_libraries(east_java: World) -> None:
    scope = scope_for_user(east_java.province_35)
    active = most_active_libraries(scope=scope, region_code="35", start=START, end=END)
    assert [(a.name, a.total) for a in active] == [
        ("Perpustakaan Desa Sembung", 9 + 15 + 4),
        ("Perpustakaan Desa Labruk Kidul", 2),
        ("Perpustakaan Daerah Lamongan", 1),
    ]


def test_it_refuses_regions_outside_the_scope(east_java: World) -> None:
    scope = scope_for_user(east_java.facilitator_3524)
    with pytest.raises(Http404):
        region_figures(scope=scope, region_code="19.05", start=START, end=END)
    with pytest.raises(Http404):
        region_figures(scope=scope, region_code=None, start=START, end=END)
    assert region_figures(scope=scope, region_code="35.24.01", start=START, end=END).partners.total == 1


def test_a_partner_moved_to_another_region_takes_its_records_along(east_java: World) -> None:
    from tpbis.libraries.services import library_update
    from tpbis.regions.models import Region

    library_update(library=east_java.lumajang_village, region=Region.objects.get(code="35.24.01.2002"))
    assert not DistrictMonth.objects.filter(area_id="35.08.21").exists()
    assert not RegencyMonth.objects.filter(area_id="35.08").exists()
    january = DistrictMonth.objects.get(area_id="35.24.01", month=dt.date(2024, 1, 1))
    assert january.pelibatan == 1 + 2  # Sembung's date-unknown activity and the two moved ones
    incremental = _summaries()
    summaries_rebuild()
    assert _summaries() == incremental
