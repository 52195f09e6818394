"""Who may use the data-quality pages and API (read by src/tpbis/core/tests/test_authz_matrix.py), and the
slot {outlier}: a flag on the visitor report {pengunjung} of each scope's library."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tpbis.core.tests.authz_matrix import FACILITATOR_UP, NATIONAL, NONE, REGION, Case
from tpbis.quality.models import Basis, OutlierFlag
from tpbis.reports.models import Visitors


def matrix_slots(world: Any) -> dict[str, dict[str, str]]:
    places = {"in": world.lamongan_village, "near": world.lumajang_village, "out": world.belo_laut}
    slots: dict[str, dict[str, str]] = {}
    for scope, library in places.items():
        record = Visitors.objects.filter(library=library).order_by("pk").first()
        assert record is not None
        flag = OutlierFlag.objects.create(
            record_type="pengunjung",
            record_id=record.pk,
            measure="pengunjung",
            library=library,
            province_id=library.province_id,
            regency_id=library.regency_id or "",
            year=record.year,
            month=record.month,
            value=Decimal(record.total),
            basis=Basis.BOUNDS,
            usual_low=Decimal(0),
            usual_high=Decimal(10),
            distance=3.0,
            high=True,
        )
        slots[scope] = {"outlier": str(flag.pk)}
    return slots


CASES: list[Case] = [
    Case("quality:flags", "/kualitas-data/?wilayah={region}", FACILITATOR_UP, REGION),
    Case(
        "quality:flag_mark",
        "/kualitas-data/tanda/{outlier}/",
        FACILITATOR_UP,
        REGION,
        method="POST",
        data={"status": "checked", "seen": "1"},
    ),
    Case("quality:settings", "/kualitas-data/pengaturan/", NATIONAL, NONE),
    Case("GET /api/v1/quality/outliers", "/api/v1/quality/outliers?region={region}", FACILITATOR_UP, REGION),
]
