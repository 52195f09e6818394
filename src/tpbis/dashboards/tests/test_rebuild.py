"""The set-based rebuild (one INSERT … SELECT per summary table) writes exactly the cells the per-library
computation in Python counts from the records: random records of every type and status (unknown dates,
empty people figures, inactive partners, future cohorts, reports on and after the deadline) are summed here
through the ORM, library by library and month by month, and compared with `summaries_rebuild()`.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from conftest import World
from tpbis.dashboards.deadline import deadline_day, report_deadline
from tpbis.dashboards.models import FIGURE_COLUMNS, RECORD_TYPES, DistrictMonth, LibraryMonth, RegencyMonth
from tpbis.dashboards.services import COUNTED, DATED, PEOPLE_FIELDS, VERIFIED, record_model, summaries_rebuild
from tpbis.dashboards.tests.test_rates_summary import STATUSES, random_reports
from tpbis.libraries.models import Library
from tpbis.reports.models import Advocacy, CommunityEngagement, InformationService, Publicity

Cell = tuple[Any, ...]


def reference_cells() -> dict[tuple[int, dt.date], list[int]]:
    """Every figure per library and month, counted group by group through the ORM (the rebuild's former
    per-library computation)."""
    cells: dict[tuple[int, dt.date], list[int]] = {}
    position = {column: i for i, column in enumerate(FIGURE_COLUMNS)}
    for record_type in RECORD_TYPES:
        base = record_model(record_type).objects.filter(COUNTED)
        if record_type in DATED:
            base = base.filter(date__isnull=False)
            period: dict[str, Any] = {"y": ExtractYear("date"), "m": ExtractMonth("date")}
        else:
            period = {"y": F("year"), "m": F("month")}
        people = PEOPLE_FIELDS.get(record_type, {})
        rows = (
            base.annotate(
                lib=F("library_id"), active=F("library__is_active"), cohort=F("library__cohort_year"), **period
            )
            .order_by()
            .values("lib", "active", "cohort", "y", "m")
            .annotate(
                n=Count("pk"),
                verified=Count("pk", filter=VERIFIED),
                first_input=Min("input_date"),
                **{column: Sum(field) for column, field in people.items()},
            )
        )
        for row in rows:
            month = dt.date(row["y"], row["m"], 1)
            vector = cells.setdefault((row["lib"], month), [0] * len(FIGURE_COLUMNS))
            vector[position[record_type]] += row["n"]
            vector[position[f"{record_type}_verified"]] += row["verified"]
            for column in people:
                vector[position[column]] += row[column] or 0
            if record_type == "pengunjung" and row["active"] and row["cohort"] <= month.year:
                vector[position["reports"]] = 1
                on_time = row["first_input"] <= report_deadline(month, deadline_day())
                vector[position["reports_on_time"]] = int(on_time)
    return cells


def random_records(rng: random.Random, libraries: list[Library], today: dt.date) -> None:
    """Dated records (some with an unknown date, some with empty people figures) and information service
    records of random statuses, over four years."""
    for library in libraries:
        for _ in range(rng.randint(5, 25)):
            day = today - dt.timedelta(days=rng.randint(0, 4 * 365))
            status = rng.choice(STATUSES)
            kind = rng.randrange(4)
            if kind == 0:
                male, female = rng.randint(0, 9), rng.randint(0, 9)
                split = rng.random() < 0.5
                CommunityEngagement.objects.create(
                    library=library,
                    date=None if rng.random() < 0.1 else day,
                    status=status,
                    title="Kegiatan",
                    activity_field="Pendidikan",
                    activity_kind="Pelatihan",
                    audience="Umum",
                    participants=None if rng.random() < 0.2 else male + female,
                    participants_male=male if split else None,
                    participants_female=female if split else None,
                    participants_disability=rng.choice([None, 0, 2]),
                )
            elif kind == 1:
                Advocacy.objects.create(
                    library=library,
                    date=None if rng.random() < 0.1 else day,
                    status=status,
                    title="Audiensi",
                    outcome="NonDana",
                )
            elif kind == 2:
                Publicity.objects.create(
                    library=library, date=day, status=status, title="Kabar", media_kind="Media Online"
                )
            else:
                InformationService.objects.create(
                    library=library,
                    year=day.year,
                    month=day.month,
                    status=status,
                    books=1,
                    digital_books=1,
                    computers=1,
                    bandwidth=Decimal(10),
                )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [11, 12])
def test_the_rebuild_writes_what_the_per_library_computation_counts(world: World, seed: int) -> None:
    rng = random.Random(seed)
    today = timezone.localdate()
    libraries = random_reports(world, rng, today)
    random_records(rng, libraries, today)
    written = summaries_rebuild()

    expected = reference_cells()
    library_rows = {
        (lib, month): list(figures)
        for lib, month, *figures in LibraryMonth.objects.values_list("library_id", "month", *FIGURE_COLUMNS)
    }
    assert library_rows == expected
    assert {k for k, v in expected.items() if v[FIGURE_COLUMNS.index("reports")]}  # reports are counted
    assert {k for k, v in expected.items() if v[FIGURE_COLUMNS.index("participants")]}  # and people

    regions = dict(Library.objects.values_list("pk", "region_id"))
    districts: dict[Cell, list[int]] = {}
    for (lib, month), vector in expected.items():
        area = regions[lib][:8]
        key = (area, area[:5] if len(area) >= 5 else None, area[:2], month)
        districts[key] = [a + b for a, b in zip(districts.get(key, [0] * len(vector)), vector, strict=True)]
    stored = DistrictMonth.objects.values_list("area_id", "regency_id", "province_id", "month", *FIGURE_COLUMNS)
    assert {tuple(row[:4]): list(row[4:]) for row in stored} == districts
    assert written == len(districts)

    regencies: dict[Cell, list[int]] = {}
    for (_area, regency, province, month), vector in districts.items():
        key = (regency or province, province, month)
        regencies[key] = [a + b for a, b in zip(regencies.get(key, [0] * len(vector)), vector, strict=True)]
    stored = RegencyMonth.objects.values_list("area_id", "province_id", "month", *FIGURE_COLUMNS)
    assert {tuple(row[:3]): list(row[3:]) for row in stored} == regencies
    assert LibraryMonth.objects.exclude(days={}).filter(~Q(pelibatan=0) | ~Q(advokasi=0)).exists()  # days filled
