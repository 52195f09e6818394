"""What people read about their score and the schemes: units that agree with the report card, their own
language for names and labels, numbers written the Indonesian way in the scheme editor."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import timezone

from conftest import World
from tpbis.kpi.models import Component, Scheme
from tpbis.kpi.services import kpi_refresh
from tpbis.libraries.models import Library, LibraryKind
from tpbis.reports.models import Status, Visitors

TODAY = timezone.localdate()


def test_it_counts_the_visitor_part_in_months_as_the_report_card_lists_them(world: World) -> None:
    library = world.lamongan_village
    for month in range(1, TODAY.month + 1):
        Visitors.objects.create(
            library=library, year=TODAY.year, month=month, male=5, female=7, total=12, status=Status.VERIFIED
        )
    kpi_refresh(libraries=Library.objects.filter(pk=library.pk))
    client = world.client_for(world.manager)
    months = f"{TODAY.month} bulan dilaporkan; 1 bulan sudah cukup"
    for url in (f"/mitra/{library.pk}/", f"/rapor/{library.pk}/"):
        body = client.get(url).content.decode()
        assert months in body, url
        assert "2,5 dari 2,5 poin" in body, url


def test_it_names_the_default_scheme_in_indonesian(world: World) -> None:
    body = world.client_for(world.manager).get(f"/mitra/{world.lamongan_village.pk}/").content.decode()
    assert "skema IKU TPBIS 2026" in body
    assert "calibrated" not in body
    schemes = world.client_for(world.national).get("/iku/skema/").content.decode()
    assert "IKU TPBIS 2026" in schemes
    assert "calibrated" not in schemes


def test_it_calls_full_support_dukungan_penuh_on_every_page(world: World) -> None:
    client = world.client_for(world.national)
    for url in ("/dasbor/", "/iku/", f"/mitra/{world.lamongan_village.pk}/"):
        body = client.get(url).content.decode()
        assert "Full Support" not in body, url
    assert "Dukungan Penuh" in client.get("/dasbor/").content.decode()
    assert "Dukungan Penuh" in client.get("/iku/").content.decode()  # the ranking's filter


def test_it_lists_library_kinds_of_a_scheme_by_their_names(world: World) -> None:
    Scheme.objects.create(
        name="Skema kabupaten", effective_from=TODAY, library_kinds=[LibraryKind.REGENCY, LibraryKind.TBM]
    )
    body = world.client_for(world.national).get("/iku/skema/").content.decode()
    assert "Perpustakaan kabupaten/kota, Taman Bacaan Masyarakat (TBM)" in body
    assert "kabupaten_kota" not in body


def test_it_shows_and_reads_scheme_numbers_the_indonesian_way(world: World) -> None:
    scheme = Scheme.objects.get(name="IKU TPBIS 2026")
    client = world.client_for(world.national)
    body = client.get(f"/iku/skema/{scheme.pk}/").content.decode()
    assert 'value="17,5"' in body and 'value="11,25"' in body and 'value="1.000"' not in body
    assert "17.50" not in body and "17,50" not in body
    # Every input of every component has its own label.
    assert '<label for="id_c-0-weight">Bobot (poin)</label>' in body
    assert '<label for="id_c-0-target">Target</label>' in body
    data = _scheme_post(scheme)
    data.update({"c-0-weight": "17,5", "c-4-target": "1.000", "c-1-rounding_step": "1,25"})
    response = client.post(f"/iku/skema/{scheme.pk}/", data)
    assert response.status_code == 302, response.content.decode()
    books = Component.objects.get(scheme=scheme, field="books")
    assert books.target == Decimal(1000)
    assert Component.objects.get(scheme=scheme, record_type="pelibatan").weight == Decimal("17.5")


def test_it_shows_colour_words_in_the_scheme_preview(world: World) -> None:
    scheme = Scheme.objects.get(name="IKU TPBIS 2026")
    Visitors.objects.create(library=world.lamongan_village, year=TODAY.year, month=1, total=3, status=Status.VERIFIED)
    kpi_refresh(libraries=Library.objects.filter(pk=world.lamongan_village.pk))
    data = _scheme_post(scheme)
    # Visitors worth 30: one reported month lifts the library from red to yellow.
    data.update({"c-0-weight": "2,5", "c-1-weight": "1,25", "c-2-weight": "16,25", "c-3-weight": "30"})
    data["action"] = "preview"
    body = world.client_for(world.national).post(f"/iku/skema/{scheme.pk}/", data).content.decode()
    assert "merah→" not in body and "→kuning" not in body
    assert re.search(r">Merah</span>\s*→\s*<span[^>]*>Kuning</span>\s*1<", body)


def _scheme_post(scheme: Scheme) -> dict[str, str]:
    """The editor's form as a browser sends it back unchanged, numbers written the Indonesian way."""
    components = list(scheme.components.order_by("position", "pk"))
    data = {
        "name": scheme.name,
        "effective_from": scheme.effective_from.isoformat(),
        "green_above": "75",
        "yellow_above": "25",
        "notes": scheme.notes,
        "action": "save",
        "c-TOTAL_FORMS": str(len(components)),
        "c-INITIAL_FORMS": str(len(components)),
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(components):
        data.update(
            {
                f"c-{i}-id": str(c.pk),
                f"c-{i}-label": c.label,
                f"c-{i}-record_type": c.record_type,
                f"c-{i}-measure": c.measure,
                f"c-{i}-field": c.field,
                f"c-{i}-target": _typed(c.target),
                f"c-{i}-target_growth": c.target_growth,
                f"c-{i}-weight": _typed(c.weight),
                f"c-{i}-cap": "",
                f"c-{i}-rounding_step": _typed(c.rounding_step),
            }
        )
    return data


def _typed(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")
