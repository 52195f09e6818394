"""Benchmark of record entry: 10,000 community-engagement records through the service layer.

The same path the phone form takes (validation, duplicate-free save, audit entry), without photos
and without HTTP. Run through `bench/run.py`, which sets up a fresh database first.
"""

from __future__ import annotations

import datetime as dt
import resource
import time


def bench_record_entry(records: int = 10_000) -> None:
    from django.db import transaction
    from django.utils import timezone

    from tpbis.accounts.models import Membership, Role, User
    from tpbis.libraries.models import Library, LibraryKind, Support
    from tpbis.reports.models import CommunityEngagement
    from tpbis.reports.services import record_create

    with transaction.atomic():
        library = Library.objects.create(
            name="Perpustakaan Desa Bench",
            kind=LibraryKind.VILLAGE,
            region_id="35.24.01.2001",
            support=Support.FULL,
            cohort_year=2018,
        )
        user = User.objects.create_user("bench@example.id", "bench-password-1")
        Membership.objects.create(user=user, role=Role.MANAGER, library=library)
        today = timezone.localdate()
        started = time.perf_counter()
        for i in range(records):
            record_create(
                model=CommunityEngagement,
                user=user,
                library=library,
                data={
                    "date": today - dt.timedelta(days=i % 300),
                    "title": f"Kegiatan literasi ke-{i}",
                    "activity_field": "Pendidikan",
                    "activity_kind": "Pelatihan",
                    "audience": "Umum",
                    "participants": 10 + i % 40,
                },
            )
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"record entry through the service layer: {records:,} records in {elapsed:.1f} s "
            f"({records / elapsed:.0f} per second, {1000 * elapsed / records:.2f} ms each), "
            f"process peak RSS {peak_mb:.0f} MB",
            flush=True,
        )
        assert CommunityEngagement.objects.filter(library=library).count() == records
        transaction.set_rollback(True)


def bench_sim_import() -> None:
    """Import the largest sample folder of the real SIM (needs ../shared/samples beside the repo)."""
    from pathlib import Path

    from django.core.management import call_command
    from django.db import transaction

    folder = Path(__file__).resolve().parents[2] / "shared" / "samples" / "sim-api-3513-2026-07-15"
    if not folder.is_dir():
        print(f"import_sim_json: skipped, {folder} not found", flush=True)
        return
    with transaction.atomic():
        started = time.perf_counter()
        call_command("import_sim_json", str(folder), verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        first = time.perf_counter() - started
        started = time.perf_counter()
        call_command("import_sim_json", str(folder), verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        second = time.perf_counter() - started
        print(f"import_sim_json {folder.name}: {first:.2f} s, again (adds nothing): {second:.2f} s", flush=True)
        transaction.set_rollback(True)
