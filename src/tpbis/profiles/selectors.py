"""Reads of library profiles, always through the user's scope: the form's library and its visits, the
list and export rows of a region, completeness per child region, and the points of the libraries' map."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext

from tpbis.accounts.scope import Scope
from tpbis.core.templatetags.core_tags import score as score_text
from tpbis.dashboards.selectors import RegionRef, region_for_user
from tpbis.kpi.models import Colour
from tpbis.kpi.services import kpi_refresh_stale
from tpbis.libraries.models import FIRST_COHORT_YEAR, Library
from tpbis.libraries.selectors import library_qs_for_scope
from tpbis.profiles.models import LibraryProfile
from tpbis.regions.models import Region
from tpbis.reports.models import COUNTED_STATUSES, Visitors

# Marker fills of the map, the same greens, yellows and reds as the colour badges (static/css/app.css).
COLOUR_FILLS: dict[str, str] = {
    Colour.GREEN: "#0b8a5f",
    Colour.YELLOW: "#e0a100",
    Colour.RED: "#c62828",
    Colour.NONE: "#8a8f96",
}


def profile_years(*, today_year: int | None = None) -> list[int]:
    """The years a profile can be stated for, newest first."""
    latest = today_year or timezone.localdate().year
    return list(range(latest, FIRST_COHORT_YEAR - 1, -1))


def library_years(*, library: Library) -> list[int]:
    """The years this library can state a profile for: from its cohort year to this year, newest first."""
    return [year for year in profile_years() if year >= library.cohort_year] or profile_years()[:1]


# ------------------------------------------------------------------------------------------------ visits


def _counted_visitor_months(year: int) -> QuerySet[Visitors]:
    """Counted visitor records of a year, one per library and month: a later record of the same month is
    a correction and replaces the earlier one (as on the library's report card)."""
    correction = Visitors.objects.filter(
        library=OuterRef("library"),
        year=OuterRef("year"),
        month=OuterRef("month"),
        status__in=COUNTED_STATUSES,
        pk__gt=OuterRef("pk"),
    )
    return Visitors.objects.filter(year=year, status__in=COUNTED_STATUSES).exclude(Exists(correction))


def with_visits(qs: QuerySet[Library], *, year: int) -> QuerySet[Library]:
    """Annotate `visits` (visitors in the year, from the monthly visitor records) and `visit_months`
    (how many months of the year have a record)."""
    per_library = _counted_visitor_months(year).filter(library=OuterRef("pk")).order_by().values("library")
    return qs.annotate(
        visits=Coalesce(Subquery(per_library.annotate(n=Sum("total")).values("n"), output_field=IntegerField()), 0),
        visit_months=Coalesce(
            Subquery(per_library.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        ),
    )


@dataclass(frozen=True)
class Visits:
    total: int
    months: int


def visits_for_library(*, library: Library, year: int) -> Visits:
    qs = with_visits(Library.objects.filter(pk=library.pk), year=year)
    row = qs.values("visits", "visit_months").get()  # type: ignore[misc]
    return Visits(total=row["visits"], months=row["visit_months"])


# ------------------------------------------------------------------------------------------- the form


def profile_get(*, library: Library, year: int) -> LibraryProfile | None:
    return LibraryProfile.objects.filter(library=library, year=year).select_related("updated_by").first()


def profile_previous(*, library: Library, year: int) -> LibraryProfile | None:
    """The library's latest profile before `year`: a new year's form starts from it (enter once, reuse)."""
    return LibraryProfile.objects.filter(library=library, year__lt=year).order_by("-year").first()


# ----------------------------------------------------------------------------------- list and export


@dataclass(frozen=True)
class ProfileFilters:
    region: str | None  # dotted code of any level; None: the whole scope
    year: int


def _in_region(qs: QuerySet[Library], code: str | None) -> QuerySet[Library]:
    """The libraries registered in the region or below it, through the province and kabupaten/kota columns
    (indexed, no join to the regions) where the region is one."""
    if not code:
        return qs
    if "." not in code:
        return qs.filter(province_id=code)
    if code.count(".") == 1:
        return qs.filter(regency_id=code)
    return qs.filter(Q(regency_id=code[:5]), Q(region_id=code) | Q(region__code__startswith=code + "."))


def partners_of_year(*, scope: Scope, region: str | None, year: int) -> QuerySet[Library]:
    """Active partners in scope and region that had joined by `year`: those expected to state a profile."""
    qs = library_qs_for_scope(scope=scope).filter(is_active=True, cohort_year__lte=year)
    return _in_region(qs, region)


def profile_rows_for_user(*, scope: Scope, filters: ProfileFilters) -> QuerySet[Library]:
    """Every expected library with its profile of the year (`p`, empty when not stated) and its visits,
    by region then name: one query, the profile joined on (library, year), the visits as subqueries."""
    qs = partners_of_year(scope=scope, region=filters.region, year=filters.year)
    qs = qs.annotate(p=FilteredRelation("profiles", condition=Q(profiles__year=filters.year)))
    qs = with_visits(qs, year=filters.year).select_related("region", "region__parent", "p")  # type: ignore[misc]
    return qs.order_by("region_id", "name", "pk")


# ------------------------------------------------------------------------------------------ completeness


@dataclass(frozen=True)
class CompletenessRow:
    code: str
    name: str
    expected: int
    complete: int

    @property
    def pct(self) -> float:
        return round(100 * self.complete / self.expected, 1) if self.expected else 0.0


@dataclass(frozen=True)
class Completeness:
    year: int
    expected: int
    complete: int
    rows: list[CompletenessRow]

    @property
    def pct(self) -> float:
        return round(100 * self.complete / self.expected, 1) if self.expected else 0.0


CHILD_CODE_LENGTH = {0: 2, 1: 5, 2: 8, 3: 13}


def completeness_by_region(*, scope: Scope, region: RegionRef, year: int) -> Completeness:
    """Share of expected libraries with a profile for the year, in the region and per child region.

    One GROUP BY over the libraries, grouped by the child region's code (a prefix of the library's region
    code); a library registered at the region's own level groups under the region's code. The year's
    profiles are joined (one per library and year) rather than probed library by library with EXISTS,
    so the database may read them once and hash them.
    """
    qs = partners_of_year(scope=scope, region=region.code, year=year)
    length = CHILD_CODE_LENGTH.get(region.level, 13)
    grouped = (
        qs.annotate(
            child=Substr("region_id", 1, length), stated=FilteredRelation("profiles", condition=Q(profiles__year=year))
        )
        .order_by()
        .values("child")
        .annotate(expected=Count("pk"), complete=Count("stated__pk"))
        .order_by("child")
    )
    counts = [(row["child"], row["expected"], row["complete"]) for row in grouped]
    names = dict(Region.objects.filter(code__in=[code for code, _e, _c in counts]).values_list("code", "name"))
    if region.code:  # libraries registered at the region's own level (a kabupaten's own library)
        names[region.code] = gettext("Tingkat %(name)s") % {"name": region.name}
    rows = [CompletenessRow(code, names.get(code, code), expected, complete) for code, expected, complete in counts]
    return Completeness(
        year=year,
        expected=sum(r.expected for r in rows),
        complete=sum(r.complete for r in rows),
        rows=rows,
    )


# ------------------------------------------------------------------------------------------------- map


@dataclass(frozen=True)
class MapPoint:
    library_id: int
    name: str
    latitude: Decimal
    longitude: Decimal
    colour: str
    score: Decimal | None


@dataclass(frozen=True)
class MapData:
    region: RegionRef
    points: list[MapPoint]
    counts: dict[str, int]  # colour -> libraries drawn
    without_location: int


def map_data_for_user(*, scope: Scope, region_code: str | None) -> MapData:
    """The active libraries of a region in scope, each at the location of its latest profile that has one,
    with its current KPI colour; libraries without a location are only counted."""
    region = region_for_user(scope=scope, region_code=region_code)
    libraries = _in_region(library_qs_for_scope(scope=scope).filter(is_active=True), region.code)
    kpi_refresh_stale(libraries=libraries)
    located = LibraryProfile.objects.filter(library=OuterRef("pk"), latitude__isnull=False).order_by("-year")
    rows = (
        libraries.annotate(
            lat=Subquery(located.values("latitude")[:1]),
            lng=Subquery(located.values("longitude")[:1]),
            colour=Coalesce("current_score__colour", Value(Colour.NONE.value)),
        )
        .order_by("name", "pk")
        .values_list("pk", "name", "lat", "lng", "colour", "current_score__score")
    )
    points: list[MapPoint] = []
    counts = {colour.value: 0 for colour in Colour}
    without_location = 0
    for pk, name, lat, lng, colour, value in rows:
        if lat is None or lng is None:
            without_location += 1
            continue
        points.append(MapPoint(pk, name, Decimal(lat), Decimal(lng), colour, value))
        counts[colour] = counts.get(colour, 0) + 1
    return MapData(region=region, points=points, counts=counts, without_location=without_location)


def map_json(data: MapData, *, library_url: Any) -> dict[str, Any]:
    """The map as JSON: each point with its colour's label (colour is never the only signal), a legend."""
    labels = {colour.value: str(colour.label) for colour in Colour}
    return {
        "region": {"code": data.region.code or "", "name": data.region.name},
        "points": [
            {
                "id": p.library_id,
                "name": p.name,
                "lat": float(p.latitude),
                "lng": float(p.longitude),
                "colour": p.colour,
                "label": labels.get(p.colour, p.colour),
                "fill": COLOUR_FILLS.get(p.colour, COLOUR_FILLS[Colour.NONE]),
                "score": score_text(p.score),
                "url": library_url(p.library_id),
            }
            for p in data.points
        ],
        "legend": [
            {"colour": c.value, "label": labels[c.value], "fill": COLOUR_FILLS[c.value], "count": data.counts[c.value]}
            for c in Colour
        ],
        "without_location": data.without_location,
    }
