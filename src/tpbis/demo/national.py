"""A national-scale synthetic data set for benchmarks: thousands of partners on real villages across
all provinces, about a hundred records per library and year, realistic spread of activity.

Everything it creates is synthetic and named so ("Perpustakaan Uji ..."); it never mixes with the
demo data, and it writes records in bulk without audit entries (a benchmark needs volume, not history).
Records bypass the ORM: building a model instance and compiling its INSERT costs about 0.5 ms a row,
so millions of rows are generated as plain tuples and streamed with executemany (SQLite) or COPY
(PostgreSQL) in batches.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils import timezone

from tpbis.accounts.models import Membership, Role, User
from tpbis.dashboards.services import summaries_rebuild
from tpbis.kpi.services import kpi_rebuild
from tpbis.libraries.models import Library, LibraryKind, Support
from tpbis.regions.models import Level, Region
from tpbis.reports.models import (
    Advocacy,
    CommunityEngagement,
    InformationService,
    Origin,
    Publicity,
    Status,
    Visitors,
)

BATCH = 5000  # libraries and accounts, through the ORM
FLUSH = 20_000  # records per executemany or COPY
FIELDS = ["Pendidikan", "Kesehatan", "Inklusi Digital", "Seni Budaya", "Ekonomi", "Pertanian", "Olahraga", "Lainnya"]
AUDIENCES = ["Umum", "Pelajar", "Anak-Anak", "Lansia", "Pelaku UMKM", "Mahasiswa", "Petani/Nelayan"]
ADVOCACY_TARGETS = ["Kepala Desa", "Perangkat Daerah", "Swasta", "Lainnya"]
MEDIA = [
    ("Media Online", "Instagram"),
    ("Media Online", "Facebook"),
    ("Media Elektronik", "RRI"),
    ("Media Cetak", "Koran"),
]
RETURN_COMMENTS = ["Mohon lengkapi foto kegiatan.", "Jumlah peserta belum sesuai daftar hadir."]

DAY = 86_400
# Records are entered during the working day (local time) and decided one to fourteen days later.
ENTRY_SECONDS = (7 * 3600, 20 * 3600)
DECISION_SECONDS = (DAY, 14 * DAY)
# uuid4 layout: version 4 in bits 76-79, variant 0b10 in bits 62-63 (as uuid.UUID(int=..., version=4)).
UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
UUID4_SET = (0x4000 << 64) | (0x8000 << 48)

# The columns written for every record type, in the order the row tuples hold them; the names must
# cover every concrete field but the primary key, so a new column fails loudly instead of missing.
COMMON_FIELDS = (
    "client_id",
    "status",
    "return_comment",
    "input_date",
    "entered_by",
    "verified_by",
    "verified_at",
    "origin",
    "import_key",
    "created_at",
    "updated_at",
    "library",
    "external_attachments",
    "last_edited_by",
)
RECORD_FIELDS: dict[type[Model], tuple[str, ...]] = {
    CommunityEngagement: (
        "date",
        "date_unknown",
        "title",
        "activity_field",
        "activity_kind",
        "audience",
        "participants",
        "participants_male",
        "participants_female",
        "participants_disability",
        "story",
    ),
    Advocacy: (
        "date",
        "date_unknown",
        "title",
        "targets",
        "outcome",
        "amount",
        "resource_persons",
        "goods",
        "regulation_kind",
        "regulation_date",
    ),
    Publicity: ("date", "title", "media_kind", "media_name", "link"),
    Visitors: ("year", "month", "male", "female", "total"),
    InformationService: ("year", "month", "books", "digital_books", "computers", "bandwidth"),
}

Row = tuple[Any, ...]
Dated = tuple[dt.date, str, str]  # a day, its column value, and an activity title of that day


@dataclass(frozen=True)
class Profile:
    """How much a partner reports in a year: mean activities per type, the chance of a monthly visitors
    report, of a half-yearly information-service report, and of having a manager account."""

    weight: int
    engagement: float
    advocacy: float
    publicity: float
    visitors: float
    information: float
    account: float


# Very uneven, as in the real gatherings: many partners never report, some occasionally (red), a
# regular group (yellow or green by their equipment) and a very active few that write most records.
# About a million records a year for 10,000 partners.
PROFILES = (
    Profile(30, 0, 0, 0, 0.0, 0.0, account=0.1),
    Profile(25, 3, 2, 1, 0.3, 0.2, account=0.8),
    Profile(30, 20, 10, 8, 0.6, 0.6, account=0.9),
    Profile(15, 360, 130, 85, 0.9, 0.9, account=0.95),
)
# Equipment a partner reports in its information-service reports (books, digital books, computers,
# bandwidth ranges): poor, fair or good, which mostly decides between yellow and green.
EQUIPMENT = (
    (50, (100, 600), (0, 30), (0, 1), ("0", "5")),
    (35, (500, 1200), (20, 120), (1, 3), ("5", "10", "20")),
    (15, (1000, 2500), (100, 300), (3, 6), ("20", "50")),
)
Equipment = tuple[int, tuple[int, int], tuple[int, int], tuple[int, int], tuple[str, ...]]


@dataclass(frozen=True)
class Partner:
    library_id: int
    profile: Profile
    equipment: Equipment


def _partners(rng: random.Random, libraries: list[Library]) -> list[Partner]:
    """Each synthetic partner's reporting habit and equipment, the same every year."""
    profiles = rng.choices(PROFILES, weights=[p.weight for p in PROFILES], k=len(libraries))
    equipment = rng.choices(EQUIPMENT, weights=[e[0] for e in EQUIPMENT], k=len(libraries))
    return [Partner(lib.pk, p, e) for lib, p, e in zip(libraries, profiles, equipment, strict=True)]


@dataclass(frozen=True)
class NationalResult:
    libraries: int
    records: int
    seconds: float


def national_generate(
    *, libraries: int, years: int, seed: int, progress: Callable[[int, int], None] | None = None
) -> NationalResult:
    """Create `libraries` synthetic partners and `years` years of records up to today, in bulk.

    `progress(year, records)` is called after each year is written.
    """
    started = timezone.now()
    rng = random.Random(seed)
    today = timezone.localdate(started)
    total = 0
    with transaction.atomic():
        created = _libraries(rng, libraries)
        partners = _partners(rng, created)
        _accounts(rng, created, partners)
        # Client ids come from their own stream, seeded by where this run's libraries start: the same
        # seed on a fresh database repeats them, and a second run into the same database cannot collide.
        ids = random.Random(f"{seed}-{created[0].pk}")
        rows = _RecordRows(rng=rng, ids=ids, now=started, db=connection)
        writer = _RecordWriter(connection)
        with _secondary_indexes_dropped(connection, list(RECORD_FIELDS)):
            for year in range(today.year - years + 1, today.year + 1):
                end = today if year == today.year else dt.date(year, 12, 31)
                count = writer.write(rows.year(partners, year, end))
                total += count
                if progress:
                    progress(year, count)
        summaries_rebuild()  # bulk inserts bypass the records_changed signal that keeps summaries fresh
        # ...and the one that keeps KPI month facts and scores: every month end of every year, once.
        kpi_rebuild(from_records=True)
    _analyze(connection)
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
    # SQLite (3.35+) and PostgreSQL both return the new primary keys from a bulk insert.
    return Library.objects.bulk_create(rows, batch_size=BATCH)


def _accounts(rng: random.Random, libraries: list[Library], partners: list[Partner]) -> None:
    """Partners that report mostly have a manager account (three in four of them activated, the rest
    invited); those that never report mostly have none."""
    users, pairs = [], []
    for library, partner in zip(libraries, partners, strict=True):
        roll = rng.random()
        if roll >= partner.profile.account:
            continue
        user = User(
            email=f"uji-{library.pk}-{rng.getrandbits(24):06x}@contoh.sim-tpbis.id",
            password="!",  # unusable: synthetic accounts never sign in
            last_login=timezone.now() if roll < 0.75 * partner.profile.account else None,
        )
        users.append(user)
        pairs.append((user, library))
    User.objects.bulk_create(users, batch_size=BATCH)
    Membership.objects.bulk_create(
        [Membership(user_id=user.pk, role=Role.MANAGER, library=library) for user, library in pairs],
        batch_size=BATCH,
    )


def _status(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.82:
        return Status.VERIFIED
    if roll < 0.95:
        return Status.SUBMITTED
    if roll < 0.98:
        return Status.RETURNED
    return Status.DRAFT


class _RecordRows:
    """Column values of synthetic records, already in the form the database driver takes.

    Dates, times and client ids are text: on SQLite as Django stores them (times naive, in the
    connection's time zone, usually UTC), on PostgreSQL as COPY reads them. Random integers come
    from `random()` directly: `randint` and `choice` cost several times more, at millions of calls.
    """

    def __init__(self, *, rng: random.Random, ids: random.Random, now: dt.datetime, db: BaseDatabaseWrapper) -> None:
        self.rng = rng
        self.ids = ids
        self.zone = timezone.get_current_timezone()
        self.db_zone: dt.tzinfo
        if db.vendor == "postgresql":
            # Text with an explicit offset: psycopg dumps an aware datetime several times slower.
            self.db_zone, self.offset = dt.UTC, "+00:00"
        else:
            self.db_zone, self.offset = db.timezone or dt.UTC, ""
        self.now = self._stored(now)
        self.targets = [json.dumps([target]) for target in ADVOCACY_TARGETS]
        self.bandwidths = {b: db.ops.adapt_decimalfield_value(Decimal(b), 8, 2) for e in EQUIPMENT for b in e[4]}
        self.midnights: dict[dt.date, dt.datetime] = {}

    def year(self, partners: list[Partner], year: int, end: dt.date) -> Iterator[tuple[type[Model], Row]]:
        """Every record of the partners from 1 January of `year` up to `end`, partner by partner."""
        start = dt.date(year, 1, 1)
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        dated = [(day, self._day(day), f"Kegiatan literasi {day:%d/%m}") for day in days]
        count = len(dated)
        share = count / 365
        rng = self.rng
        random_ = rng.random
        for partner in partners:
            profile, library_id = partner.profile, partner.library_id
            if not profile.engagement:
                continue
            for _ in range(self._count(profile.engagement * share)):
                yield CommunityEngagement, self._engagement(library_id, dated[int(random_() * count)])
            for _ in range(self._count(profile.advocacy * share)):
                yield Advocacy, self._advocacy(library_id, dated[int(random_() * count)])
            for _ in range(self._count(profile.publicity * share)):
                yield Publicity, self._publicity(library_id, dated[int(random_() * count)])
            for month in range(1, 13):
                # Visitors of a month are entered on the 28th, never before that day has come.
                entered = dt.date(year, month, 28)
                if entered <= end and random_() < profile.visitors:
                    yield Visitors, self._visitors(library_id, entered)
            for month in (1, 7):
                entered = dt.date(year, month, 15)
                if entered <= end and random_() < profile.information:
                    yield InformationService, self._information(library_id, entered, partner.equipment)

    def _count(self, mean: float) -> int:
        """A yearly count around `mean` (a quarter either way), never negative."""
        return max(0, int(self.rng.gauss(mean, mean / 4)))

    def _engagement(self, library_id: int, dated: Dated) -> Row:
        random_ = self.rng.random
        male = int(random_() * 31)
        female = 1 + int(random_() * 30)
        return (
            *self._bookkeeping(library_id, dated[0], dated[1]),
            dated[1],
            False,
            dated[2],
            FIELDS[int(random_() * len(FIELDS))],
            "Promosi" if random_() < 0.5 else "Pelatihan",
            AUDIENCES[int(random_() * len(AUDIENCES))],
            male + female,
            male,
            female,
            int(random_() * 3),
            "",
        )

    def _advocacy(self, library_id: int, dated: Dated) -> Row:
        random_ = self.rng.random
        roll = random_()
        outcome = "NonDana" if roll < 0.8 else "Dana" if roll < 0.95 else "Regulasi"
        return (
            *self._bookkeeping(library_id, dated[0], dated[1]),
            dated[1],
            False,
            "Audiensi dukungan perpustakaan",
            self.targets[int(random_() * len(self.targets))],
            outcome,
            (1 + int(random_() * 50)) * 500_000 if outcome == "Dana" else 0,
            1 + int(random_() * 5) if outcome == "NonDana" else 0,
            0,
            "Peraturan Kepala Desa/Lurah" if outcome == "Regulasi" else "",
            dated[1] if outcome == "Regulasi" else None,
        )

    def _publicity(self, library_id: int, dated: Dated) -> Row:
        kind, name = MEDIA[int(self.rng.random() * len(MEDIA))]
        return (
            *self._bookkeeping(library_id, dated[0], dated[1]),
            dated[1],
            "Kabar kegiatan perpustakaan",
            kind,
            name,
            "https://example.org/kabar",
        )

    def _visitors(self, library_id: int, entered: dt.date) -> Row:
        random_ = self.rng.random
        male, female = 5 + int(random_() * 196), 5 + int(random_() * 196)
        bookkeeping = self._bookkeeping(library_id, entered, self._day(entered), Status.VERIFIED)
        return (*bookkeeping, entered.year, entered.month, male, female, male + female)

    def _information(self, library_id: int, entered: dt.date, equipment: Equipment) -> Row:
        random_ = self.rng.random
        _, books, digital, computers, bandwidths = equipment

        def within(bounds: tuple[int, int]) -> int:
            return bounds[0] + int(random_() * (bounds[1] - bounds[0] + 1))

        bandwidth = bandwidths[int(random_() * len(bandwidths))]
        return (
            *self._bookkeeping(library_id, entered, self._day(entered)),
            entered.year,
            entered.month,
            within(books),
            within(digital),
            within(computers),
            self.bandwidths[bandwidth],
        )

    def _bookkeeping(self, library_id: int, entered: dt.date, entered_value: str, status: str | None = None) -> Row:
        """The COMMON_FIELDS: entered on `entered`; verified or returned a few days later, if that has come."""
        random_ = self.rng.random
        status = status or _status(self.rng)
        entry = ENTRY_SECONDS[0] + int(random_() * (ENTRY_SECONDS[1] - ENTRY_SECONDS[0]))
        created = min(self._midnight(entered) + dt.timedelta(seconds=entry), self.now)
        comment, verified_at, updated = "", None, created
        if status in (Status.VERIFIED, Status.RETURNED):
            wait = DECISION_SECONDS[0] + int(random_() * (DECISION_SECONDS[1] - DECISION_SECONDS[0]))
            decided = created + dt.timedelta(seconds=wait)
            if decided > self.now:
                status = Status.SUBMITTED  # too recent to have been decided: still in the queue
            elif status == Status.VERIFIED:
                verified_at = updated = decided
            else:
                comment, updated = RETURN_COMMENTS[int(random_() * len(RETURN_COMMENTS))], decided
        created_value = str(created) + self.offset
        updated_value = created_value if updated is created else str(updated) + self.offset
        client_id = f"{self.ids.getrandbits(128) & UUID4_CLEAR | UUID4_SET:032x}"
        return (
            client_id,  # 32 hex digits: Django's form on SQLite, valid uuid text for PostgreSQL
            status,
            comment,
            entered_value,
            None,
            None,
            updated_value if verified_at else None,
            Origin.ENTRY.value,
            "",
            created_value,
            updated_value,
            library_id,
            "",
            None,
        )

    def _day(self, day: dt.date) -> str:
        return day.isoformat()

    def _stored(self, moment: dt.datetime) -> dt.datetime:
        """`moment` naive in the zone its text is written in (see `offset`)."""
        return moment.astimezone(self.db_zone).replace(tzinfo=None)

    def _midnight(self, day: dt.date) -> dt.datetime:
        midnight = self.midnights.get(day)
        if midnight is None:
            local = dt.datetime.combine(day, dt.time(), tzinfo=self.zone)
            midnight = self.midnights[day] = self._stored(local)
        return midnight


class _RecordWriter:
    """Buffers rows per record type and writes each full buffer in one executemany or COPY."""

    def __init__(self, db: BaseDatabaseWrapper) -> None:
        self.db = db
        self.statements: dict[type[Model], str] = {}
        self.constants: dict[type[Model], Row] = {}  # values of columns the generator leaves at their default
        for model in RECORD_FIELDS:
            self.statements[model], self.constants[model] = _insert_statement(db, model)
        self.pending: dict[type[Model], list[Row]] = {model: [] for model in RECORD_FIELDS}

    def write(self, rows: Iterator[tuple[type[Model], Row]]) -> int:
        """Write all `rows`; returns how many."""
        count = 0
        for model, row in rows:
            pending = self.pending[model]
            pending.append(row)
            if len(pending) >= FLUSH:
                count += self._flush(model)
        for model in RECORD_FIELDS:
            count += self._flush(model)
        return count

    def _flush(self, model: type[Model]) -> int:
        rows = self.pending[model]
        if not rows:
            return 0
        constants = self.constants[model]
        if constants:
            rows = [row + constants for row in rows]
        # The driver's own cursor: no Django query logging of 20,000 parameter tuples.
        with self.db.cursor() as cursor:
            if self.db.vendor == "postgresql":
                with cursor.cursor.copy(self.statements[model]) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.cursor.executemany(self.statements[model], rows)
        self.pending[model] = []
        return len(rows)


def _insert_statement(db: BaseDatabaseWrapper, model: type[Model]) -> tuple[str, Row]:
    """The COPY or INSERT of the model's generated columns, and the constant values of the columns the
    generator does not know, each at its model default. Only a column with a plain default (or blank
    text) may be left to it; any other new column fails loudly instead of being written wrong."""
    generated = COMMON_FIELDS + RECORD_FIELDS[model]
    fields = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
    defaulted = [name for name in fields if name not in generated]
    constants = tuple(fields[name].get_default() for name in defaulted)
    plain = all(isinstance(value, str | int | bool) for value in constants)
    if set(generated) - set(fields) or not plain:
        raise RuntimeError(f"{model.__name__}: generated columns {sorted(generated)} != model fields {sorted(fields)}")
    names = generated + tuple(defaulted)
    quote = db.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(fields[name].column) for name in names)
    if db.vendor == "postgresql":
        return f"COPY {table} ({columns}) FROM STDIN", constants
    placeholders = ", ".join("?" * len(names))
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", constants  # noqa: S608 (model names)


@contextmanager
def _secondary_indexes_dropped(db: BaseDatabaseWrapper, models: list[type[Model]]) -> Iterator[None]:
    """Drop the tables' non-unique indexes for a bulk load and build them again after it (same transaction).

    Building an index once over the loaded rows costs far less than keeping it in order through millions
    of random-key inserts: about 40% of the load time on both databases. On PostgreSQL the unique
    constraints go too (the client ids are random uuids: at 25 million rows their index no longer fits in
    the buffers and each insert reads and writes a random page) and come back at the end, checked then;
    the rebuild sorts with `maintenance_work_mem` raised for this transaction (the trigram index of the
    titles alone took minutes with the default 64 MB). On PostgreSQL the tables are locked against
    readers until the transaction commits.
    """
    tables = [model._meta.db_table for model in models]
    definitions = [definition for table in tables for definition in _index_definitions(db, table)]
    constraints = [c for table in tables for c in _unique_constraints(db, table)]
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # Django's foreign keys are checked at commit, one queued event per row and key, and no index
            # can be built while events are queued: check them at the end of each COPY instead.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _ in definitions:
            cursor.execute(f"DROP INDEX {quote(name)}")
        for table, name, _ in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    yield
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        for _, sql in definitions:
            cursor.execute(sql)
        if db.vendor == "postgresql":
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's initially deferred keys


def _unique_constraints(db: BaseDatabaseWrapper, table: str) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the table's UNIQUE constraints, on PostgreSQL (none on SQLite, whose
    unique indexes cannot be dropped)."""
    if db.vendor != "postgresql":
        return []
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'u' ORDER BY conname",
            [db.ops.quote_name(table)],
        )
        return [(table, name, definition) for name, definition in cursor.fetchall()]


def _index_definitions(db: BaseDatabaseWrapper, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the table's indexes that enforce nothing (not primary, not unique)."""
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary ORDER BY c.relname",
                [db.ops.quote_name(table)],
            )
        else:
            # Indexes SQLite makes itself for UNIQUE columns have no SQL and cannot be dropped.
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name",
                [table],
            )
        return [(name, sql) for name, sql in cursor.fetchall()]


def _analyze(db: BaseDatabaseWrapper) -> None:
    """Fresh planner statistics and visibility maps: the tables grew from nothing to millions of rows in one go."""
    summaries = apps.get_app_config("dashboards").get_models()
    scores = apps.get_app_config("kpi").get_models()  # the rankings' plans read the score tables' statistics
    models: list[type[Model]] = [*RECORD_FIELDS, Library, Membership, User, *summaries, *scores]
    tables = [db.ops.quote_name(model._meta.db_table) for model in models]
    if db.vendor != "postgresql":
        # SQLite plans the dashboards' rankings better without statistics: with them it scans every
        # partner (27 ms) instead of walking the score index (1 ms).
        return
    # VACUUM too, outside a transaction: it marks the new pages all-visible, so the covering date indexes
    # answer without reading the table (an index-only scan of a never-vacuumed table fetched every row:
    # a kabupaten's cut days took 0.8 s instead of a few ms on the whole country).
    command = "ANALYZE" if db.in_atomic_block else "VACUUM (ANALYZE)"
    with db.cursor() as cursor:
        cursor.execute(f"{command} {', '.join(tables)}")
