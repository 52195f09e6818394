"""Reporting rates on the national data set: the rates' own queries and the dashboard page with and
without them, for periods of one month to five years. Run on an existing national database (it writes
only today's scores, as any dashboard view does):

    DATABASE_URL=postgres://.../tpbis_rates python bench/bench_rates.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

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
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tpbis.accounts.models import Membership, Role, User
    from tpbis.dashboards import selectors
    from tpbis.dashboards.rates import reporting_cube
    from tpbis.dashboards.selectors import RegionRef, _Target
    from tpbis.libraries.models import Library
    from tpbis.regions.models import Region
    from tpbis.reports.models import Visitors

    today = timezone.localdate()
    print(f"database: {connection.vendor}; visitor records {Visitors.objects.count():,}", flush=True)
    regency = (
        Library.objects.filter(regency__isnull=False).values("regency_id").annotate(n=Count("pk")).order_by("-n")
    )[0]["regency_id"]
    province = regency[:2]
    periods = {
        "this year": (today.replace(month=1, day=1), today),
        "last year": (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
        "five years": (dt.date(today.year - 4, 1, 1), today),
    }
    print(f"{'rates alone':<44} {'ms':>8} {'queries':>8} {'expected':>10} {'received':>10}")
    for code in (None, province, regency):
        region = Region.objects.get(code=code) if code else None
        ref = RegionRef(code, region.name if region else "Indonesia", region.level if region else 0)
        for label, (start, end) in periods.items():

            def rates(ref: RegionRef = ref, start: dt.date = start, end: dt.date = end) -> Any:
                return reporting_cube(area=_Target(ref), by_child=True, start=start, end=end, today=today)

            with CaptureQueriesContext(connection) as queries:
                cube = rates()
            expected = sum(r.expected for r in cube.values())
            received = sum(r.received for r in cube.values())
            ms = _median_ms(rates)
            name = f"{code or 'nation'}, {label}"
            print(f"{name:<44} {ms:>8.1f} {len(queries):>8} {expected:>10,} {received:>10,}", flush=True)

    user, _ = User.objects.get_or_create(email="bench-nasional@contoh.sim-tpbis.id")
    Membership.objects.get_or_create(user=user, role=Role.NATIONAL)
    client = Client()
    client.force_login(user)
    pages = {
        "national dashboard, this year": "/dasbor/",
        "national dashboard, last year": "/dasbor/?periode=last_year",
        "national dashboard, five years": f"/dasbor/?mulai={today.year - 4}-01-01&sampai={today.isoformat()}",
        f"province dashboard ({province}), this year": f"/dasbor/?wilayah={province}",
        f"kabupaten dashboard ({regency}), this year": f"/dasbor/?wilayah={regency}",
    }
    original = selectors.reporting_cube

    def _no_rates(**kwargs: Any) -> dict[Any, Any]:
        return {}

    print(f"{'page':<52} {'with rates ms':>14} {'without ms':>11} {'queries':>8}")
    for label, path in pages.items():
        client.get(path)  # warm: today's scores stored, templates compiled
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        with_rates = _median_ms(partial(client.get, path))
        selectors.reporting_cube = _no_rates
        try:
            without = _median_ms(partial(client.get, path))
        finally:
            selectors.reporting_cube = original
        print(f"{label:<52} {with_rates:>14.1f} {without:>11.1f} {len(queries):>8}", flush=True)


if __name__ == "__main__":
    main()
