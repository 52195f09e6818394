"""Cost of refusing a spreadsheet bomb, and of reading a large honest file, each in a fresh process.

The bomb is the file of issue 10: 40,000 rows of 20,000-character inline strings, 800 MB of sheet XML in
about 1 MB. Peak memory is the child process's maximum resident set (ru_maxrss), which includes Django
and openpyxl themselves; the baseline line shows that part.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, os, resource, sys, time
sys.path[:0] = [sys.argv[1] + "/src", sys.argv[1]]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
import openpyxl  # loaded before measuring, as in a warm server process
from tpbis.core.tabular import TabularError, table_read
from tpbis.libraries.imports import REQUIRED_COLUMNS
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcome = "no file"
started = time.perf_counter()
if sys.argv[2]:
    content = open(sys.argv[2], "rb").read()
    try:
        table = table_read(content=content, filename=os.path.basename(sys.argv[2]), required=REQUIRED_COLUMNS)
        outcome = f"read {len(table.rows)} rows"
    except TabularError as error:
        outcome = "refused: " + str(error.errors[0])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_mb": peak / 1024, "baseline_mb": baseline / 1024, "outcome": outcome}))
"""


def _measure(path: Path | None) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", _CHILD, str(ROOT), str(path or "")],
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_ALLOW_INSECURE_KEY": "1", "PATH": "/usr/bin:/bin"},
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


_HEADERS = ("npp", "nama", "jenis", "kode_wilayah", "dukungan", "sumber_dana", "tahun", "alamat", "nama_kontak")
_EXAMPLE = ("Perpustakaan Desa Labruk Kidul", "desa_kelurahan", "35.08.21.2004", "full_support", "", "2024")


def _honest_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(list(_HEADERS))
    for n in range(rows):
        sheet.append([f"35{n:08}", *_EXAMPLE, f"Jl. Raya No. {n}", "Siti Aminah"])
    workbook.save(path)


def bench_import_limits() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from tpbis.core.tests.spreadsheets import hostile_xlsx

    with tempfile.TemporaryDirectory(prefix="tpbis-bomb-") as tmp:
        bomb = Path(tmp) / "bom.xlsx"
        with bomb.open("wb") as out:
            hostile_xlsx(out, rows=40_000, chars=20_000)
        honest = Path(tmp) / "mitra-20000.xlsx"
        _honest_xlsx(honest, rows=20_000)
        base = _measure(None)
        print(f"import limits: process baseline (Django + openpyxl loaded) {base['peak_mb']:.0f} MB", flush=True)
        for label, path in (("bomb 40,000 x 20,000 chars", bomb), ("honest partner file, 20,000 rows", honest)):
            figures = _measure(path)
            print(
                f"import limits: {label} ({path.stat().st_size / 1e6:.1f} MB on disk): "
                f"{figures['seconds'] * 1000:.0f} ms, peak {figures['peak_mb']:.0f} MB; {figures['outcome']}",
                flush=True,
            )


if __name__ == "__main__":
    bench_import_limits()
