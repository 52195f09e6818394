"""What the profiles add to a region dashboard: how complete the year's profiles are, and (for a province or
a kabupaten/kota) the map of its libraries coloured by KPI colour."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.dashboards.panels import Panel
from tpbis.dashboards.selectors import RegionFigures
from tpbis.kpi.models import Colour
from tpbis.profiles.selectors import COLOUR_FILLS, completeness_by_region
from tpbis.regions.models import Level

MAP_LEVELS = (Level.PROVINCE, Level.REGENCY)
STYLES = ("css/profiles.css",)
LEAFLET_STYLES = ("vendor/leaflet/leaflet.css", *STYLES)
LEAFLET_SCRIPTS = ("vendor/leaflet/leaflet.js", "js/profile-map.js")


def _facilitator_up(request: HttpRequest) -> bool:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    return Scope.at_least(scope.highest_role, Role.FACILITATOR)


def completeness_panel(request: HttpRequest, figures: RegionFigures) -> Panel | None:
    """Shows "profil lengkap: 64%" for the year the dashboard's period ends in, per child region too."""
    if not _facilitator_up(request):
        return None
    year = figures.end.year
    completeness = completeness_by_region(scope=request.scope, region=figures.region, year=year)  # type: ignore[attr-defined]
    query = urlencode({"wilayah": figures.region.code or "", "tahun": year})
    return Panel(
        template="profiles/_completeness_panel.html",
        context={"completeness": completeness, "list_url": f"{reverse('profiles:list')}?{query}"},
        styles=STYLES,
    )


def map_panel(request: HttpRequest, figures: RegionFigures) -> Panel | None:
    """The libraries' map on a province's or a kabupaten/kota's dashboard; its points come as JSON."""
    if figures.region.level not in MAP_LEVELS or not _facilitator_up(request):
        return None
    query = urlencode({"wilayah": figures.region.code or ""})
    return Panel(
        template="profiles/_map_panel.html",
        context={
            "data_url": f"{reverse('profiles:map_data')}?{query}",
            "tile_url": settings.TILE_URL,
            "tile_attribution": settings.TILE_ATTRIBUTION,
            "legend": [(colour.value, colour.label, COLOUR_FILLS[colour.value]) for colour in Colour],
        },
        styles=LEAFLET_STYLES,
        scripts=LEAFLET_SCRIPTS,
    )
