"""Reads of the region hierarchy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from tpbis.core.text import fold
from tpbis.regions.codes import normalize_code
from tpbis.regions.models import Level, Region


def region_get_by_code(*, code: str | int | None) -> Region | None:
    """The region for a code typed dotted or undotted, or None."""
    dotted = normalize_code(code)
    if dotted is None:
        return None
    return Region.objects.filter(code=dotted).first()


def region_map_by_codes(*, codes: Iterable[str]) -> dict[str, Region]:
    """Regions keyed by dotted code for a batch of already-normalised codes (one query per 500)."""
    wanted = sorted(set(codes))
    found: dict[str, Region] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update((r.code, r) for r in Region.objects.filter(code__in=chunk))
    return found


def region_ancestors(*, region: Region) -> list[Region]:
    """The region's chain from its province down to itself, using the code (no recursive query)."""
    parts = region.code.split(".")
    codes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    by_code = Region.objects.in_bulk(codes)
    return [by_code[c] for c in codes if c in by_code]


def region_label(*, region: Region, ancestors: dict[str, Region] | None = None) -> str:
    """A full, unambiguous label: "Labruk Kidul, Kec. Sumbersuko, Kab. Lumajang, Jawa Timur"."""
    chain = (
        [ancestors[c] for c in _ancestor_codes(region.code) if c in ancestors]
        if ancestors is not None
        else region_ancestors(region=region)
    )
    return ", ".join(r.short_name for r in reversed(chain))


def _ancestor_codes(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def region_search(
    *, query: str, level: int | None = None, within: str | None = None, limit: int = 15
) -> list[tuple[Region, str]]:
    """Regions whose name contains the query (or whose code it is), best matches first, with full labels.

    A typed code (dotted or not) jumps straight to that region. Prefix matches rank before
    matches inside the name, so "labruk" lists Labruk Kidul before Kalilabruk.
    """
    query = (query or "").strip()
    code = normalize_code(query)
    qs: QuerySet[Region] = Region.objects.all()
    if level is not None:
        qs = qs.filter(level=level)
    if within:
        qs = qs.filter(code__startswith=within + ".")
    if code is not None:
        results = list(qs.filter(code__startswith=code).order_by("code")[:limit])
    else:
        folded = fold(query)
        if len(folded) < 2:
            return []
        prefix = list(qs.filter(search_name__startswith=folded).order_by("search_name", "code")[:limit])
        results = prefix
        if len(prefix) < limit:
            seen = {r.code for r in prefix}
            inner = qs.filter(search_name__contains=folded).exclude(code__in=seen)
            results += list(inner.order_by("search_name", "code")[: limit - len(prefix)])
    ancestor_codes = {c for r in results for c in _ancestor_codes(r.code)}
    ancestors = Region.objects.in_bulk(list(ancestor_codes))
    return [(r, region_label(region=r, ancestors=ancestors)) for r in results]


@dataclass(frozen=True)
class RegionCounts:
    provinces: int
    regencies: int
    districts: int
    villages: int

    def __str__(self) -> str:
        return (
            f"{self.provinces} provinsi, {self.regencies} kabupaten/kota, "
            f"{self.districts} kecamatan, {self.villages} desa/kelurahan"
        )


def region_counts() -> RegionCounts:
    by_level = dict(Region.objects.order_by().values_list("level").annotate(n=Count("code")).values_list("level", "n"))
    return RegionCounts(
        provinces=by_level.get(Level.PROVINCE, 0),
        regencies=by_level.get(Level.REGENCY, 0),
        districts=by_level.get(Level.DISTRICT, 0),
        villages=by_level.get(Level.VILLAGE, 0),
    )
