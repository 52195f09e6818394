"""`python manage.py kpi_compare DIR`: import a folder of the real SIM's responses and compare its
scores with ours, library by library.

The June 2026 folders hold no advocacy file (it was not captured before 15 July), yet the real scores
count advocacy. `--advocacy-from LATER_DIR` takes the advocacy records a later folder holds that had
been entered by DIR's day (`tanggal_input` on or before it), i.e. those the real system had then.
"""

from __future__ import annotations

import json
import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tpbis.kpi.selectors import ComparisonRow, kpi_compare_with_sim
from tpbis.reports.sim_import import SimImportError, sim_import_folder


def _fmt(score: Decimal | None) -> str:
    return "-" if score is None else f"{score.normalize():f}"


class Command(BaseCommand):
    help = "Bandingkan skor IKU kita dengan skor SIM lama untuk satu folder respons API SIM lama."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--advocacy-from",
            type=Path,
            help="folder of a later day whose advocacy records entered by this folder's day are added",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        if not folder.is_dir():
            raise CommandError(f"Folder tidak ditemukan: {folder}")
        with tempfile.TemporaryDirectory() as scratch:
            source = folder
            if options["advocacy_from"] is not None:
                source = with_advocacy_from(folder, options["advocacy_from"], Path(scratch))
            elif not any(folder.glob("advokasi*.json")):
                self.stdout.write(
                    "no advocacy file in this folder: our scores count no advocacy (give --advocacy-from LATER_DIR)"
                )
            try:
                result = sim_import_folder(folder=source)
            except SimImportError as error:
                raise CommandError(str(error)) from error
        sim_import = result.sim_import
        rows = kpi_compare_with_sim(sim_import=sim_import)
        self.stdout.write(f"skor per {sim_import.period_end:%Y-%m-%d} ({sim_import.region.short_name})")
        self.stdout.write(f"{'perpustakaan':<60} {'SIM':>7} {'kita':>7} {'selisih':>8}  catatan")
        for row in rows:
            self.stdout.write(self._line(row))
        self.stdout.write(summary_line(rows))
        plain = [r for r in rows if not r.has_information_record and r.real is not None]
        same = sum(1 for r in plain if r.same_score)
        self.stdout.write(f"without information-service record: same score {same} of {len(plain)}")

    def _line(self, row: ComparisonRow) -> str:
        diff = "" if row.real is None or row.ours is None else _fmt(row.ours - row.real)
        note = "layanan informasi" if row.has_information_record else ""
        if row.real is not None and not row.same_score:
            note = (note + " BEDA").strip()
        return f"{row.name[:60]:<60} {_fmt(row.real):>7} {_fmt(row.ours):>7} {diff:>8}  {note}"


def with_advocacy_from(folder: Path, later: Path, scratch: Path) -> Path:
    """A copy of the folder (same name, so the same day) plus the later folder's advocacy entered by that day."""
    day = re.search(r"\d{4}-\d{2}-\d{2}", folder.resolve().name)
    if day is None:
        raise CommandError(f"Tanggal folder tidak diketahui dari namanya: {folder.name}")
    sources = sorted(later.glob("advokasi*.json")) if later.is_dir() else []
    if not sources:
        raise CommandError(f"Tidak ada berkas advokasi di {later}")
    copy = scratch / folder.resolve().name
    copy.mkdir()
    for path in folder.glob("*.json"):
        (copy / path.name).write_bytes(path.read_bytes())
    try:
        payload = json.loads(sources[0].read_text(encoding="utf-8"))
        payload["data"] = [row for row in payload["data"] if str(row.get("tanggal_input") or "") <= day.group(0)]
    except (ValueError, KeyError, TypeError) as error:
        raise CommandError(f"Berkas advokasi tidak terbaca: {sources[0]} ({error})") from error
    (copy / sources[0].name).write_text(json.dumps(payload), encoding="utf-8")
    return copy


def summary_line(rows: list[ComparisonRow]) -> str:
    scored = [r for r in rows if r.real is not None]
    same_score = sum(1 for r in scored if r.same_score)
    same_colour = sum(1 for r in scored if r.same_colour)
    return f"same score: {same_score} of {len(scored)} scored libraries; same colour: {same_colour} of {len(scored)}"
