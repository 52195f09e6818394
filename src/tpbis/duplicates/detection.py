"""Finding likely duplicates. Each scan reads the database as a stream (sorted rows, or groups counted by
a GROUP BY) and keeps one small group at a time in memory, so a national scan stays bounded.

A pair is stored once under a key independent of its order; a pair already stored (open, dismissed or
merged) is skipped, so a dismissed pair never comes back.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q

from tpbis.core.text import fold
from tpbis.duplicates.hashing import DEGENERATE_HASHES
from tpbis.duplicates.models import DuplicateKind, DuplicatePair, PhotoHash
from tpbis.libraries.models import Library
from tpbis.reports.models import Advocacy, CommunityEngagement, Status

T = TypeVar("T")

# Activities whose title and date describe one event; the others are monthly figures or media items.
SCANNED_MODELS: tuple[type[Any], ...] = (CommunityEngagement, Advocacy)
LIVE_STATUSES = (Status.SUBMITTED, Status.VERIFIED, Status.RETURNED)
# Titles at least this similar (after folding) count as the same activity, as in the entry form's warning.
TITLE_SIMILARITY = 0.85
# Beyond this many activities of one kabupaten on one day only identical titles are compared (pairwise
# similarity grows with the square of the group).
MAX_SIMILAR_GROUP = 400
# One photo on very many activities (a logo, a banner) is proposed as this many pairs at most.
MAX_PAIRS_PER_PHOTO = 50
CHUNK = 2000
_ABBREVIATIONS = {"perpusdes": "perpustakaan desa", "perpus": "perpustakaan", "perpusda": "perpustakaan daerah"}
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"\d+")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def library_name_key(name: str) -> str:
    """ "Perpusdes Sembung", "PERPUSTAKAAN DESA SEMBUNG." and "Perpustakaan Desa  Sembung" share one key."""
    words = [_ABBREVIATIONS.get(word, word) for word in fold(name).split()]
    return _NOT_ALNUM.sub("", " ".join(words))


def pair_key(a: tuple[str, int], b: tuple[str, int]) -> str:
    first, second = sorted([a, b])
    return f"{first[0]}:{first[1]}|{second[0]}:{second[1]}"


@dataclass(frozen=True)
class Side:
    type_id: int
    object_id: int
    library_id: int


def _pair(kind: str, a: Side, b: Side, evidence: dict[str, Any], prefix: str = "r") -> DuplicatePair:
    first, second = sorted([a, b], key=lambda side: (side.type_id, side.object_id))
    return DuplicatePair(
        kind=kind,
        pair_key=pair_key(
            (f"{prefix}{first.type_id}", first.object_id), (f"{prefix}{second.type_id}", second.object_id)
        ),
        first_type_id=first.type_id,
        first_id=first.object_id,
        second_type_id=second.type_id,
        second_id=second.object_id,
        first_library_id=first.library_id,
        second_library_id=second.library_id,
        evidence=evidence,
    )


def _store(pairs: Sequence[DuplicatePair]) -> int:
    """Insert the pairs not stored yet; returns how many were new."""
    if not pairs:
        return 0
    keys = [pair.pair_key for pair in pairs]
    known = set(DuplicatePair.objects.filter(pair_key__in=keys).values_list("pair_key", flat=True))
    fresh = {pair.pair_key: pair for pair in pairs if pair.pair_key not in known}
    # ignore_conflicts: a concurrent scan may have stored the same pair in between.
    DuplicatePair.objects.bulk_create(list(fresh.values()), ignore_conflicts=True, batch_size=500)
    return len(fresh)


# ------------------------------------------------------------------------------------------ records


def _dated_rows(model: type[Any], type_id: int, library_ids: Collection[int] | None) -> Iterator[tuple[Any, ...]]:
    # Only activities with a photo can be the same activity twice (same title, day and photo): alike titles
    # alone proposed 2.4 million pairs on the national test set, far more than anyone can review.
    photographed = PhotoHash.objects.filter(content_type_id=type_id).values("object_id")
    qs = model.objects.filter(
        status__in=LIVE_STATUSES, date__isnull=False, library__is_active=True, pk__in=photographed
    )
    if library_ids is not None:
        targets = Library.objects.filter(pk__in=library_ids)
        regencies = set(targets.exclude(regency=None).values_list("regency_id", flat=True))
        provinces = set(targets.filter(regency=None).values_list("province_id", flat=True))
        dates = (
            model.objects.filter(library_id__in=library_ids, status__in=LIVE_STATUSES, date__isnull=False)
            .values("date")
            .distinct()
        )
        qs = qs.filter(
            Q(library__regency_id__in=regencies) | Q(library__regency=None, library__province_id__in=provinces),
            date__in=dates,
        )
    return (
        qs.order_by("library__regency_id", "library__province_id", "date", "pk")
        .values_list("pk", "library_id", "library__regency_id", "library__province_id", "date", "title")
        .iterator(chunk_size=CHUNK)
    )


def _similar(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return 0.0  # "Pertemuan ke-1" and "Pertemuan ke-2" are two sessions, not one activity twice
    matcher = difflib.SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < TITLE_SIMILARITY or matcher.quick_ratio() < TITLE_SIMILARITY:
        return 0.0
    return matcher.ratio()


def _group_pairs(
    group: list[tuple[Any, ...]], targets: Collection[int] | None
) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...], float]]:
    """Activities of two different libraries in one kabupaten on one day with alike titles.

    Alike activities form clusters; each cluster is proposed as its first activity paired with each of the
    others (one pair per extra copy, not every combination: a title used by 30 libraries that day is 29
    pairs, not 435)."""
    if len({row[1] for row in group}) < 2:
        return
    titles = [fold(row[5]) for row in group]
    exact_only = len(group) > MAX_SIMILAR_GROUP
    cluster_of: dict[int, int] = {}
    scores: dict[int, float] = {}
    for i in range(len(group)):
        if i in cluster_of:
            continue
        cluster_of[i] = i
        for j in range(i + 1, len(group)):
            if j in cluster_of:
                continue
            score = (1.0 if titles[i] == titles[j] else 0.0) if exact_only else _similar(titles[i], titles[j])
            if score >= TITLE_SIMILARITY:
                cluster_of[j], scores[j] = i, score
    for j, i in cluster_of.items():
        a, b = group[i], group[j]
        if i == j or a[1] == b[1]:
            continue
        if targets is not None and a[1] not in targets and b[1] not in targets:
            continue
        yield a, b, scores[j]


def _shared_hashes(type_id: int, pairs: list[tuple[tuple[Any, ...], tuple[Any, ...], float]]) -> dict[int, set[str]]:
    ids = {row[0] for a, b, _score in pairs for row in (a, b)}
    hashes: dict[int, set[str]] = {}
    rows = PhotoHash.objects.filter(content_type_id=type_id, object_id__in=ids).values_list("object_id", "dhash")
    for object_id, value in rows:
        hashes.setdefault(object_id, set()).add(value)
    return hashes


def _store_record_pairs(type_id: int, found: list[tuple[tuple[Any, ...], tuple[Any, ...], float]]) -> int:
    hashes = _shared_hashes(type_id, found)
    pairs = []
    for a, b, score in found:
        evidence: dict[str, Any] = {"date": a[4].isoformat(), "similarity": round(score, 2)}
        same = sorted((hashes.get(a[0], set()) & hashes.get(b[0], set())) - DEGENERATE_HASHES)
        if not same:
            continue  # alike titles on one day with different photos: two activities
        evidence["photo_hash"] = same[0]
        pairs.append(_pair(DuplicateKind.RECORDS, Side(type_id, a[0], a[1]), Side(type_id, b[0], b[1]), evidence))
    return _store(pairs)


def records_scan(*, library_ids: Collection[int] | None = None) -> int:
    """Activities of two libraries of one kabupaten/kota on the same day with the same or nearly the same
    title and a photo in common; with `library_ids`, only pairs involving those libraries. Returns the
    number of new pairs."""
    targets = set(library_ids) if library_ids is not None else None
    new = 0
    for model in SCANNED_MODELS:
        type_id = ContentType.objects.get_for_model(model).pk
        found: list[tuple[tuple[Any, ...], tuple[Any, ...], float]] = []
        rows = _dated_rows(model, type_id, targets)
        for _day, group in itertools.groupby(rows, key=lambda row: (row[2] or row[3], row[4])):
            found.extend(_group_pairs(list(group), targets))
            if len(found) >= 500:
                new += _store_record_pairs(type_id, found)
                found = []
        new += _store_record_pairs(type_id, found)
    return new


# ------------------------------------------------------------------------------------------- photos


def _live_records(rows: Sequence[tuple[str, int, int, int | None]]) -> dict[tuple[int, int], Any]:
    """(content type, id) of the rows' records that still count (not withdrawn, not drafts), with their date."""
    by_type: dict[int, set[int]] = {}
    for _hash, type_id, object_id, _library in rows:
        by_type.setdefault(type_id, set()).add(object_id)
    live: dict[tuple[int, int], Any] = {}
    for type_id, ids in by_type.items():
        model: Any = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or not hasattr(model, "library_id"):
            continue
        dated = any(field.name == "date" for field in model._meta.fields)
        columns = ("pk", "date") if dated else ("pk", "pk")
        for object_id, date in model.objects.filter(pk__in=ids, status__in=LIVE_STATUSES).values_list(*columns):
            live[(type_id, object_id)] = date if dated else None
    return live


def _photo_pair(first: Side, other: Side, value: str, live: dict[tuple[int, int], Any]) -> DuplicatePair:
    """Two libraries' activities on the same day with the same photo are one activity entered twice."""
    day = live[(first.type_id, first.object_id)]
    if day is not None and first.library_id != other.library_id and day == live[(other.type_id, other.object_id)]:
        return _pair(DuplicateKind.RECORDS, first, other, {"date": day.isoformat(), "photo_hash": value})
    return _pair(DuplicateKind.PHOTO, first, other, {"photo_hash": value})


def _hashes_shared() -> Iterator[str]:
    return (
        PhotoHash.objects.exclude(dhash__in=DEGENERATE_HASHES)
        .values("dhash")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("dhash")
        .values_list("dhash", flat=True)
        .iterator(chunk_size=CHUNK)
    )


def photos_scan(*, hashes: Collection[str] | None = None) -> int:
    """Activities (of any library) showing the same photo; with `hashes`, only photos with those hashes.
    Two libraries' activities of the same day with the same photo are proposed as one activity."""
    source: Iterable[str] = _hashes_shared() if hashes is None else sorted(set(hashes) - DEGENERATE_HASHES)
    new = 0
    for batch in chunked(source, 500):
        rows = list(
            PhotoHash.objects.filter(dhash__in=batch, library__isnull=False)
            .order_by("dhash", "content_type_id", "object_id")
            .values_list("dhash", "content_type_id", "object_id", "library_id")
        )
        live = _live_records(rows)
        pairs: list[DuplicatePair] = []
        for value, group in itertools.groupby(rows, key=lambda row: row[0]):
            sides = list(
                dict.fromkeys(Side(t, o, lib) for _h, t, o, lib in group if (t, o) in live and lib is not None)
            )
            first = sides[0] if sides else None
            for other in sides[1 : MAX_PAIRS_PER_PHOTO + 1]:
                assert first is not None
                pairs.append(_photo_pair(first, other, value, live))
        new += _store(pairs)
    return new


# ---------------------------------------------------------------------------------------- libraries


def libraries_scan(*, region_codes: Collection[str] | None = None) -> int:
    """Active libraries registered in the same village (or kabupaten) under the same name once spellings
    and abbreviations are evened out; with `region_codes`, only those regions."""
    crowded = Library.objects.filter(is_active=True)
    if region_codes is not None:
        crowded = crowded.filter(region_id__in=region_codes)
    regions = (
        crowded.values("region_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("region_id")
        .values_list("region_id", flat=True)
        .iterator(chunk_size=CHUNK)
    )
    type_id = ContentType.objects.get_for_model(Library).pk
    new = 0
    for batch in chunked(regions, 500):
        rows = (
            Library.objects.filter(is_active=True, region_id__in=batch)
            .order_by("region_id", "pk")
            .values_list("pk", "region_id", "name")
        )
        pairs: list[DuplicatePair] = []
        for region, group in itertools.groupby(rows, key=lambda row: row[1]):
            by_name: dict[str, list[int]] = {}
            for pk, _region, name in group:
                by_name.setdefault(library_name_key(name), []).append(pk)
            for ids in by_name.values():
                for other in ids[1:]:
                    a, b = Side(type_id, ids[0], ids[0]), Side(type_id, other, other)
                    pairs.append(_pair(DuplicateKind.LIBRARY, a, b, {"region": region}, prefix="l"))
        new += _store(pairs)
    return new


def duplicates_scan(*, library_ids: Collection[int] | None = None) -> dict[str, int]:
    """Every scan (records first, so a pair alike in title and photo is proposed once, as records)."""
    regions = None
    if library_ids is not None:
        regions = set(Library.objects.filter(pk__in=library_ids).values_list("region_id", flat=True))
    return {
        DuplicateKind.RECORDS.value: records_scan(library_ids=library_ids),
        DuplicateKind.PHOTO.value: photos_scan()
        if library_ids is None
        else photos_scan(
            hashes=set(PhotoHash.objects.filter(library_id__in=library_ids).values_list("dhash", flat=True))
        ),
        DuplicateKind.LIBRARY.value: libraries_scan(region_codes=regions),
    }
