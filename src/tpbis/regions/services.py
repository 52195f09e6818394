"""Writes of the region hierarchy: loading the shipped Kemendagri data."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction

from tpbis.core.text import fold
from tpbis.regions.models import Level, Region, kind_for
from tpbis.regions.selectors import RegionCounts, region_counts

DATA_DIR = Path(settings.BASE_DIR) / "data" / "regions"
# File, parent column, level: parents are loaded before their children.
_FILES = (
    ("provinces.csv.gz", None, Level.PROVINCE),
    ("regencies.csv.gz", "province_code", Level.REGENCY),
    ("districts.csv.gz", "regency_code", Level.DISTRICT),
    ("villages.csv.gz", "district_code", Level.VILLAGE),
)


def search_name_for(name: str, level: int) -> str:
    folded = fold(name)
    if level == Level.REGENCY:
        for prefix in ("kabupaten ", "kota "):
            if folded.startswith(prefix):
                return folded[len(prefix) :]
    return folded


def _rows(path: Path, parent_column: str | None) -> Iterator[tuple[str, str, str | None]]:
    with gzip.open(path, "rb") as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")):
            yield row["code"].strip(), row["name"].strip(), (row[parent_column].strip() if parent_column else None)


def regions_load(*, data_dir: Path = DATA_DIR) -> tuple[int, int, RegionCounts]:
    """Insert new regions and update renamed ones; never delete (partners point at regions).

    Returns (created, updated, counts held afterwards). Idempotent: a second run writes nothing.
    """
    created = updated = 0
    with transaction.atomic():
        existing = {
            code: (name, parent) for code, name, parent in Region.objects.values_list("code", "name", "parent_id")
        }
        for filename, parent_column, level in _FILES:
            to_create: list[Region] = []
            to_update: list[Region] = []
            for code, name, parent in _rows(data_dir / filename, parent_column):
                region = Region(
                    code=code,
                    name=name,
                    level=level,
                    kind=kind_for(code),
                    parent_id=parent,
                    search_name=search_name_for(name, level),
                )
                if code not in existing:
                    to_create.append(region)
                elif existing[code] != (name, parent):
                    to_update.append(region)
            Region.objects.bulk_create(to_create, batch_size=2000)
            Region.objects.bulk_update(to_update, ["name", "parent", "search_name", "kind"], batch_size=500)
            created += len(to_create)
            updated += len(to_update)
    return created, updated, region_counts()
