from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tpbis.regions.models import Kind, Region
from tpbis.regions.selectors import region_get_by_code, region_search


@pytest.mark.django_db
def test_it_loads_the_whole_hierarchy_idempotently() -> None:
    out = StringIO()
    call_command("load_regions", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("0 ditambahkan, 0 diperbarui")  # the session fixture loaded it already
    assert lines[-1] == "38 provinsi, 514 kabupaten/kota, 7285 kecamatan, 83762 desa/kelurahan"


@pytest.mark.django_db
def test_it_restores_a_renamed_region() -> None:
    Region.objects.filter(code="35.24").update(name="Kabupaten Lamongan Lama")
    out = StringIO()
    call_command("load_regions", stdout=out)
    assert out.getvalue().startswith("0 ditambahkan, 1 diperbarui")
    assert Region.objects.get(code="35.24").name == "Kabupaten Lamongan"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["35.24", "3524", " 3524 "])
def test_it_resolves_dotted_and_undotted_codes(typed: str) -> None:
    region = region_get_by_code(code=typed)
    assert region is not None
    assert region.name == "Kabupaten Lamongan"
    assert region.short_name == "Kab. Lamongan"


@pytest.mark.django_db
def test_it_resolves_a_village_code_in_both_forms() -> None:
    assert region_get_by_code(code="19.06.04.2003").name == "Cendil"  # type: ignore[union-attr]
    assert region_get_by_code(code="1906042003").name == "Cendil"  # type: ignore[union-attr]
    assert region_get_by_code(code="19.06.04.9999") is None
    assert region_get_by_code(code="35.2") is None


@pytest.mark.django_db
def test_it_derives_kinds_from_codes() -> None:
    assert Region.objects.get(code="35.72").kind == Kind.KOTA  # Kota Blitar
    assert Region.objects.get(code="35.05").kind == Kind.KABUPATEN  # Kab. Blitar
    assert Region.objects.get(code="35.05.17.1006").kind == Kind.KELURAHAN  # Klemunan
    assert Region.objects.get(code="35.08.21.2004").kind == Kind.DESA  # Labruk Kidul


@pytest.mark.django_db
def test_it_finds_villages_by_a_name_fragment_with_full_labels() -> None:
    results = region_search(query="labruk", level=4)
    labels = [label for _, label in results]
    assert labels[0] == "Labruk Kidul, Kec. Sumbersuko, Kab. Lumajang, Jawa Timur"
    assert "Labruk Lor, Kec. Lumajang, Kab. Lumajang, Jawa Timur" in labels


@pytest.mark.django_db
def test_it_finds_a_region_by_undotted_code() -> None:
    results = region_search(query="3524", level=2)
    assert [r.code for r, _ in results] == ["35.24"]
