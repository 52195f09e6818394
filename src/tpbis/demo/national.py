"""A national-scale synthetic data set for benchmarks: thousands of partners on real villages across
all provinces, about a hundred records per library and year, realistic spread of activity.

Everything it creates is synthetic and named so ("Perpustakaan Uji ..."); it never mixes with the
demo data, and it writes records in bulk without audit entries (a benchmark needs volume, not history).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from tpbis.accounts.models import Membership, Role, User
from tpbis.dashboards.services import summaries_rebuild
from tpbis.libraries.models import Library, LibraryKind, Support
from tpbis.regions.models import Level, Region
from tpbis.reports.models import (
    Advocacy,
    CommunityEngagement,
    InformationService,
    Publicity,
    Status,
    Visitors,
)

BATCH = 5000
FIELDS = ["Pendidikan", "Kesehatan", "Inklusi Digital", "Seni Budaya", "Ekonomi", "Pertanian", "Olahraga", "Lainnya"]
AUDIENCES = ["Umum", "Pelajar", "Anak-Anak", "Lansia", "Pelaku UMKM", "Mahasiswa", "Petani/Nelayan"]
MEDIA = [
    ("Media Online", "Instagram"),
    ("Media Online", "Facebook"),
    ("Media Elektronik", "RRI"),
    ("Media Cetak", "Koran"),
]


@dataclass(frozen=True)
class NationalResult:
    libraries: int
    records: int
    seconds: float


def _statuses(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.82:
        return Status.VERIFIED
    if roll < 0.95:
        return Status.SUBMITTED
    if roll < 0.98:
        return Status.RETURNED
    return Status.DRAFT


def national_generate(*, libraries: int, years: int, seed: int) -> NationalResult:
    """Create `libraries` synthetic partners and `years` years of records up to today, in bulk."""
    started = timezone.now()
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        created = _libraries(rng, libraries)
        _accounts(rng, created)
        total = 0
        for year in range(today.year - years + 1, today.year + 1):
            end = today if year == today.year else dt.date(year, 12, 31)
            for model, rows in _records(rng, created, year, end):
                total += _bulk(model, rows)
        summaries_rebuild()  # bulk inserts bypass the records_changed signal that keeps summaries fresh
    return NationalResult(len(created), total, (timezone.now() - started).total_seconds())


def _libraries(rng: random.Random, count: int) -> list[Library]:
    codes = list(Region.objects.filter(level=Level.VILLAGE).order_by("code").values_list("code", "name"))
    picked = rng.sample(codes, count)
    rows = []
    for i, (code, name) in enumerate(picked):
        kind = LibraryKind.TBM if rng.random() < 0.15 else LibraryKind.VILLAGE
        support = rng.choices(list(Support), weights=[40, 35, 25])[0]
        library = Library(
            name=f"Perpustakaan Uji {name} {i + 1}",
            kind=kind,
            region_id=code,
            support=support,
            funding_source="APBDes" if support == Support.REPLICATION else "",
            cohort_year=rng.randint(2018, 2025),
        )
        library.sync_region_columns()
        rows.append(library)
    Library.objects.bulk_create(rows, batch_size=BATCH)
    return list(Library.objects.filter(name__startswith="Perpustakaan Uji ").order_by("pk"))


def _accounts(rng: random.Random, libraries: list[Library]) -> None:
    """About 45% of partners get an activated manager account, 15% an invited one."""
    users, pairs = [], []
    for library in libraries:
        roll = rng.random()
        if roll >= 0.6:
            continue
        user = User(
            email=f"uji-{library.pk}-{uuid.uuid4().hex[:6]}@contoh.sim-tpbis.id",
            password="!",  # unusable: synthetic accounts never sign in
            last_login=timezone.now() if roll < 0.45 else None,
        )
        users.append(user)
        pairs.append((user, library))
    User.objects.bulk_create(users, batch_size=BATCH)
    saved = {u.email: u.pk for u in User.objects.filter(email__endswith="@contoh.sim-tpbis.id")}
    Membership.objects.bulk_create(
        [Membership(user_id=saved[u.email], role=Role.MANAGER, library=lib) for u, lib in pairs], batch_size=BATCH
    )


def _records(
    rng: random.Random, libraries: list[Library], year: int, end: dt.date
) -> Iterator[tuple[type[Any], list[Any]]]:
    days = (end - dt.date(year, 1, 1)).days + 1
    share = days / 365
    engagements: list[Any] = []
    advocacy: list[Any] = []
    publicity: list[Any] = []
    visitors: list[Any] = []
    information: list[Any] = []
    for library in libraries:
        # Activity is very uneven across libraries: a few very active, many quiet, some silent.
        activity = rng.choices([0, 0.3, 1, 2.2], weights=[15, 35, 35, 15])[0]
        if activity == 0:
            continue
        for _ in range(int(rng.gauss(75, 15) * activity * share)):
            date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(days))
            male = rng.randint(0, 30)
            female = rng.randint(1, 30)
            engagements.append(
                CommunityEngagement(
                    library=library,
                    date=date,
                    title=f"Kegiatan literasi {date:%d/%m}",
                    status=_statuses(rng),
                    activity_field=rng.choice(FIELDS),
                    activity_kind=rng.choice(["Promosi", "Pelatihan"]),
                    audience=rng.choice(AUDIENCES),
                    participants=male + female,
                    participants_male=male,
                    participants_female=female,
                    participants_disability=rng.randint(0, 2),
                    input_date=date,
                )
            )
        for _ in range(int(rng.gauss(34, 8) * activity * share)):
            date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(days))
            outcome = rng.choices(["NonDana", "Dana", "Regulasi"], weights=[80, 15, 5])[0]
            advocacy.append(
                Advocacy(
                    library=library,
                    date=date,
                    title="Audiensi dukungan perpustakaan",
                    status=_statuses(rng),
                    targets=[rng.choice(["Kepala Desa", "Perangkat Daerah", "Swasta", "Lainnya"])],
                    outcome=outcome,
                    amount=rng.randint(1, 50) * 500_000 if outcome == "Dana" else 0,
                    resource_persons=rng.randint(1, 5) if outcome == "NonDana" else 0,
                    regulation_kind="Peraturan Kepala Desa/Lurah" if outcome == "Regulasi" else "",
                    regulation_date=date if outcome == "Regulasi" else None,
                    input_date=date,
                )
            )
        for _ in range(int(rng.gauss(24, 6) * activity * share)):
            date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(days))
            kind, name = rng.choice(MEDIA)
            publicity.append(
                Publicity(
                    library=library,
                    date=date,
                    title="Kabar kegiatan perpustakaan",
                    media_kind=kind,
                    media_name=name,
                    link="https://example.org/kabar",
                    status=_statuses(rng),
                    input_date=date,
                )
            )
        for month in range(1, end.month + 1 if year == end.year else 13):
            if rng.random() < 0.6 * min(activity, 1):
                male, female = rng.randint(5, 200), rng.randint(5, 200)
                visitors.append(
                    Visitors(
                        library=library,
                        year=year,
                        month=month,
                        male=male,
                        female=female,
                        total=male + female,
                        status=Status.VERIFIED,
                        input_date=dt.date(year, month, 28),
                    )
                )
        for month in (1, 7):
            if (year < end.year or month <= end.month) and rng.random() < 0.5 * min(activity, 1):
                information.append(
                    InformationService(
                        library=library,
                        year=year,
                        month=month,
                        books=rng.randint(100, 2500),
                        digital_books=rng.randint(0, 300),
                        computers=rng.randint(0, 6),
                        bandwidth=rng.choice([0, 5, 10, 20, 50]),
                        status=_statuses(rng),
                        input_date=dt.date(year, month, 15),
                    )
                )
    yield from (
        (CommunityEngagement, engagements),
        (Advocacy, advocacy),
        (Publicity, publicity),
        (Visitors, visitors),
        (InformationService, information),
    )


def _bulk(model: type[Any], rows: list[Any]) -> int:
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH)
    return len(rows)
