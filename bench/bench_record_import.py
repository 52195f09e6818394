"""Benchmark of spreadsheet entry of records: 10,000 community-engagement rows (and 10,000 monthly visitor
rows) for 500 village libraries of one province, inside a rolled-back transaction.

Run alone after `manage.py migrate` and `manage.py load_regions` on a scratch database:
`DATABASE_URL=... .venv/bin/python bench/bench_record_import.py [ROWS]`. Half the rows name their library by
NPP, half by nama_perpustakaan + kode_desa; the import runs as the province's officer, so every row passes
the scope check.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import resource
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = 500


def _timed(label: str, fn: Callable[[], str]) -> None:
    """Wall time, and this process's CPU time, which a machine shared with other work inflates less."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    print(f"{label}: {wall:.2f} s (process CPU {used:.2f} s)  [{result}]", flush=True)


def _libraries(province: str) -> list[Any]:
    from tpbis.libraries.models import Library, LibraryKind, Support
    from tpbis.regions.models import Level, Region

    villages = list(
        Region.objects.filter(level=Level.VILLAGE, code__startswith=province + ".")
        .order_by("code")
        .values_list("code", "name")[:LIBRARIES]
    )
    libraries = [
        Library(
            name=f"Perpustakaan Desa {name}",
            kind=LibraryKind.VILLAGE,
            region_id=code,
            support=Support.FULL,
            cohort_year=2020,
            npp=f"8{i:09d}",
        )
        for i, (code, name) in enumerate(villages)
    ]
    for library in libraries:
        library.sync_region_columns()
    return Library.objects.bulk_create(libraries)


def _library_cells(library: Any, i: int) -> list[str]:
    return [library.npp, "", ""] if i % 2 else ["", library.name, library.region_id]


def _engagement_csv(libraries: list[Any], rows: int) -> bytes:
    fields = ("Pendidikan", "Kesehatan", "Inklusi Digital", "Seni Budaya", "Ekonomi", "Pertanian")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "npp",
            "nama_perpustakaan",
            "kode_desa",
            "tanggal",
            "nama_kegiatan",
            "bidang_kegiatan",
            "jenis",
            "sasaran",
            "jumlah_peserta",
        ]
    )
    start = dt.date(2026, 1, 2)
    for i in range(rows):
        library = libraries[i % len(libraries)]
        day = start + dt.timedelta(days=(i // len(libraries)) * 9 % 330)
        writer.writerow(
            [
                *_library_cells(library, i),
                day.strftime("%d/%m/%Y") if i % 3 else day.isoformat(),
                f"Kegiatan literasi {fields[i % 6].lower()} nomor {i}",
                fields[i % 6],
                "Pelatihan" if i % 2 else "Promosi",
                "Umum",
                10 + i % 40,
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _visitors_csv(libraries: list[Any], rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["npp", "nama_perpustakaan", "kode_desa", "periode", "pengunjung_laki", "pengunjung_perempuan"])
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov")
    per_library = len(months) * 2  # two years
    for i in range(min(rows, len(libraries) * per_library)):
        library = libraries[i // per_library]
        slot = i % per_library
        writer.writerow(
            [*_library_cells(library, i), f"{months[slot % 11]} {2025 + slot // 11}", 20 + i % 30, 25 + i % 20]
        )
    return out.getvalue().encode()


def _as_xlsx(content: bytes) -> bytes:
    """The same rows as an Excel workbook (what most facilitators will upload)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    for cells in csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"):
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def bench_record_import(rows: int = 10_000) -> None:
    from django.db import connection, transaction

    from tpbis.accounts.scope import Scope
    from tpbis.reports.record_imports import record_import

    print(f"database: {connection.vendor}", flush=True)
    with transaction.atomic():
        libraries = _libraries("35")
        province = Scope(provinces=frozenset({"35"}))
        for record_type, content in (
            ("pelibatan", _engagement_csv(libraries, rows)),
            ("pengunjung", _visitors_csv(libraries, rows)),
        ):

            def run(data: bytes, dry_run: bool, kind: str = record_type, filename: str = "") -> str:
                result = record_import(
                    record_type=kind,
                    content=data,
                    filename=filename or f"{kind}.csv",
                    scope=province,
                    actor=None,
                    dry_run=dry_run,
                    accept_warnings=True,
                )
                report = result.report
                errors = f", {len(report.errors)} errors, first: {report.errors[0]}" if report.errors else ""
                return f"new {report.created}, unchanged {report.unchanged}, warnings {len(result.warnings)}{errors}"

            lines = content.count(b"\n") - 1
            print(f"{record_type} import, {lines:,} rows ({len(content) / 1024:.0f} KiB CSV)", flush=True)
            _timed("  dry run (preview)", partial(run, content, True))
            if record_type == "pelibatan":
                # Facilitators mostly upload Excel files: apply the XLSX, then re-import the CSV of the same
                # rows, which must find every row already there (the fingerprint is of values, not bytes).
                workbook = _as_xlsx(content)
                print(f"  (the same rows as XLSX: {len(workbook) / 1024:.0f} KiB)", flush=True)
                _timed("  dry run of the XLSX file", partial(run, workbook, True, filename="kegiatan.xlsx"))
                _timed(
                    "  apply of the XLSX file (creates every record)",
                    partial(run, workbook, False, "pelibatan", "k.xlsx"),
                )
                _timed("  re-import of the same rows as CSV", partial(run, content, False))
                continue
            _timed("  apply (creates every record)", partial(run, content, False))
            _timed("  re-import of the same file", partial(run, content, False))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak RSS {peak_mb:.0f} MB", flush=True)
        transaction.set_rollback(True)


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ALLOW_INSECURE_KEY", "1")
    import django

    django.setup()
    from tpbis.regions.models import Region

    if not Region.objects.exists():
        raise SystemExit("the region table is empty: run `.venv/bin/python manage.py load_regions` first")
    bench_record_import(rows=int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
