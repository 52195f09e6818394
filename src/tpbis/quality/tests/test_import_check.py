"""The record import warns of a row far from its library's usual, before anything is saved."""

from __future__ import annotations

import pytest

from conftest import World
from tpbis.accounts.scope import Scope
from tpbis.quality.tests.helpers import USUAL, visitor_months
from tpbis.reports.models import Visitors
from tpbis.reports.record_imports import record_import

pytestmark = pytest.mark.django_db
HEADER = "npp,nama_perpustakaan,kode_desa,periode,pengunjung_laki,pengunjung_perempuan,total_pengunjung\n"
SEMBUNG = ",Perpustakaan Desa Sembung,35.24.01.2001"


def test_an_imported_month_far_above_the_usual_is_a_warning_to_confirm(world: World) -> None:
    visitor_months(world.lamongan_village, USUAL[:10])
    content = (HEADER + f"{SEMBUNG},Nov 2026,1200,1200,2400\n{SEMBUNG},Des 2026,100,110,210\n").encode()

    result = record_import(
        record_type="pengunjung",
        content=content,
        filename="pengunjung.csv",
        scope=Scope(national=True),
        actor=world.national,
        dry_run=False,
    )

    assert [(w.line, w.column, w.message) for w in result.warnings] == [
        (2, "total_pengunjung", "jauh di atas biasanya: 2.400 pengunjung, biasanya 168–264. Periksa lagi angkanya.")
    ]
    assert result.needs_confirmation
    assert Visitors.objects.count() == 10
