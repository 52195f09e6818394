"""Benchmark of the partner import: 10,000 rows on real village codes, inside a rolled-back transaction.

Run alone (`.venv/bin/python bench/bench_import.py`, after `manage.py migrate` and `manage.py load_regions`)
or through `bench/run.py`, which sets up a fresh database first.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(label: str, fn: Callable[[], object]) -> object:
    started = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - started:.2f} s  [{result}]", flush=True)
    return result


def _partner_csv(rows: int, *, by_name: bool = False, changed_every: int = 0) -> bytes:
    """Semicolon CSV (as Excel writes with Indonesian settings) of partners on evenly spread villages."""
    from tpbis.regions.models import Level, Region

    villages = list(
        Region.objects.filter(level=Level.VILLAGE)
        .order_by("code")
        .values_list("code", "name", "kind", "parent__name", "parent__parent__name")
    )
    if len(villages) < rows:
        raise SystemExit(f"only {len(villages)} villages loaded; run `manage.py load_regions` first")
    step = len(villages) // rows
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "npp",
            "nama",
            "jenis",
            "kode_wilayah",
            "dukungan",
            "sumber_dana",
            "tahun",
            "kabupaten_kota",
            "kecamatan",
            "desa_kelurahan",
        ]
    )
    for i in range(rows):
        code, village, kind, district, regency = villages[i * step]
        support = "replikasi_mandiri" if i % 3 == 0 else "Full Support"
        year = 2018 + (i % 8) + (1 if changed_every and i % changed_every == 0 else 0)
        writer.writerow(
            [
                f"9{i:09d}",
                f"Perpustakaan Desa {village} {i}",
                "desa_kelurahan",
                "" if by_name else (code if i % 2 else code.replace(".", "")),
                support,
                "APBDes" if support == "replikasi_mandiri" else "",
                year,
                regency if by_name else "",
                district if by_name else "",
                f"{kind.title()} {village}" if by_name else "",  # "Desa X" / "Kelurahan X"
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def bench_import_libraries(rows: int = 10_000) -> None:
    """Dry run, apply, identical re-import and a re-import changing every tenth row; nothing is kept."""
    from django.db import transaction

    from tpbis.accounts.scope import Scope
    from tpbis.core.tabular import ImportReport
    from tpbis.libraries.imports import library_import

    nation = Scope(national=True)
    content = _partner_csv(rows)
    changed = _partner_csv(rows, changed_every=10)
    by_name = _partner_csv(rows, by_name=True)

    def run(data: bytes, dry_run: bool) -> str:
        report: ImportReport = library_import(content=data, filename="mitra.csv", scope=nation, dry_run=dry_run)
        errors = f", {len(report.errors)} errors, first: {report.errors[0]}" if report.errors else ""
        return report.summary() + errors

    print(f"partner import, {rows:,} rows ({len(content) / 1024:.0f} KiB CSV)")
    with transaction.atomic():
        _timed("  dry run (codes)", lambda: run(content, True))
        _timed("  dry run (region by kabupaten/kecamatan/desa names)", lambda: run(by_name, True))
        _timed("  apply (creates every partner)", lambda: run(content, False))
        _timed("  re-import of the same file", lambda: run(content, False))
        _timed("  re-import with every 10th row changed", lambda: run(changed, False))
        transaction.set_rollback(True)


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from tpbis.regions.models import Region

    if not Region.objects.exists():
        raise SystemExit("the region table is empty: run `.venv/bin/python manage.py load_regions` first")
    bench_import_libraries(rows=int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
