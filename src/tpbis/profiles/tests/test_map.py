"""The libraries' map: JSON scoped to the user, each point with its KPI colour's label; Leaflet only where
a map is shown; the tile server allowed by the Content-Security-Policy through settings."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from conftest import World
from tpbis.kpi.models import Colour, CurrentScore, Scheme
from tpbis.profiles.tests.helpers import YEAR, profile_make


def _plant(world: World) -> None:
    profile_make(world.lamongan_village, latitude=Decimal("-7.116312"), longitude=Decimal("112.416789"))
    profile_make(world.lamongan_district)  # no location: counted, not drawn
    profile_make(world.lumajang_village, latitude=Decimal("-8.2"), longitude=Decimal("113.2"))
    scheme = Scheme.objects.order_by("pk").first()
    assert scheme is not None
    CurrentScore.objects.create(
        library=world.lamongan_village, as_of=timezone.localdate(), scheme=scheme, score=62.5, colour=Colour.YELLOW
    )


def test_the_map_json_holds_the_kabupatens_located_libraries_with_their_colour_label(world: World) -> None:
    _plant(world)
    response = world.client_for(world.facilitator_3524).get("/profil/peta.json?wilayah=35.24")
    assert response.status_code == 200
    data = response.json()
    assert data["region"] == {"code": "35.24", "name": "Kabupaten Lamongan"}
    [point] = data["points"]  # Labruk Kidul (Lumajang) is outside Lamongan; the district library has no location
    assert point["name"] == world.lamongan_village.name
    assert (point["lat"], point["lng"]) == (-7.116312, 112.416789)
    assert point["colour"] == "kuning"
    assert point["label"] == "Kuning (sedang)"
    assert point["score"] == "62,5"
    assert point["url"] == f"/mitra/{world.lamongan_village.pk}/"
    assert data["without_location"] == 1
    legend = {entry["colour"]: (entry["label"], entry["count"]) for entry in data["legend"]}
    assert legend["kuning"] == ("Kuning (sedang)", 1)
    assert legend["hijau"] == ("Hijau (tinggi)", 0)


def test_the_province_map_holds_every_kabupaten(world: World) -> None:
    _plant(world)
    data = world.client_for(world.province_35).get("/profil/peta.json?wilayah=35").json()
    assert {p["name"] for p in data["points"]} == {world.lamongan_village.name, world.lumajang_village.name}


def test_the_map_json_is_scoped(world: World) -> None:
    _plant(world)
    assert world.client_for(world.facilitator_3524).get("/profil/peta.json?wilayah=35.08").status_code == 404
    assert world.client_for(world.facilitator_1905).get("/profil/peta.json?wilayah=35.24").status_code == 404
    assert world.client_for(world.manager).get("/profil/peta.json?wilayah=35.24").status_code == 403
    assert world.client_for(world.facilitator_3524).get("/profil/peta.json?wilayah=xx").status_code == 404
    # Without a region: the facilitator's own kabupaten.
    own = world.client_for(world.facilitator_3524).get("/profil/peta.json").json()
    assert own["region"]["code"] == "35.24"


def test_leaflet_loads_only_on_dashboards_with_a_map(world: World) -> None:
    kabupaten = world.client_for(world.facilitator_3524).get("/dasbor/?wilayah=35.24").content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in kabupaten
    assert 'data-url="/profil/peta.json?wilayah=35.24"' in kabupaten
    assert "Kuning (sedang)" in kabupaten  # the legend names each colour
    kecamatan = world.client_for(world.facilitator_3524).get("/dasbor/?wilayah=35.24.01").content.decode()
    assert "leaflet" not in kecamatan
    nation = world.client_for(world.national).get("/dasbor/").content.decode()
    assert "leaflet" not in nation
    assert "leaflet" not in world.client_for(world.facilitator_3524).get("/mitra/").content.decode()


def test_the_tile_server_is_allowed_for_images_only(world: World) -> None:
    response = world.client_for(world.facilitator_3524).get("/dasbor/?wilayah=35.24")
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert "tile.openstreetmap.org" not in policy["script-src"] + policy["default-src"]
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in response.content.decode()
    assert "OpenStreetMap</a> contributors" in response.content.decode().replace("&lt;/a&gt;", "</a>")


def test_profiles_of_the_year_do_not_decide_the_location(world: World) -> None:
    # The map takes the latest profile that has a location: a newer one without it keeps the old point.
    profile_make(world.lamongan_village, year=YEAR - 1, latitude=Decimal("-7.2"), longitude=Decimal("112.3"))
    profile_make(world.lamongan_village)
    data = world.client_for(world.facilitator_3524).get("/profil/peta.json?wilayah=35.24").json()
    assert [(p["lat"], p["lng"]) for p in data["points"]] == [(-7.2, 112.3)]
