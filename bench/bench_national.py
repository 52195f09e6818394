"""Every page on a national data set, for every kind of period: server time against its bare-SQL floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tpbis_national \\
        python bench/bench_national.py [--repeat 5] [--entries 20] [--recompute] [--read-only] [--out FILE]

Pages (national, province, kabupaten, kecamatan and village dashboards, the gathering report, the stats
JSON of a province and of the nation, the public page, a library's rapor and its PDF) for this year to
date, last year, a mid-month period of last year and of this year, and five years: the median server time
of `--repeat` requests through Django's test client after one warm-up, the floor (the same SELECTs with
their parameters run bare on the same connection, bench_dashboards' machinery), their ratio and the number
of statements. Then record entry through the service layer (median of `--entries`, rolled back) and, with
`--recompute`, `kpi_recompute` twice in a child process (seconds, its output, peak RSS, and on PostgreSQL
the rows it wrote and left dead in the score tables from pg_stat_user_tables).

`--generate` (for `make bench-national`) first migrates and, only when the database holds no national set
yet, loads the regions and runs `generate_national --libraries N --years Y`, each in a child process whose
time and peak RSS are reported.

Everything the pages and entries write (scores stored on a first visit, the bench's accounts, the entered
records) happens in one transaction that is rolled back: with `--read-only` and without `--generate` or
`--recompute` the database is left as it was. A page that answers with an error or a feature that does not
exist yet is reported as a note in its row; the report never stops halfway.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
for _path in (str(BENCH), str(ROOT), str(ROOT / "src")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from bench_dashboards import _floor_ms, _median_ms  # noqa: E402  (the floor machinery, shared)

SYNTHETIC_PREFIX = "Perpustakaan Uji"  # generate_national's libraries
WANTED_PROVINCE = "35"  # Jawa Timur
WANTED_REGENCY = "35.22"  # Bojonegoro


@dataclass(frozen=True)
class Span:
    """A reporting period as each page asks for it: a preset key where the page has one, or dates."""

    label: str
    start: dt.date
    end: dt.date
    preset: str | None = None

    def dashboard_query(self) -> str:
        """Dashboards, the public page, the gathering report and the rapor (`periode` or `mulai`/`sampai`)."""
        if self.preset:
            return f"periode={self.preset}"
        return f"mulai={self.start.isoformat()}&sampai={self.end.isoformat()}"

    def api_query(self) -> str:
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def spans(today: dt.date) -> list[Span]:
    """This year to date, last year, a mid-month period of last year and of this year, five years."""
    year = today.year
    month = today.month if today.day > 14 else today.month - 1  # the latest 14th that has come
    this_start = dt.date(year, 1, 15)
    this_end = dt.date(year, month, 14) if month >= 2 else today
    return [
        Span(f"this year (1 Jan–{today:%-d %b})", dt.date(year, 1, 1), today, "ytd"),
        Span(f"last year ({year - 1})", dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31), "last_year"),
        Span(f"15 Mar–14 Aug {year - 1}", dt.date(year - 1, 3, 15), dt.date(year - 1, 8, 14)),
        Span(f"{this_start:%-d %b}–{this_end:%-d %b} {year}", min(this_start, this_end), this_end),
        Span(f"five years ({year - 4}–{year})", dt.date(year - 4, 1, 1), today),
    ]


@dataclass
class Row:
    page: str
    period: str = ""
    server_ms: float | None = None
    floor_ms: float | None = None
    queries: int | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.server_ms is None or not self.floor_ms:
            return None
        return self.server_ms / self.floor_ms


@dataclass
class CommandRun:
    label: str
    seconds: float | None = None
    peak_mb: float | None = None
    output: str = ""
    written: int | None = None  # rows inserted, updated or deleted in the score tables (PostgreSQL)
    dead: int | None = None  # n_dead_tup of the score tables afterwards (PostgreSQL)
    note: str = ""


@dataclass
class Report:
    vendor: str = ""
    database: str = ""
    commit: str = ""
    libraries: int = 0
    records: int = 0
    places: dict[str, str] = field(default_factory=dict)
    commands: list[CommandRun] = field(default_factory=list)
    pages: list[Row] = field(default_factory=list)
    entry: Row | None = None
    peak_mb: float = 0.0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [
            f"# National benchmark ({self.vendor}, {self.database})",
            "",
            f"Commit {self.commit or '?'}; {self.libraries:,} libraries, {self.records:,} records"
            f"{' (planner estimate)' if self.vendor == 'postgresql' else ''}; "
            f"run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC in {self.seconds:.0f} s; "
            f"bench process peak RSS {self.peak_mb:.0f} MB.",
            "",
            "Places: " + "; ".join(f"{kind} {where}" for kind, where in self.places.items()),
            "",
        ]
        if self.commands:
            lines += [
                "| command | seconds | peak RSS MB | score rows written | dead score rows after | output / note |",
                "|---|---:|---:|---:|---:|---|",
            ]
            for run in self.commands:
                lines.append(
                    f"| {run.label} | {_num(run.seconds, 1)} | {_num(run.peak_mb, 0)} | {_int(run.written)} "
                    f"| {_int(run.dead)} | {_cell(' '.join(filter(None, [run.output, run.note])))} |"
                )
            lines.append("")
        lines += [
            "| page | period | server ms | floor ms | ratio | queries | note |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for row in self.pages:
            lines.append(
                f"| {row.page} | {row.period} | {_num(row.server_ms, 1)} | {_num(row.floor_ms, 1)} "
                f"| {_num(row.ratio, 2)} | {_int(row.queries)} | {_cell(row.note)} |"
            )
        if self.entry is not None:
            entry = self.entry
            lines += [
                "",
                "| record entry (service layer) | ms (median) | queries (median) | note |",
                "|---|---:|---:|---|",
                f"| {entry.page} | {_num(entry.server_ms, 1)} | {_int(entry.queries)} | {_cell(entry.note)} |",
            ]
        if self.notes:
            lines += ["", *(f"- {note}" for note in self.notes)]
        return "\n".join(lines) + "\n"


def _num(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _int(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "/")[:300]


# Child processes: each command's own time and peak RSS (os.wait4 reports the child's rusage).


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_ALLOW_INSECURE_KEY", "1")
    return env


def run_command(label: str, args: list[str], *, echo: bool = False) -> CommandRun:
    """`manage.py *args` in a child process; its wall time, peak RSS and last lines of output."""
    run = CommandRun(label)
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (our own manage.py with fixed arguments)
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    watcher = _PeakWatcher(process.pid)
    watcher.start()
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip())
        if echo:
            print(f"  {label}: {line.rstrip()}", flush=True)
    _, status, usage = os.wait4(process.pid, 0)
    watcher.stopped.set()
    watcher.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    run.seconds = time.perf_counter() - started
    # Linux keeps the parent's size at fork in the child's ru_maxrss; the child's own high-water mark
    # (VmHWM) is exact, read while it runs. ru_maxrss (kilobytes on Linux) where /proc is missing.
    run.peak_mb = (watcher.peak_kb or usage.ru_maxrss) / 1024
    run.output = " ".join(lines[-4:])
    if process.returncode:
        run.note = f"exit status {process.returncode}"
    return run


class _PeakWatcher(threading.Thread):
    """Reads a process's peak resident size (VmHWM in /proc/PID/status) every 50 ms until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.status = Path(f"/proc/{pid}/status")
        self.stopped = threading.Event()
        self.peak_kb = 0

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                for line in self.status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            except (OSError, ValueError, IndexError):
                pass
            self.stopped.wait(0.05)


def _score_tables() -> list[str]:
    """The KPI app's tables of scores and facts, whatever their names are at this commit."""
    from django.apps import apps

    return [
        model._meta.db_table
        for model in apps.get_app_config("kpi").get_models()
        if any(word in model.__name__.lower() for word in ("score", "fact", "month"))
    ]


def _table_writes() -> tuple[int, int] | None:
    """(rows inserted + updated + deleted so far, dead rows now) of the score tables, on PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    tables = _score_tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0), COALESCE(SUM(n_dead_tup), 0)"
            " FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [tables],
        )
        written, dead = cursor.fetchone()
    return int(written), int(dead)


def recompute_runs() -> list[CommandRun]:
    """`kpi_recompute` as it would run first on this database and then again with nothing changed."""
    from tpbis.kpi.models import CurrentScore

    runs = []
    first = not CurrentScore.objects.exists()
    for label in (
        "kpi_recompute, first run" if first else "kpi_recompute (scores already stored)",
        "kpi_recompute, unchanged run",
    ):
        before = _table_writes()
        run = run_command(label, ["kpi_recompute"])
        time.sleep(0.7)  # the child's table statistics reach the shared counters as it exits
        after = _table_writes()
        if before and after:
            run.written, run.dead = after[0] - before[0], after[1]
        runs.append(run)
        print(f"{run.label}: {run.seconds:.1f} s, peak RSS {run.peak_mb:.0f} MB; {run.output}", flush=True)
    return runs


def generate_runs(*, libraries: int, years: int) -> tuple[list[CommandRun], bool]:
    """migrate, and when the database has no national set: load_regions and generate_national."""
    runs = [run_command("migrate", ["migrate", "--noinput", "-v0"])]
    from tpbis.libraries.models import Library

    if Library.objects.filter(name__startswith=SYNTHETIC_PREFIX).exists():
        print("national set already present: not generated again", flush=True)
        return runs, False
    runs.append(run_command("load_regions", ["load_regions"]))
    runs.append(
        run_command(
            f"generate_national --libraries {libraries} --years {years} --seed 1",
            ["generate_national", "--libraries", str(libraries), "--years", str(years), "--seed", "1"],
            echo=True,
        )
    )
    return runs, True


# Pages.


@dataclass(frozen=True)
class Places:
    province: str
    regency: str
    district: str
    village: str
    library: int


def places_pick() -> Places | None:
    """Jawa Timur and Bojonegoro when they have partners, else the busiest province and kabupaten; their
    busiest kecamatan; the library there with most activities and its village."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from tpbis.libraries.models import Library, LibraryKind
    from tpbis.reports.models import CommunityEngagement

    libraries = Library.objects.filter(regency__isnull=False)
    province = WANTED_PROVINCE if libraries.filter(province_id=WANTED_PROVINCE).exists() else None
    if province is None:
        busiest = libraries.values("province_id").annotate(n=Count("pk")).order_by("-n").first()
        if busiest is None:
            return None
        province = busiest["province_id"]
    regency = WANTED_REGENCY if libraries.filter(regency_id=WANTED_REGENCY).exists() else None
    if regency is None or not regency.startswith(province + "."):
        busiest = (
            libraries.filter(province_id=province).values("regency_id").annotate(n=Count("pk")).order_by("-n").first()
        )
        assert busiest is not None
        regency = busiest["regency_id"]
    district = (
        libraries.filter(regency_id=regency, region__level=4)
        .annotate(area=Substr("region_id", 1, 8))
        .values("area")
        .annotate(n=Count("pk"))
        .order_by("-n", "area")
        .first()
    )
    if district is None:
        return None
    in_district = libraries.filter(regency_id=regency, region__code__startswith=district["area"] + ".")
    busiest_library = (
        CommunityEngagement.objects.filter(library__in=in_district.filter(kind=LibraryKind.VILLAGE))
        .values("library_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "library_id")
        .first()
    )
    library = (
        in_district.get(pk=busiest_library["library_id"]) if busiest_library else in_district.order_by("pk").first()
    )
    assert library is not None
    return Places(province, regency, district["area"], library.region_id, library.pk)


def _page_specs(places: Places, span: Span) -> list[tuple[str, str, bool]]:
    """(label, path, needs login) of every page for one period."""
    query = span.dashboard_query()
    return [
        ("national dashboard", f"/dasbor/?{query}", True),
        (f"province dashboard ({places.province})", f"/dasbor/?wilayah={places.province}&{query}", True),
        (f"kabupaten dashboard ({places.regency})", f"/dasbor/?wilayah={places.regency}&{query}", True),
        (f"kecamatan dashboard ({places.district})", f"/dasbor/?wilayah={places.district}&{query}", True),
        (f"village dashboard ({places.village})", f"/dasbor/?wilayah={places.village}&{query}", True),
        (
            f"gathering report ({places.province})",
            f"/laporan-gathering/?wilayah={places.province}&{query}",
            True,
        ),
        (f"stats JSON ({places.province})", f"/api/v1/stats?region={places.province}&{span.api_query()}", True),
        ("stats JSON (nation)", f"/api/v1/stats?{span.api_query()}", True),
        ("public page (nation)", f"/capaian/?{query}", False),
        (f"rapor (library {places.library})", f"/rapor/{places.library}/?{query}", True),
        (f"rapor PDF (library {places.library})", f"/rapor/{places.library}/pdf/?{query}", True),
    ]


def _statements(fn: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Every statement one call runs (transaction control left out), with its parameters."""
    from django.db import connection

    statements: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        fn()
    return statements


def measure_page(label: str, period: str, fetch: Callable[[], Any], repeat: int) -> Row:
    """One page's row: warm once, capture its statements, time it and its floor. Errors become a note."""
    from django.db import transaction

    row = Row(label, period)
    try:
        with transaction.atomic():  # a failed statement must not break the rolled-back transaction around
            _page_measure(row, fetch, repeat)
    except Exception as error:  # a page that fails is a row with a note, not a stopped report
        row.note = f"{type(error).__name__}: {error}"
        traceback.print_exc(limit=3)
    return row


def _page_measure(row: Row, fetch: Callable[[], Any], repeat: int) -> None:
    started = time.perf_counter()
    response = fetch()  # the warm-up: a first visit stores what the page stores (a past day's scores)
    first_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        row.note = f"HTTP {response.status_code}"
        return
    statements = _statements(fetch)
    reads = [(sql, params) for sql, params in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    row.queries = len(statements)
    row.server_ms = _median_ms(fetch, repeat)
    row.floor_ms = _floor_ms(reads, repeat) if reads else None
    if len(reads) < len(statements):
        row.note = f"{len(statements) - len(reads)} writes (not in the floor)"
    # Kept until the run's rollback, so the timed requests read what the first one stored.
    row.note = "; ".join(filter(None, [row.note, f"first visit {first_ms:.0f} ms"]))


def pages_measure(report: Report, places: Places, *, repeat: int, only: set[str] | None = None) -> None:
    from django.test import Client
    from django.utils import timezone

    from tpbis.accounts.models import Membership, Role, User

    user, _ = User.objects.get_or_create(email="bench-national@contoh.sim-tpbis.id")
    Membership.objects.get_or_create(user=user, role=Role.NATIONAL)
    signed_in, anonymous = Client(), Client()
    signed_in.force_login(user)
    for span in spans(timezone.localdate()):
        if only and not any(word in span.label for word in only):
            continue
        for label, path, login in _page_specs(places, span):
            client = signed_in if login else anonymous

            def fetch(client: Client = client, path: str = path) -> Any:
                return client.get(path)

            row = measure_page(label, span.label, fetch, repeat)
            report.pages.append(row)
            print(
                f"{label:<36} {span.label:<26} server {_num(row.server_ms, 1):>9} floor {_num(row.floor_ms, 1):>9}"
                f" ratio {_num(row.ratio, 2):>5} queries {_int(row.queries):>4} {row.note}",
                flush=True,
            )
    library_page = measure_page(
        f"library page (/mitra/{places.library}/)",
        "–",
        lambda: signed_in.get(f"/mitra/{places.library}/"),
        repeat,
    )
    report.pages.append(library_page)


def entry_measure(places: Places, *, entries: int) -> Row:
    """`entries` community-engagement records through `record_create` by the library's manager, dated
    over this year and last (some back-dated); median time and statements per entry. Rolled back with
    the rest; work deferred to commit (on_commit hooks) is therefore not in the figures."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tpbis.accounts.models import Membership, Role, User
    from tpbis.libraries.models import Library
    from tpbis.reports.models import CommunityEngagement
    from tpbis.reports.services import record_create

    row = Row("community engagement by its manager")
    try:
        library = Library.objects.get(pk=places.library)
        user = User.objects.create_user("bench-national-entry@contoh.sim-tpbis.id", "bench-password-1")
        Membership.objects.create(user=user, role=Role.MANAGER, library=library)
        today = timezone.localdate()
        times, counts = [], []
        for i in range(entries + 1):
            data = {
                "date": today - dt.timedelta(days=(i * 37) % 500),
                "title": f"Kegiatan literasi bench {i}",
                "activity_field": "Pendidikan",
                "activity_kind": "Pelatihan",
                "audience": "Umum",
                "participants": 10 + i % 40,
            }
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                with transaction.atomic():  # as a request would (ATOMIC_REQUESTS); a savepoint here
                    record_create(model=CommunityEngagement, user=user, library=library, data=data)
                elapsed = time.perf_counter() - started
            if i:  # the first warms the caches (schemes, components) and is left out
                times.append(elapsed * 1000)
                counts.append(sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"].upper()))
        row.server_ms = statistics.median(times)
        row.queries = int(statistics.median(counts))
        row.note = (
            f"median of {entries}, dates up to 500 days back; max {max(times):.1f} ms; "
            f"statements {min(counts)}–{max(counts)} (savepoints left out); rolled back"
        )
    except Exception as error:  # likewise: a note, never a stopped report
        row.note = f"{type(error).__name__}: {error}"
        traceback.print_exc(limit=3)
    return row


@contextmanager
def _rolled_back() -> Iterator[None]:
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _commit() -> str:
    try:
        out = subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %ad", "--date=format:%Y-%m-%d %H:%M"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        dirty = subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        return out.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")
    except OSError:
        return ""


def national_report(
    *,
    repeat: int = 5,
    entries: int = 20,
    recompute: bool = False,
    generate: tuple[int, int] | None = None,
    only: set[str] | None = None,
    score: bool = False,
) -> Report:
    """Measure everything on the configured database (Django set up); see the module's docstring."""
    from django.db import connection

    from tpbis.libraries.models import Library
    from tpbis.reports.models import LibraryRecord

    started = time.perf_counter()
    report = Report(vendor=connection.vendor, database=str(connection.settings_dict["NAME"]), commit=_commit())
    if generate:
        runs, generated = generate_runs(libraries=generate[0], years=generate[1])
        report.commands += runs
        if not generated:
            report.notes.append("The national set was already there: generation not measured in this run.")
    if recompute:
        report.commands += recompute_runs()
    report.libraries = Library.objects.count()
    report.records = _records_count(_record_models(LibraryRecord))
    try:
        places = places_pick()
    except Exception as error:  # a data set the picker does not understand: say so in the report
        traceback.print_exc(limit=3)
        report.notes.append(f"Places not picked ({type(error).__name__}: {error}).")
        places = None
    if places is None:
        report.notes.append("No libraries with a region: nothing to measure (generate_national first).")
        return report
    report.places = {
        "province": places.province,
        "kabupaten": places.regency,
        "kecamatan": places.district,
        "village": places.village,
        "library": str(places.library),
    }
    print(f"places: {report.places}", flush=True)
    with _rolled_back():
        if score:
            report.commands.append(_score_in_transaction())
        if entries:  # first, so a run stopped halfway through the pages has it
            report.entry = entry_measure(places, entries=entries)
            entry = report.entry
            print(
                f"record entry: {_num(entry.server_ms, 1)} ms, {_int(entry.queries)} queries; {entry.note}", flush=True
            )
        pages_measure(report, places, repeat=repeat, only=only)
    report.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.seconds = time.perf_counter() - started
    return report


def _score_in_transaction() -> CommandRun:
    """What `kpi_recompute` does, in this process inside the rolled-back transaction: a database that was
    never scored gets the stored scores the pages expect, and keeps none of them afterwards."""
    from tpbis.kpi.services import kpi_refresh

    run = CommandRun("kpi_refresh() in the rolled-back transaction (as kpi_recompute, first run)")
    started = time.perf_counter()
    try:
        counts = kpi_refresh()
        run.output = ", ".join(f"{colour} {n}" for colour, n in sorted(counts.items()))
    except Exception as error:  # a note, never a stopped report
        run.note = f"{type(error).__name__}: {error}"
    run.seconds = time.perf_counter() - started
    run.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{run.label}: {run.seconds:.1f} s, process peak RSS {run.peak_mb:.0f} MB {run.output}", flush=True)
    return run


def _records_count(models: list[Any]) -> int:
    """Records of every type: exact on SQLite; on PostgreSQL the planner's estimate (ANALYZE keeps it
    close), since counting 25 million rows would read every table."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return sum(model.objects.count() for model in models)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(GREATEST(reltuples, 0)), 0) FROM pg_class WHERE relname = ANY(%s)",
            [[model._meta.db_table for model in models]],
        )
        return int(cursor.fetchone()[0])


def _record_models(base: Any) -> list[Any]:
    from django.apps import apps

    return [
        model
        for model in apps.get_app_config("reports").get_models()
        if issubclass(model, base) and not model._meta.abstract
    ]


def database_create(url: str) -> None:
    """Create the PostgreSQL database of `url` when it does not exist yet (SQLite files create themselves)."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"database {name} created", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="requests per page (median); default 5")
    parser.add_argument("--entries", type=int, default=20, help="records entered (median); default 20")
    parser.add_argument("--recompute", action="store_true", help="run kpi_recompute twice first (writes)")
    parser.add_argument("--generate", nargs=2, type=int, metavar=("LIBRARIES", "YEARS"), help="see above (writes)")
    parser.add_argument("--only", action="append", help="only periods whose label contains this (repeatable)")
    parser.add_argument(
        "--score", action="store_true", help="score every library in the rolled-back transaction first (never scored)"
    )
    parser.add_argument("--out", type=Path, help="also write the Markdown report to this file")
    parser.add_argument("--read-only", action="store_true", help="refuse --generate and --recompute")
    args = parser.parse_args(argv)
    if args.read_only and (args.generate or args.recompute):
        parser.error("--read-only excludes --generate and --recompute")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ALLOW_INSECURE_KEY", "1")
    if args.generate:
        database_create(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()
    report = national_report(
        repeat=args.repeat,
        entries=args.entries,
        recompute=args.recompute,
        generate=tuple(args.generate) if args.generate else None,
        only=set(args.only) if args.only else None,
        score=args.score,
    )
    text = report.markdown()
    print(text, flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
