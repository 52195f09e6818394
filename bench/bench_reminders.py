"""`python bench/bench_reminders.py` on a database holding the national set (`generate_national --libraries
10000 --years 5` then `kpi_recompute`): time and queries of `reminders_send --dry-run`, then of a real send
and of a second send the same day. Adds one facilitator per kabupaten/kota and one officer per province
(synthetic, unusable passwords) once, so every kind of rule has someone to address.

DATABASE_URL must point at that database; this script writes reminders and notifications into it.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tpbis.accounts.models import Membership, Role, User
    from tpbis.libraries.models import Library
    from tpbis.reminders.services import reminders_send

    officers()
    libraries = Library.objects.count()
    managers = Membership.objects.filter(role=Role.MANAGER).count()
    print(f"{connection.vendor}: {libraries:,} libraries, {managers:,} managers, {User.objects.count():,} users")
    # A Monday after the 10th of the month: every kind of rule is due.
    today = dt.date.fromisoformat(os.environ.get("REMINDERS_DATE", "2026-11-16"))
    for label, dry_run in (("dry run", True), ("send", False), ("send again, same day", False)):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = reminders_send(today=today, dry_run=dry_run)
            seconds = time.perf_counter() - started
        counts = dict(sorted(result.counts_by_kind().items()))
        print(
            f"reminders_send {label}: {seconds:.2f} s, {len(queries.captured_queries)} queries, "
            f"{len(result.due):,} due, {len(result.sent):,} sent {counts}",
            flush=True,
        )


def officers() -> None:
    from django.db.models import Count

    from tpbis.accounts.models import Membership, Role, User
    from tpbis.libraries.models import Library

    if Membership.objects.filter(role=Role.FACILITATOR, user__email__endswith="@bench.sim-tpbis.id").exists():
        return
    regencies = Library.objects.exclude(regency__isnull=True).values("regency_id").annotate(n=Count("pk"))
    provinces = Library.objects.values("province_id").annotate(n=Count("pk"))
    areas = [(Role.FACILITATOR, r["regency_id"]) for r in regencies] + [
        (Role.PROVINCE, p["province_id"]) for p in provinces
    ]
    users = User.objects.bulk_create(
        [User(email=f"{role}-{code}@bench.sim-tpbis.id", password="!") for role, code in areas], batch_size=1000
    )
    Membership.objects.bulk_create(
        [Membership(user=user, role=role, region_id=code) for user, (role, code) in zip(users, areas, strict=True)],
        batch_size=1000,
    )


if __name__ == "__main__":
    main()
