"""Agreement with the real SIM's scores on its own data."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tpbis.kpi.selectors import kpi_compare_with_sim
from tpbis.reports.models import SimImport

SAMPLES = Path(__file__).resolve().parents[5] / "shared" / "samples"
FOLDER = SAMPLES / "sim-api-3513-2026-07-15"

pytestmark = pytest.mark.skipif(not FOLDER.is_dir(), reason=f"sample folder {FOLDER} not found")


@pytest.mark.django_db
def test_it_gives_the_real_score_to_every_library_without_an_information_service_record() -> None:
    out = StringIO()
    call_command("kpi_compare", str(FOLDER), stdout=out)
    rows = kpi_compare_with_sim(sim_import=SimImport.objects.get())
    plain = [r for r in rows if not r.has_information_record and r.real is not None]
    assert len(plain) >= 10
    assert [(r.name, r.ours) for r in plain] == [(r.name, r.real) for r in plain]
    # Libraries the real system leaves unassessed ("-") are unassessed here too.
    assert all((r.real is None) == (r.ours is None) for r in rows)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("same score: ") and "scored libraries; same colour: " in line for line in lines)
    assert "without information-service record: same score 10 of 10" in lines
