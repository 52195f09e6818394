"""Benchmark of the KPI engine on the national data set: 10,000 libraries with five years of records
(about 5 million), which the dashboards benchmark then reads."""

from __future__ import annotations

import time


def bench_kpi(libraries: int = 10_000, years: int = 5, *, recompute: bool = True) -> None:
    """Generate the set and, with `recompute`, time the KPI refresh in this process (`make bench` leaves the
    first scoring to bench_national, which runs `kpi_recompute` as a command and measures its memory)."""
    from django.db import connection

    from tpbis.demo.national import national_generate
    from tpbis.kpi.services import kpi_refresh
    from tpbis.reports.models import CommunityEngagement

    started = time.perf_counter()
    result = national_generate(libraries=libraries, years=years, seed=1)
    print(
        f"generate_national: {result.libraries:,} libraries, {result.records:,} records "
        f"in {time.perf_counter() - started:.1f} s ({connection.vendor})",
        flush=True,
    )
    assert CommunityEngagement.objects.exists()
    if not recompute:
        return
    for label, months in (
        ("kpi recompute, current scores, first time (writes every score)", False),
        ("kpi recompute, current scores, again (nothing changed)", False),
        ("kpi recompute, current and month-end scores", True),
    ):
        started = time.perf_counter()
        counts = kpi_refresh(months=months)
        print(f"{label}: {time.perf_counter() - started:.2f} s  {dict(counts)}", flush=True)
