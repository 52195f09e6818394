"""`generate_national`: synthetic partners on real villages and their records, written in bulk past the ORM."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from tpbis.accounts.models import Membership, Role
from tpbis.dashboards.models import DistrictMonth, RegencyMonth
from tpbis.demo.national import NationalResult, national_generate
from tpbis.libraries.models import Library
from tpbis.regions.models import Level
from tpbis.reports.models import (
    COUNTED_STATUSES,
    Advocacy,
    CommunityEngagement,
    InformationService,
    Publicity,
    Status,
    Visitors,
)

DATED: dict[str, type[Any]] = {"pelibatan": CommunityEngagement, "advokasi": Advocacy, "publikasi": Publicity}
MONTHLY: dict[str, type[Any]] = {"peningkatan": InformationService, "pengunjung": Visitors}
RECORD_MODELS = {**DATED, **MONTHLY}
SYNTHETIC = "Perpustakaan Uji "


@pytest.fixture(scope="module")
def generated(django_db_setup: None, django_db_blocker: Any) -> Iterator[NationalResult]:
    """40 partners and two years of records, generated once for the module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield national_generate(libraries=40, years=2, seed=3)
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def national(generated: NationalResult, db: None) -> NationalResult:
    return generated


def counts_per_type(libraries: Any) -> dict[str, int]:
    return {name: model.objects.filter(library__in=libraries).count() for name, model in RECORD_MODELS.items()}


def test_it_puts_libraries_on_real_villages(national: NationalResult) -> None:
    libraries = list(Library.objects.filter(name__startswith=SYNTHETIC).select_related("region"))
    assert national.libraries == len(libraries) == 40
    for library in libraries:
        assert library.region.level == Level.VILLAGE
        assert library.regency_id == library.region_id[:5]
        assert library.province_id == library.region_id[:2]
    assert len({library.province_id for library in libraries}) > 5
    managers = Membership.objects.filter(library__in=libraries, role=Role.MANAGER).count()
    assert 0 < managers < 40


def test_it_reports_every_type_in_both_years(national: NationalResult) -> None:
    this_year = timezone.localdate().year
    for year in (this_year - 1, this_year):
        for model in DATED.values():
            assert model.objects.filter(date__year=year).exists(), (model, year)
        for model in MONTHLY.values():
            assert model.objects.filter(year=year).exists(), (model, year)
    assert national.records == sum(model.objects.count() for model in RECORD_MODELS.values())
    assert not CommunityEngagement.objects.filter(date__year__lt=this_year - 1).exists()


def test_it_never_dates_a_record_after_today(national: NationalResult) -> None:
    today, now = timezone.localdate(), timezone.now()
    for model in RECORD_MODELS.values():
        records = model.objects.all()
        assert not records.filter(input_date__gt=today).exists()
        assert not records.filter(Q(created_at__gt=now) | Q(updated_at__gt=now) | Q(verified_at__gt=now)).exists()
    for model in DATED.values():
        assert not model.objects.filter(date__gt=today).exists()
    for model in MONTHLY.values():
        assert not model.objects.filter(Q(year__gt=today.year) | Q(year=today.year, month__gt=today.month)).exists()
        assert not model.objects.exclude(input_date__year=F("year"), input_date__month=F("month")).exists()
    assert not Advocacy.objects.filter(regulation_date__gt=today).exists()


def test_it_spreads_statuses_with_their_bookkeeping(national: NationalResult) -> None:
    statuses = set()
    for model in RECORD_MODELS.values():
        statuses |= set(model.objects.values_list("status", flat=True).distinct())
    assert {Status.VERIFIED, Status.SUBMITTED, Status.RETURNED, Status.DRAFT} <= statuses
    engagements = CommunityEngagement.objects.all()
    assert engagements.filter(status=Status.VERIFIED).count() > engagements.count() / 2
    assert not engagements.filter(status=Status.VERIFIED, verified_at__isnull=True).exists()
    assert not engagements.filter(status=Status.VERIFIED, verified_at__lte=F("created_at")).exists()
    assert not engagements.exclude(status=Status.VERIFIED).filter(verified_at__isnull=False).exists()
    assert not engagements.filter(status=Status.RETURNED, return_comment="").exists()
    assert set(Visitors.objects.values_list("status", flat=True).distinct()) <= {Status.VERIFIED, Status.SUBMITTED}


def test_it_splits_people_by_sex(national: NationalResult) -> None:
    engagements = CommunityEngagement.objects.all()
    assert engagements.exists()
    assert not engagements.exclude(participants=F("participants_male") + F("participants_female")).exists()
    assert not Visitors.objects.exclude(total=F("male") + F("female")).exists()


def test_summaries_count_the_generated_records(national: NationalResult) -> None:
    for name, model in RECORD_MODELS.items():
        counted = model.objects.filter(status__in=COUNTED_STATUSES)
        if name in DATED:
            counted = counted.filter(date__isnull=False)
        expected = {name: counted.count(), f"{name}_verified": counted.filter(status=Status.VERIFIED).count()}
        for summary in (RegencyMonth, DistrictMonth):
            assert summary.objects.aggregate(**{column: Sum(column) for column in expected}) == expected
    engagements = CommunityEngagement.objects.filter(status__in=COUNTED_STATUSES)
    people = engagements.aggregate(participants=Sum("participants"), participants_female=Sum("participants_female"))
    assert RegencyMonth.objects.aggregate(**{column: Sum(column) for column in people}) == people
    visitors = Visitors.objects.filter(status__in=COUNTED_STATUSES).aggregate(visitors=Sum("total"))
    assert RegencyMonth.objects.aggregate(visitors=Sum("visitors")) == visitors


def test_it_repeats_the_counts_for_the_same_seed(national: NationalResult) -> None:
    first = Library.objects.filter(name__startswith=SYNTHETIC)
    before = counts_per_type(first)
    last_pk = max(first.values_list("pk", flat=True))

    again = national_generate(libraries=40, years=2, seed=3)

    second = Library.objects.filter(name__startswith=SYNTHETIC, pk__gt=last_pk)
    assert again.libraries == second.count() == 40
    assert counts_per_type(second) == before
    assert again.records == national.records


def test_the_orm_reads_the_rows_back(national: NationalResult) -> None:
    advocacy = Advocacy.objects.order_by("pk").first()
    assert advocacy is not None
    assert isinstance(advocacy.targets, list)
    assert all(isinstance(target, str) for target in advocacy.targets)
    assert isinstance(advocacy.client_id, uuid.UUID)
    assert advocacy.client_id.version == 4
    assert timezone.is_aware(advocacy.created_at)
    assert isinstance(advocacy.input_date, dt.date)
    assert advocacy.origin == "entry"
    service = InformationService.objects.order_by("pk").first()
    assert service is not None
    assert isinstance(service.bandwidth, Decimal)
    assert service.month in (1, 7)
    engagement = CommunityEngagement.objects.order_by("pk").first()
    assert engagement is not None
    assert engagement.date_unknown is False
    assert engagement.library.name.startswith(SYNTHETIC)


def test_the_command_prints_each_year(db: None) -> None:
    out = StringIO()

    call_command("generate_national", libraries=5, years=2, seed=1, stdout=out)

    lines = out.getvalue().splitlines()
    this_year = timezone.localdate().year
    assert [line.split(":")[0] for line in lines[:2]] == [str(this_year - 1), str(this_year)]
    assert all(line.endswith(" laporan") for line in lines[:2])
    assert lines[2].startswith("5 perpustakaan uji, ")
