"""The summaries a record write keeps by difference equal a full rebuild after any sequence of writes.

Random writes go through the real services (entry, correction moving a record to another month or year,
verification one by one and in bulk, return, withdrawal, draft sent, spreadsheet import) over two
libraries of one kecamatan, a library registered at its kabupaten's code and one in another kabupaten;
every few writes each library, kecamatan and kabupaten/kota month, and each kabupaten/kota day and library
month's days, is compared with `summaries_rebuild()`.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from conftest import World, make_library
from tpbis.accounts.scope import Scope
from tpbis.dashboards.models import DAY_COLUMNS, FIGURE_COLUMNS, DistrictMonth, LibraryMonth, RegencyDay, RegencyMonth
from tpbis.dashboards.services import summaries_apply, summaries_rebuild
from tpbis.libraries.models import Library
from tpbis.libraries.services import library_set_active, library_update
from tpbis.libraries.signals import libraries_moved
from tpbis.reports.models import Advocacy, CommunityEngagement, InformationService, Publicity, Status, Visitors
from tpbis.reports.record_imports import record_import
from tpbis.reports.services import (
    RecordConflict,
    record_create,
    record_return,
    record_update,
    record_verify,
    record_withdraw,
    records_verify_bulk,
)
from tpbis.reports.tests.test_races import tables_restored  # noqa: F401  (a fixture, used by name)

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DATED = (CommunityEngagement, Advocacy, Publicity)
MONTHLY = (InformationService, Visitors)
IMPORT_HEADER = "npp,nama_perpustakaan,kode_desa,tanggal,nama_kegiatan,bidang_kegiatan,jenis,sasaran,jumlah_peserta"


def summaries() -> dict[str, list[Any]]:
    return {
        # With each month's days: the dated records per day, whose changes a write adds to `RegencyDay`.
        "library": sorted(LibraryMonth.objects.values_list("library_id", "month", *FIGURE_COLUMNS, "days")),
        "district": sorted(
            DistrictMonth.objects.values_list("area_id", "regency_id", "province_id", "month", *FIGURE_COLUMNS)
        ),
        "regency": sorted(RegencyMonth.objects.values_list("area_id", "province_id", "month", *FIGURE_COLUMNS)),
        "regency_day": sorted(RegencyDay.objects.values_list("area_id", "province_id", "day", *DAY_COLUMNS)),
    }


def assert_equal_to_rebuild() -> None:
    incremental = summaries()
    summaries_rebuild()
    rebuilt = summaries()
    for grain in rebuilt:
        assert incremental[grain] == rebuilt[grain], grain


class Writer:
    """Random writes through the services, as people make them."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world, self.rng = world, rng
        self.libraries = [
            world.lamongan_village,  # 35.24.01.2001
            make_library("Perpustakaan Desa Tetangga", "35.24.01.2002"),  # the same kecamatan
            world.lamongan_district,  # registered at the kabupaten's own code
            world.lumajang_village,  # another kabupaten
        ]
        self.author, self.verifier = world.manager, world.facilitator_3524

    def day(self) -> dt.date:
        return dt.date(self.rng.choice([2024, 2025, 2026]), self.rng.randint(1, 11), self.rng.randint(1, 28))

    def data(self, model: type[Any]) -> dict[str, Any]:
        rng, day = self.rng, self.day()
        if model is CommunityEngagement:
            male, female = rng.randint(0, 20), rng.randint(0, 20)
            return {
                "date": day,
                "title": f"Kegiatan {rng.randint(1, 10**6)}",
                "activity_field": "Pendidikan",
                "activity_kind": "Pelatihan",
                "audience": "Anak-Anak",
                "participants": male + female,
                "participants_male": male,
                "participants_female": female,
                "participants_disability": rng.randint(0, min(3, male + female)),
                "story": "",
            }
        if model is Advocacy:
            return {
                "date": day,
                "title": f"Audiensi {rng.randint(1, 10**6)}",
                "targets": ["Kepala Desa"],
                "outcome": "NonDana",
                "resource_persons": 2,
            }
        if model is Publicity:
            return {
                "date": day,
                "title": f"Kabar {rng.randint(1, 10**6)}",
                "media_kind": "Media Online",
                "media_name": "Warta",
                "link": "https://warta.example.id/kabar",
            }
        if model is Visitors:
            male, female = rng.randint(0, 300), rng.randint(0, 300)
            return {"year": day.year, "month": day.month, "male": male, "female": female, "total": male + female}
        return {
            "year": day.year,
            "month": day.month,
            "books": rng.randint(0, 900),
            "computers": 2,
            "bandwidth": Decimal(10),
        }

    def records(self, *statuses: str) -> list[Any]:
        found: list[Any] = []
        for model in (*DATED, *MONTHLY):
            found += model.objects.filter(status__in=statuses)
        return sorted(found, key=lambda r: (type(r).__name__, r.pk))

    def pick(self, *statuses: str) -> Any | None:
        found = self.records(*statuses)
        return self.rng.choice(found) if found else None

    def create(self) -> None:
        model = self.rng.choice([*DATED, *MONTHLY])
        library = self.rng.choice(self.libraries)
        record_create(model=model, user=self.author, library=library, data=self.data(model))

    def draft(self) -> None:
        model = self.rng.choice([Advocacy, Publicity])
        data = self.data(model)
        if self.rng.random() < 0.3:
            data["date"] = None
        record_create(model=model, user=self.author, library=self.rng.choice(self.libraries), data=data, submit=False)

    def send(self) -> None:
        drafts = [r for r in self.records(Status.DRAFT) if isinstance(r, (Advocacy, Publicity))]
        if drafts:
            draft = self.rng.choice(drafts)
            data = {"date": self.day()} if draft.date is None else {}
            record_update(record=draft, user=self.author, data=data, send=True)

    def edit(self) -> None:
        record = self.pick(Status.SUBMITTED, Status.VERIFIED, Status.RETURNED)
        if record is None:
            return
        model = type(record)
        data = self.data(model)
        if model in DATED and self.rng.random() < 0.5:
            # Back-dated into another year, or moved within its month.
            data = {"date": record.date.replace(year=self.rng.choice([2024, 2025]))} if record.date else {}
        record_update(record=record, user=self.author, data=data)

    def verify(self) -> None:
        record = self.pick(Status.SUBMITTED)
        if record is not None:
            record_verify(record=record, user=self.verifier)

    def bulk(self) -> None:
        waiting = self.records(Status.SUBMITTED)
        if waiting:
            records_verify_bulk(records=self.rng.sample(waiting, min(len(waiting), 3)), user=self.verifier)

    def return_(self) -> None:
        record = self.pick(Status.SUBMITTED, Status.VERIFIED)
        if record is not None:
            record_return(record=record, user=self.verifier, comment="Perbaiki tanggalnya.")

    def withdraw(self) -> None:
        record = self.pick(Status.DRAFT, Status.SUBMITTED, Status.VERIFIED, Status.RETURNED)
        if record is not None:
            record_withdraw(record=record, user=self.author)

    def eligibility(self) -> None:
        """A partner deactivated or reactivated, or moved to another cohort: the months it must report change."""
        library = self.rng.choice(self.libraries)
        library.refresh_from_db()
        if self.rng.random() < 0.5:
            library_set_active(library=library, active=not library.is_active, actor=self.world.national)
        else:
            cohort = self.rng.choice([2018, 2024, 2025, 2026])
            library_update(library=library, actor=self.world.national, cohort_year=cohort)

    def import_(self) -> None:
        rows = []
        # Rows of an inactive partner, or dated before its cohort year, are refused.
        active = [Library.objects.get(pk=lib.pk) for lib in (self.libraries[0], self.libraries[3])]
        active = [lib for lib in active if lib.is_active]
        if not active:
            return
        for _ in range(self.rng.randint(2, 4)):
            library = self.rng.choice(active)
            day = self.day()
            day = day.replace(year=max(day.year, library.cohort_year))
            rows.append(
                f",{library.name},{library.region_id},{day.isoformat()},Kegiatan impor {self.rng.randint(1, 10**6)},"
                f"Pendidikan,Pelatihan,Anak-Anak,{self.rng.randint(1, 40)}"
            )
        content = ("\n".join([IMPORT_HEADER, *rows]) + "\n").encode()
        result = record_import(
            record_type="pelibatan",
            content=content,
            filename="kegiatan.csv",
            scope=Scope(national=True),
            actor=self.world.national,
            dry_run=False,
            accept_warnings=True,
        )
        assert result.report.ok, result.report.errors


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_keep_every_summary_equal_to_a_rebuild(world: World, seed: int) -> None:
    writer = Writer(world, random.Random(seed))
    actions = {"return": "return_", "import": "import_"}
    done: set[str] = set()
    for _round in range(6):
        for _ in range(12):
            action = writer.rng.choice(
                [
                    *("create", "create", "draft", "edit", "edit", "verify", "bulk", "return", "withdraw", "send"),
                    *("import", "eligibility"),
                ]
            )
            try:
                with transaction.atomic():
                    getattr(writer, actions.get(action, action))()
                done.add(action)
            except (ValidationError, RecordConflict, IntegrityError):
                pass  # a refused write (a monthly figure already there, a rule) changes nothing
        assert_equal_to_rebuild()
    assert done >= {"create", "edit", "verify", "bulk", "return", "withdraw", "send", "import", "eligibility"}


@pytest.mark.django_db
def test_a_moved_library_takes_its_figures_along(world: World) -> None:
    writer = Writer(world, random.Random(7))
    for _ in range(15):
        writer.create()
    library = world.lamongan_village
    Library.objects.filter(pk=library.pk).update(region_id="35.08.21.2004", regency_id="35.08")
    libraries_moved.send(sender=Library, region_codes={"35.24.01.2001", "35.08.21.2004"})
    assert_equal_to_rebuild()
    writer.create()
    assert_equal_to_rebuild()


@pytest.mark.django_db
def test_an_unknown_month_recomputes_the_whole_library(world: World) -> None:
    writer = Writer(world, random.Random(11))
    for _ in range(10):
        writer.create()
    # A load that bypassed the signal, then a write that cannot name its months (a merge, the old SIM's import).
    CommunityEngagement.objects.create(
        library=world.lamongan_village, date=dt.date(2023, 5, 5), status=Status.VERIFIED, title="Lama", participants=9
    )
    summaries_apply(library_ids={world.lamongan_village.pk}, months=None)
    assert_equal_to_rebuild()


@pytest.mark.django_db
def test_a_summary_already_out_of_step_is_rebuilt_for_its_area(world: World) -> None:
    library = world.lamongan_village
    record, _ = record_create(
        model=Advocacy, user=world.manager, library=library, data=Writer(world, random.Random(1)).data(Advocacy)
    )
    month = record.date.replace(day=1)
    DistrictMonth.objects.filter(area_id="35.24.01", month=month).delete()  # lost by hand
    record_withdraw(record=record, user=world.manager)
    assert_equal_to_rebuild()


@pytest.mark.django_db
def test_one_entry_touches_the_summaries_in_a_few_queries(world: World) -> None:
    writer = Writer(world, random.Random(5))
    for _ in range(10):
        writer.create()
    library = world.lamongan_village
    record = CommunityEngagement.objects.create(
        library=library, date=dt.date(2025, 3, 3), status=Status.SUBMITTED, title="Baru", participants=4
    )
    with CaptureQueriesContext(connection) as queries:
        summaries_apply(library_ids={library.pk}, months={library.pk: {dt.date(2025, 3, 1)}})
    # Lock the library, read its records and cell, write the cell, then one upsert each for the kecamatan
    # month, the kabupaten/kota month and the kabupaten/kota day.
    assert len(queries) <= 6, [q["sql"] for q in queries]
    assert record.pk and DistrictMonth.objects.get(area_id="35.24.01", month=dt.date(2025, 3, 1)).pelibatan >= 1
    assert_equal_to_rebuild()


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: SQLite runs one writer at a time, there is no race")
@pytest.mark.django_db(transaction=True)
# A transactional test ends with a flush of every table: the regions and seeded rows come back after it.
@pytest.mark.usefixtures("tables_restored")
def test_two_libraries_of_one_kecamatan_written_at_once_both_count(world: World) -> None:
    neighbour = make_library("Perpustakaan Desa Tetangga", "35.24.01.2002")
    writer = Writer(world, random.Random(3))
    for _ in range(6):
        writer.create()

    def june() -> int:
        row = DistrictMonth.objects.filter(area_id="35.24.01", month=dt.date(2025, 6, 1)).first()
        return row.advokasi if row else 0

    for round_ in range(5):
        before = june()
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []
        data = writer.data(Advocacy) | {"date": dt.date(2025, 6, 10 + round_)}
        threads = [
            threading.Thread(target=enter_at_once, args=(barrier, errors, world.manager, library, data))
            for library in (world.lamongan_village, neighbour)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors
        assert june() == before + 2
        assert_equal_to_rebuild()


def enter_at_once(
    barrier: threading.Barrier, errors: list[BaseException], user: Any, library: Library, data: Any
) -> None:
    """Enter a record in a thread of its own, both threads inside their transactions before either writes."""
    try:
        with transaction.atomic():
            barrier.wait(timeout=10)
            record_create(model=Advocacy, user=user, library=library, data=data)
    except BaseException as error:  # reported by the main thread
        errors.append(error)
    finally:
        connection.close()
