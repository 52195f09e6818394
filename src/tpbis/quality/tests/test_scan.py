"""The outlier scan: a planted outlier is flagged with what is usual, a normal value is not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conftest import World, make_library
from tpbis.quality.models import Basis, FollowUp, MeasureBounds, OutlierFlag, OutlierSettings
from tpbis.quality.scan import outliers_scan
from tpbis.quality.selectors import flag_text
from tpbis.quality.services import flag_follow_up
from tpbis.quality.tests.helpers import USUAL, activity, visitor_months
from tpbis.reports.models import Status, Visitors
from tpbis.reports.services import record_update

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 6)


def test_it_flags_a_planted_outlier_and_not_the_usual_months(world: World) -> None:
    records = visitor_months(world.lamongan_village, [*USUAL[:10], 2400])

    outliers_scan(today=TODAY)

    flags = list(OutlierFlag.objects.all())
    assert [(f.record_id, f.measure, f.basis, f.high) for f in flags] == [
        (records[-1].pk, "pengunjung", Basis.HISTORY, True)
    ]
    assert flags[0].modified_z is not None and flags[0].modified_z > 3
    assert flags[0].regency_id == "35.24"
    assert (
        flag_text(flags[0]) == "jauh di atas biasanya: 2.400 pengunjung, biasanya 168–264"
    )  # 10th and 90th percentile of the other months


def test_it_flags_a_value_far_below_the_usual(world: World) -> None:
    records = visitor_months(world.lamongan_village, [*USUAL[:10], 3])

    outliers_scan(today=TODAY)

    flag = OutlierFlag.objects.get()
    assert flag.record_id == records[-1].pk
    assert flag_text(flag).startswith("jauh di bawah biasanya: 3 pengunjung")


def test_a_higher_threshold_lets_a_moderate_value_pass(world: World) -> None:
    visitor_months(world.lamongan_village, [*USUAL[:10], 500])
    outliers_scan(today=TODAY)
    assert OutlierFlag.objects.count() == 1

    OutlierSettings.objects.create(pk=1, threshold=Decimal("9.0"))
    outliers_scan(today=TODAY)

    assert OutlierFlag.objects.count() == 0


def test_a_value_outside_the_national_bounds_is_flagged_whatever_the_history(world: World) -> None:
    MeasureBounds.objects.create(measure="pengunjung", minimum=None, maximum=Decimal("250"))
    records = visitor_months(world.lamongan_village, USUAL)

    outliers_scan(today=TODAY)

    flagged = {f.record_id: f for f in OutlierFlag.objects.all()}
    assert set(flagged) == {records[4].pk, records[10].pk, records[7].pk}  # 300, 280, 260 visitors
    assert flag_text(flagged[records[4].pk]) == "di luar batas: 300 pengunjung, batas 0–250"


def test_computers_always_the_same_then_ten_times_more_are_flagged(world: World) -> None:
    """When most values are equal the MAD is 0; the mean absolute deviation stands in."""
    from tpbis.reports.models import InformationService

    for month in range(1, 8):
        InformationService.objects.create(
            library=world.lamongan_village, year=2026, month=month, books=1000, computers=3
        )
    odd = InformationService.objects.create(
        library=world.lamongan_village, year=2026, month=8, books=1000, computers=30
    )

    outliers_scan(today=TODAY)

    assert list(OutlierFlag.objects.values_list("record_id", "measure")) == [(odd.pk, "komputer")]


def test_a_new_library_is_compared_with_libraries_of_its_kind(world: World) -> None:
    for n in range(12):
        library = make_library(f"Perpustakaan Desa Sejenis {n}", "35.24.01.2001")
        visitor_months(library, [200 + n * 5] * 3)
    newcomer = make_library("Perpustakaan Desa Baru", "35.24.01.2001")
    usual, odd = visitor_months(newcomer, [210, 9000])

    outliers_scan(today=TODAY)

    flag = OutlierFlag.objects.get(library=newcomer)
    assert (flag.record_id, flag.basis) == (odd.pk, Basis.PEERS)
    assert (
        flag_text(flag) == "jauh di atas perpustakaan sejenis: 9.000 pengunjung, biasanya 206–254"
    )  # percentiles of the 13 medians
    assert not OutlierFlag.objects.filter(record_id=usual.pk).exists()


def test_activity_participants_far_from_the_library_usual_are_flagged(world: World) -> None:
    for day in range(1, 11):
        activity(world.lamongan_village, 20 + day, day=dt.date(2026, 3, day))
    odd = activity(world.lamongan_village, 1500, day=dt.date(2026, 4, 2))
    activity(world.lamongan_village, 5000, day=dt.date(2026, 4, 3), status=Status.DRAFT)  # drafts count nowhere

    outliers_scan(today=TODAY)

    assert list(OutlierFlag.objects.values_list("record_id", "measure", "month")) == [(odd.pk, "peserta", 4)]


def test_a_corrected_value_loses_its_open_flag_but_a_followed_up_flag_stays(world: World) -> None:
    records = visitor_months(world.lamongan_village, [*USUAL[:10], 2400])
    other = visitor_months(world.lumajang_village, [*USUAL[:10], 3000])
    outliers_scan(today=TODAY)
    kept = OutlierFlag.objects.get(record_id=other[-1].pk)
    flag_follow_up(
        flag=kept, user=world.province_35, status=FollowUp.CONFIRMED, note="Ada pameran buku", seen_version=1
    )

    Visitors.objects.filter(pk__in=[records[-1].pk, other[-1].pk]).update(total=240)
    outliers_scan(today=TODAY)

    assert list(OutlierFlag.objects.values_list("record_id", "status")) == [(other[-1].pk, FollowUp.CONFIRMED)]


def test_a_correction_rescans_its_library_after_commit(world: World, django_capture_on_commit_callbacks: Any) -> None:
    records = visitor_months(world.lamongan_village, USUAL[:11])
    assert not OutlierFlag.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        record_update(record=records[-1], user=world.manager, data={"male": 0, "female": 2400, "total": 2400})

    assert list(OutlierFlag.objects.values_list("record_id", flat=True)) == [records[-1].pk]


def test_the_nightly_task_scans_and_books_the_next_night(world: World) -> None:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from tpbis.quality.tasks import SCAN_HOUR, outliers_scan_task

    visitor_months(world.lamongan_village, [*USUAL[:10], 2400])

    assert outliers_scan_task.call() == 1

    booked = DBTaskResult.objects.get(task_path=outliers_scan_task.module_path, status="READY")
    assert timezone.localtime(booked.run_after).hour == SCAN_HOUR
    assert booked.run_after > timezone.now()
