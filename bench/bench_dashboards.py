"""Benchmark of the region dashboards and the stats JSON on national data: server time against the
time of the bare SQL the page runs (the floor). Assumes bench_kpi generated the national data set."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

REPEAT = 7


def _median_ms(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _captured(fn: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SELECTs one call runs, with their parameters."""
    from django.db import connection

    queries: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        fn()
    return queries


def _floor_ms(queries: list[tuple[str, Any]], repeat: int = REPEAT) -> float:
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            for sql, params in queries:
                cursor.execute(sql, params)
                cursor.fetchall()

    return _median_ms(run, repeat)


def bench_dashboards() -> None:
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import Substr
    from django.test import Client

    from tpbis.accounts.models import Membership, Role, User
    from tpbis.dashboards.models import DistrictMonth, RegencyMonth
    from tpbis.dashboards.services import summaries_rebuild, summaries_refresh
    from tpbis.libraries.models import Library

    started = time.perf_counter()
    rows = summaries_rebuild()
    print(
        f"summaries_rebuild: {rows:,} kecamatan-month rows, {RegencyMonth.objects.count():,} kabupaten-month rows "
        f"in {time.perf_counter() - started:.2f} s",
        flush=True,
    )
    busiest = (
        Library.objects.filter(regency__isnull=False)
        .values("regency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    regency = busiest["regency_id"]
    district = (
        Library.objects.filter(regency_id=regency)
        .annotate(area=Substr("region_id", 1, 8))
        .values("area")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert district is not None
    ms = _median_ms(lambda: summaries_refresh(areas=[district["area"]]))
    print(
        f"summary refresh of one kecamatan ({district['area']}, {district['n']} libraries, all years, and its "
        f"kabupaten; runs with every write): {ms:.1f} ms "
        f"({DistrictMonth.objects.filter(area_id=district['area']).count()} rows)",
        flush=True,
    )

    user, _ = User.objects.get_or_create(email="bench-nasional@contoh.sim-tpbis.id")
    Membership.objects.get_or_create(user=user, role=Role.NATIONAL)
    client = Client()
    client.force_login(user)
    province = regency[:2]
    from django.utils import timezone

    previous_month = max(1, timezone.localdate().month - 1)
    stats_path = f"/api/v1/stats?region={province}"

    def stats() -> Any:
        response: Any = client.get(stats_path)
        assert response.status_code == 200, response.content[:200]
        return response

    def page(path: str) -> Callable[[], Any]:
        def get() -> Any:
            response = client.get(path)
            assert response.status_code == 200, path
            return response

        return get

    pages: list[tuple[str, Callable[[], Any]]] = [
        ("national dashboard, this year", page("/dasbor/")),
        (f"province dashboard ({province}), this year", page(f"/dasbor/?wilayah={province}")),
        (f"kabupaten dashboard ({regency}), this year", page(f"/dasbor/?wilayah={regency}")),
        ("national dashboard, last month", page(f"/dasbor/?periode=m{previous_month:02d}")),
        (f"stats JSON ({province}), this year", stats),
        ("stats JSON, nation, this year", page("/api/v1/stats")),
        ("public page, nation, this year", page("/capaian/")),
        (f"kecamatan dashboard ({district['area']}), this year", page(f"/dasbor/?wilayah={district['area']}")),
        (f"gathering report ({province}), this year", page(f"/laporan-gathering/?wilayah={province}")),
    ]
    print(f"{'page':<52} {'server ms':>10} {'floor ms':>10} {'ratio':>7} {'queries':>8}  ({connection.vendor})")
    for label, fn in pages:
        fn()  # warm: scores for today stored, templates compiled
        queries = _captured(fn)
        server = _median_ms(fn)
        floor = _floor_ms(queries)
        ratio = server / floor if floor else float("nan")
        print(f"{label:<52} {server:>10.1f} {floor:>10.1f} {ratio:>7.2f} {len(queries):>8}", flush=True)
