"""The real SIM's scheme history: the January–June 2026 publicity rule, then the calibrated scheme again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from conftest import World
from tpbis.kpi.models import CurrentScore, Scheme
from tpbis.kpi.selectors import kpi_compare_with_sim
from tpbis.kpi.services import current_scores_fresh, kpi_compute, scheme_for, schemes_load
from tpbis.libraries.models import Library
from tpbis.reports.models import Publicity, SimImport, Status

SAMPLES = Path(__file__).resolve().parents[5] / "shared" / "samples"
JUNE = SAMPLES / "sim-api-3513-2026-06-19"
JULY = SAMPLES / "sim-api-3513-2026-07-15"


def publicity_points(library: Library, day: dt.date) -> Decimal:
    result = kpi_compute(libraries=Library.objects.filter(pk=library.pk), dates=[day])[(library.pk, day)]
    return next(p.points for p in result.parts if p.record_type == "publikasi")


def test_it_scores_a_june_2026_date_with_the_june_rule_and_every_other_date_with_the_calibrated_one(
    world: World,
) -> None:
    library = world.lamongan_village
    for year in (2025, 2026):
        for i in range(4):
            Publicity.objects.create(
                library=library,
                date=dt.date(year, 3, 10 + i),
                title=f"Berita {year} {i}",
                media_kind="Media sosial",
                media_name="Facebook",
                status=Status.VERIFIED,
            )
    # Four publications: 15 × 4/8 = 7.5 in June 2026; 11.25 × min(1, 4/4) = 11.25 otherwise.
    assert publicity_points(library, dt.date(2026, 6, 19)) == Decimal("7.5")
    assert publicity_points(library, dt.date(2026, 6, 30)) == Decimal("7.5")
    assert publicity_points(library, dt.date(2026, 7, 1)) == Decimal("11.25")
    assert publicity_points(library, dt.date(2025, 6, 19)) == Decimal("11.25")
    schemes = schemes_load()
    names = {
        day: scheme_for(schemes, date=day, kind=library.kind).name for day in (dt.date(2026, 1, 1), dt.date(2026, 7, 1))
    }  # type: ignore[union-attr]
    assert names == {dt.date(2026, 1, 1): "TPBIS 2026 (Januari–Juni)", dt.date(2026, 7, 1): "IKU TPBIS 2026"}


@pytest.mark.django_db
def test_it_refuses_an_end_date_before_the_start() -> None:
    scheme = Scheme(name="Uji", effective_from=dt.date(2026, 7, 1), effective_until=dt.date(2026, 6, 30))
    with pytest.raises(ValidationError) as error:
        scheme.full_clean()
    assert "Tanggal akhir tidak boleh sebelum tanggal mulai berlaku." in str(error.value)


def test_a_stored_score_is_stale_once_a_scheme_has_ended(world: World) -> None:
    today = dt.date(2026, 12, 6)
    CurrentScore.objects.create(
        library=world.lamongan_village, as_of=dt.date(2026, 12, 2), scheme=Scheme.objects.first(), score=None, colour=""
    )
    fresh = CurrentScore.objects.filter(current_scores_fresh(today))
    assert fresh.exists()
    Scheme.objects.create(
        name="Sepekan", effective_from=dt.date(2026, 11, 20), effective_until=dt.date(2026, 12, 3), library_kinds=[]
    )
    # The score of 2 December was made under a scheme that ended on the 3rd: rescored, not shown.
    assert not CurrentScore.objects.filter(current_scores_fresh(today)).exists()


@pytest.mark.django_db
@pytest.mark.skipif(not (JUNE.is_dir() and JULY.is_dir()), reason=f"sample folders under {SAMPLES} not found")
def test_it_gives_the_real_june_score_to_every_library_without_an_information_service_record() -> None:
    out = StringIO()
    call_command("kpi_compare", str(JUNE), "--advocacy-from", str(JULY), stdout=out)
    rows = kpi_compare_with_sim(sim_import=SimImport.objects.get())
    plain = [r for r in rows if not r.has_information_record and r.real is not None]
    assert len(plain) == 10
    assert [(r.name, r.ours) for r in plain] == [(r.name, r.real) for r in plain]
    assert "without information-service record: same score 10 of 10" in out.getvalue().splitlines()


@pytest.mark.django_db
@pytest.mark.skipif(not JUNE.is_dir(), reason=f"sample folder {JUNE} not found")
def test_it_says_when_the_folder_has_no_advocacy() -> None:
    out = StringIO()
    call_command("kpi_compare", str(JUNE), stdout=out)
    assert out.getvalue().startswith("no advocacy file in this folder: our scores count no advocacy")
