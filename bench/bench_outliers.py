"""The outlier scan on the national data set: the full scan per record type (what `quality_scan` runs
nightly), the rescan of one library after a change (what every record write triggers), and the first page
of /kualitas-data/ for the nation, the busiest province and kabupaten. Run on an existing national
database after `migrate quality` there (it writes only the quality app's tables):

    DATABASE_URL=postgres://.../tpbis_national python bench/bench_outliers.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
REPEAT = 7


def _median_ms(fn: Callable[[], object]) -> float:
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from tpbis.accounts.scope import Scope
    from tpbis.libraries.models import Library
    from tpbis.quality.models import OutlierFlag
    from tpbis.quality.scan import WINDOW_MONTHS, outliers_scan
    from tpbis.quality.selectors import flag_text, flags_for_user
    from tpbis.reports.models import CommunityEngagement, InformationService, Visitors

    print(
        f"database: {connection.vendor}; libraries {Library.objects.count():,}; visitor records "
        f"{Visitors.objects.count():,}; information-service records {InformationService.objects.count():,}; "
        f"activities {CommunityEngagement.objects.count():,}; window {WINDOW_MONTHS} months",
        flush=True,
    )
    print(f"{'full scan':<28} {'s':>8} {'values':>12} {'flags':>8} {'queries':>8}")
    total_seconds, total_values, total_flags = 0.0, 0, 0
    for model in (Visitors, InformationService, CommunityEngagement):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = outliers_scan(models=[model])
            seconds = time.perf_counter() - started
        total_seconds += seconds
        total_values += result.values
        total_flags += result.flags
        name = str(model._meta.verbose_name)
        print(f"{name:<28} {seconds:>8.1f} {result.values:>12,} {result.flags:>8,} {len(queries):>8}", flush=True)
    print(f"{'nation, all measures':<28} {total_seconds:>8.1f} {total_values:>12,} {total_flags:>8,}", flush=True)

    busiest = Library.objects.values("pk").annotate(n=Count("communityengagement_records")).order_by("-n")[0]["pk"]
    for model in (Visitors, CommunityEngagement):
        with CaptureQueriesContext(connection) as queries:
            outliers_scan(library_ids=[busiest], models=[model])
        ms = _median_ms(partial(outliers_scan, library_ids=[busiest], models=[model]))
        print(f"rescan of one library ({model._meta.verbose_name}): {ms:.1f} ms, {len(queries)} queries", flush=True)

    regency = (OutlierFlag.objects.exclude(regency_id="").values("regency_id").annotate(n=Count("pk")).order_by("-n"))[
        0
    ]["regency_id"]
    for code in (None, regency[:2], regency):

        def first_page(code: str | None = code) -> list[str]:
            return [flag_text(f) for f in flags_for_user(scope=Scope(national=True), region_code=code)[:30]]

        count = flags_for_user(scope=Scope(national=True), region_code=code).count()
        print(f"first page of flags, {code or 'nation'} ({count:,} flags): {_median_ms(first_page):.1f} ms", flush=True)


if __name__ == "__main__":
    main()
