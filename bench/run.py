"""`make bench`: measure the foundation's hot paths on a fresh SQLite database (or DATABASE_URL).

Prints one line per measurement; docs/performance.md records the figures.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def timed(label: str, fn: Callable[[], object], repeat: int = 1) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    best = min(samples)
    median = statistics.median(samples)
    print(f"{label}: best {best * 1000:.1f} ms, median {median * 1000:.1f} ms over {repeat}", flush=True)
    return median


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="tpbis-bench-")
    # Never the configured DATABASE_URL: benchmarks write synthetic data. A scratch SQLite file, or
    # BENCH_DATABASE_URL (the Makefile points it at a scratch PostgreSQL database).
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})", flush=True)
    from tpbis.regions.selectors import region_search
    from tpbis.regions.services import regions_load

    timed("load_regions, empty database (91,599 regions)", regions_load)
    timed("load_regions, second run (nothing to change)", regions_load)
    timed("village picker search 'labruk'", lambda: region_search(query="labruk", level=4), repeat=20)
    timed("village picker search 'sumber' (many matches)", lambda: region_search(query="sumber", level=4), repeat=20)

    bench_dir = Path(__file__).resolve().parent
    sys.path.insert(0, str(bench_dir))
    from bench_import import bench_import_libraries  # the partner import, 10,000 rows
    from bench_records import bench_record_entry, bench_sim_import

    bench_import_libraries(rows=10_000)
    from bench_import_limits import bench_import_limits  # the spreadsheet bomb of issue 10, refused

    bench_import_limits()
    bench_record_entry(records=2_000)  # each write also rescores the library and its kabupaten summary
    bench_sim_import()

    from bench_record_import import bench_record_import

    bench_record_import(rows=10_000)  # spreadsheet entry of activities and visitors

    from bench_kpi import bench_kpi

    bench_kpi(libraries=10_000, recompute=False)

    from bench_national import national_report

    # Every page for every period on the national set, kpi_recompute first and unchanged (issue 16).
    report = national_report(repeat=5, entries=20, recompute=True)
    print(report.markdown(), flush=True)

    from bench_api import bench_compat_api

    bench_compat_api(records=10_000)

    from bench_dashboards import bench_dashboards

    bench_dashboards()


if __name__ == "__main__":
    main()
