"""Batch resolution of the regions that import rows name, by code or by names.

A row gives either `kode_wilayah` (dotted or not) or names (`provinsi`, `kabupaten_kota`, `kecamatan`,
`desa_kelurahan`) as people type them: "Kab. Blitar", "KOTA  BLITAR", "Kec. Sumbersuko", "Desa Labruk
Kidul". A name that fits several regions, or none, is reported with the candidates, never guessed: village
names repeat across the country, so a village is only looked for inside its kabupaten/kota.

Everything a batch needs is loaded up front in a bounded number of queries (two, plus one per 500
kabupaten/kota and per 500 kecamatan searched by name), so 10,000 rows cost no query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tpbis.core.text import fold
from tpbis.regions.codes import normalize_code
from tpbis.regions.models import Kind, Level, Region
from tpbis.regions.selectors import region_map_by_codes

CODE_COLUMN = "kode_wilayah"
NAME_COLUMNS = ("provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan")
MAX_CANDIDATES_SHOWN = 5
_CHUNK = 500

# Typed prefixes, longest first, and the kind they announce (None: just noise).
_PROVINCE_PREFIXES = (("provinsi ", None), ("propinsi ", None), ("prov ", None))
_REGENCY_PREFIXES = (
    ("kabupaten administrasi ", Kind.KABUPATEN),
    ("kabupaten adm ", Kind.KABUPATEN),
    ("kab adm ", Kind.KABUPATEN),
    ("kabupaten ", Kind.KABUPATEN),
    ("kab ", Kind.KABUPATEN),
    ("kota administrasi ", Kind.KOTA),
    ("kota adm ", Kind.KOTA),
    ("kotamadya ", Kind.KOTA),
    ("kota madya ", Kind.KOTA),
    ("kota ", Kind.KOTA),
)
_DISTRICT_PREFIXES = (("kecamatan ", None), ("kec ", None))
_VILLAGE_PREFIXES = (("kelurahan ", Kind.KELURAHAN), ("kel ", Kind.KELURAHAN), ("desa ", Kind.DESA), ("ds ", Kind.DESA))
# Short forms of province names seen in office spreadsheets.
_PROVINCE_ALIASES = {
    "dki jakarta": "daerah khusus ibukota jakarta",
    "dki": "daerah khusus ibukota jakarta",
    "diy": "daerah istimewa yogyakarta",
    "di yogyakarta": "daerah istimewa yogyakarta",
    "babel": "kepulauan bangka belitung",
    "kep bangka belitung": "kepulauan bangka belitung",
    "kepri": "kepulauan riau",
    "kep riau": "kepulauan riau",
    "ntb": "nusa tenggara barat",
    "ntt": "nusa tenggara timur",
    "jabar": "jawa barat",
    "jateng": "jawa tengah",
    "jatim": "jawa timur",
    "sumut": "sumatera utara",
    "sumbar": "sumatera barat",
    "sumsel": "sumatera selatan",
    "kalbar": "kalimantan barat",
    "kalteng": "kalimantan tengah",
    "kalsel": "kalimantan selatan",
    "kaltim": "kalimantan timur",
    "kaltara": "kalimantan utara",
    "sulut": "sulawesi utara",
    "sulteng": "sulawesi tengah",
    "sulsel": "sulawesi selatan",
    "sultra": "sulawesi tenggara",
    "sulbar": "sulawesi barat",
}
# Province names whose everyday form drops a leading word ("Bangka Belitung", "Yogyakarta").
_PROVINCE_SHORTENABLE = ("kepulauan ", "daerah khusus ibukota ", "daerah istimewa ")


@dataclass(frozen=True)
class RegionQuery:
    """What one row says about its region."""

    code: str = ""
    province: str = ""
    regency: str = ""
    district: str = ""
    village: str = ""

    @property
    def has_names(self) -> bool:
        return any((self.province, self.regency, self.district, self.village))


@dataclass(frozen=True)
class RegionMatch:
    """The region found, or the column to blame and an Indonesian message."""

    region: Region | None = None
    column: str = ""
    message: str = ""


def region_resolve_many(*, queries: Sequence[RegionQuery]) -> list[RegionMatch]:
    """Resolve every query; the result list is parallel to `queries`."""
    codes = {normalize_code(q.code) for q in queries if q.code.strip()}
    by_code = region_map_by_codes(codes=[c for c in codes if c])
    named = [q for q in queries if not q.code.strip() and q.has_names]
    index = _NameIndex.build(named) if named else None
    return [_resolve(q, by_code, index) for q in queries]


def _resolve(query: RegionQuery, by_code: dict[str, Region], index: _NameIndex | None) -> RegionMatch:
    if query.code.strip():
        return _resolve_code(query.code.strip(), by_code)
    if index is None:
        return RegionMatch(column=CODE_COLUMN, message=_("Isi kode_wilayah, atau nama wilayahnya."))
    return index.resolve(query)


def _resolve_code(raw: str, by_code: dict[str, Region]) -> RegionMatch:
    code = normalize_code(raw)
    if code is None:
        message = _('Kode wilayah "%(code)s" tidak valid. Tulis mis. 35.24 atau 3524.') % {"code": raw}
        return RegionMatch(column=CODE_COLUMN, message=message)
    region = by_code.get(code)
    if region is None:
        return RegionMatch(column=CODE_COLUMN, message=_("Kode wilayah %(code)s tidak dikenal.") % {"code": code})
    return RegionMatch(region=region)


def _strip_prefix(folded: str, prefixes: Iterable[tuple[str, str | None]]) -> tuple[str, str | None]:
    for prefix, kind in prefixes:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            return folded[len(prefix) :], kind
    return folded, None


def _key(folded: str) -> str:
    """Spacing never matters: "Tanjung Labu" and "Tanjunglabu" share a key."""
    return folded.replace(" ", "")


def _regency_key(region_name: str) -> str:
    bare, _kind = _strip_prefix(fold(region_name), _REGENCY_PREFIXES)
    return _key(bare.removeprefix("administrasi "))


class _NameIndex:
    """Regions by folded name, loaded once for a batch of name queries."""

    def __init__(self) -> None:
        self.provinces: dict[str, list[Region]] = defaultdict(list)
        self.province_short: dict[str, list[Region]] = defaultdict(list)
        self.regencies: dict[str, list[Region]] = defaultdict(list)
        self.districts: dict[tuple[str, str], list[Region]] = defaultdict(list)  # (regency code, key)
        self.villages: dict[tuple[str, str], list[Region]] = defaultdict(list)  # (regency code, key)
        self.district_names: dict[str, str] = {}

    @classmethod
    def build(cls, queries: Sequence[RegionQuery]) -> _NameIndex:
        index = cls()
        for upper in Region.objects.filter(level__in=[Level.PROVINCE, Level.REGENCY]):
            index._add_upper(upper)
        regencies = set()
        for query in queries:
            if query.regency and (query.district or query.village):
                region = index._regency(query).region
                if region is not None:
                    regencies.add(region.code)
        if regencies:
            index._load_lower(regencies, with_villages=any(q.village for q in queries))
        return index

    def _add_upper(self, region: Region) -> None:
        if region.level == Level.REGENCY:
            self.regencies[_regency_key(region.name)].append(region)
            return
        folded = fold(region.name)
        self.provinces[_key(folded)].append(region)
        for prefix in _PROVINCE_SHORTENABLE:
            if folded.startswith(prefix):
                self.province_short[_key(folded[len(prefix) :])].append(region)

    def _load_lower(self, regencies: set[str], *, with_villages: bool) -> None:
        districts: list[Region] = []
        wanted = sorted(regencies)
        for start in range(0, len(wanted), _CHUNK):
            districts += Region.objects.filter(level=Level.DISTRICT, parent_id__in=wanted[start : start + _CHUNK])
        for district in districts:
            self.districts[(district.code[:5], _key(district.search_name))].append(district)
            self.district_names[district.code] = district.short_name
        if not with_villages:
            return
        codes = sorted(d.code for d in districts)
        for start in range(0, len(codes), _CHUNK):
            for village in Region.objects.filter(level=Level.VILLAGE, parent_id__in=codes[start : start + _CHUNK]):
                self.villages[(village.code[:5], _key(village.search_name))].append(village)

    # --- resolving one query (no database access) ---------------------------------------------

    def resolve(self, query: RegionQuery) -> RegionMatch:
        if (query.district or query.village) and not query.regency:
            return RegionMatch(
                column="kabupaten_kota",
                message=_("Isi kabupaten_kota (atau kode_wilayah): nama kecamatan dan desa berulang di banyak daerah."),
            )
        if not query.regency:
            return self._province(query)
        regency = self._regency(query)
        if regency.region is None or not (query.district or query.village):
            return regency
        district = self._district(query, regency.region) if query.district else None
        if district is not None and (district.region is None or not query.village):
            return district
        return self._village(query, regency.region, district.region if district else None)

    def _province(self, query: RegionQuery) -> RegionMatch:
        folded, _kind = _strip_prefix(fold(query.province), _PROVINCE_PREFIXES)
        folded = _PROVINCE_ALIASES.get(folded, folded)
        candidates = self.provinces.get(_key(folded)) or self.province_short.get(_key(folded), [])
        return _pick(candidates, "provinsi", query.province, "")

    def _regency(self, query: RegionQuery) -> RegionMatch:
        province = None
        if query.province:
            match = self._province(query)
            if match.region is None:
                return match
            province = match.region
        folded = fold(query.regency)
        bare, kind = _strip_prefix(folded, _REGENCY_PREFIXES)
        candidates = self.regencies.get(_key(bare.removeprefix("administrasi ").removeprefix("adm ")), [])
        if kind is not None:
            candidates = [r for r in candidates if r.kind == kind]
        if not candidates:  # "Kota Baru" typed for Kabupaten Kotabaru: the prefix was part of the name
            candidates = self.regencies.get(_key(folded), [])
        if province is not None:
            candidates = [r for r in candidates if r.parent_id == province.code]
        return _pick(candidates, "kabupaten_kota", query.regency, province.short_name if province else "")

    def _district(self, query: RegionQuery, regency: Region) -> RegionMatch:
        folded = fold(query.district)
        bare, _kind = _strip_prefix(folded, _DISTRICT_PREFIXES)
        # Some names start with a prefix word themselves ("Desa Baru Barat"), so try the full name too.
        candidates = self.districts.get((regency.code, _key(bare))) or self.districts.get(
            (regency.code, _key(folded)), []
        )
        return _pick(candidates, "kecamatan", query.district, regency.short_name)

    def _village(self, query: RegionQuery, regency: Region, district: Region | None) -> RegionMatch:
        folded = fold(query.village)
        bare, kind = _strip_prefix(folded, _VILLAGE_PREFIXES)
        candidates = self.villages.get((regency.code, _key(bare))) or self.villages.get(
            (regency.code, _key(folded)), []
        )
        if district is not None:
            candidates = [v for v in candidates if v.parent_id == district.code]
        if len(candidates) > 1 and kind is not None:
            # "Desa X" vs "Kelurahan X" in one kabupaten is an explicit choice, not a guess.
            candidates = [v for v in candidates if v.kind == kind] or candidates
        where = district.short_name if district else regency.short_name
        labels = {
            v.code: f"{v.get_kind_display()} {v.name}, {self.district_names.get(v.parent_id or '', '')}"
            for v in candidates
        }
        # Same name twice in one kecamatan: only "Desa" / "Kelurahan" (or the code) tells them apart.
        same_district = len(candidates) > 1 and len({v.parent_id for v in candidates}) == 1
        return _pick(
            candidates, "desa_kelurahan", query.village, where, labels, _kind_hint() if same_district else None
        )


_UNKNOWN = {
    "provinsi": lambda: _('Provinsi "%(name)s" tidak ditemukan.'),
    "kabupaten_kota": lambda: _('Kabupaten/kota "%(name)s" tidak ditemukan%(where)s.'),
    "kecamatan": lambda: _('Kecamatan "%(name)s" tidak ditemukan%(where)s.'),
    "desa_kelurahan": lambda: _('Desa/kelurahan "%(name)s" tidak ditemukan%(where)s.'),
}
_AMBIGUOUS_HINT = {
    "provinsi": lambda: _("Tulis nama lengkapnya atau isi kode_wilayah."),
    "kabupaten_kota": lambda: _('Tulis "Kab." atau "Kota" di depan namanya, atau isi kode_wilayah.'),
    "kecamatan": lambda: _("Isi kode_wilayah."),
    "desa_kelurahan": lambda: _("Isi kolom kecamatan, atau kode_wilayah."),
}


def _kind_hint() -> str:
    return _('Tulis "Desa" atau "Kelurahan" di depan namanya, atau isi kode_wilayah.')


def _pick(
    candidates: list[Region],
    column: str,
    typed: str,
    where: str,
    labels: dict[str, str] | None = None,
    hint: str | None = None,
) -> RegionMatch:
    if len(candidates) == 1:
        return RegionMatch(region=candidates[0])
    if not candidates:
        place = _(" di %(where)s") % {"where": where} if where else ""
        return RegionMatch(column=column, message=_UNKNOWN[column]() % {"name": typed.strip(), "where": place})
    shown = [f"{(labels or {}).get(r.code) or r.short_name} ({r.code})" for r in candidates[:MAX_CANDIDATES_SHOWN]]
    more = len(candidates) - len(shown)
    listed = "; ".join(shown) + (_(" dan %(n)s lainnya") % {"n": more} if more else "")
    message = _('Nama "%(name)s" cocok dengan lebih dari satu wilayah: %(candidates)s. %(hint)s') % {
        "name": typed.strip(),
        "candidates": listed,
        "hint": hint or _AMBIGUOUS_HINT[column](),
    }
    return RegionMatch(column=column, message=message)
