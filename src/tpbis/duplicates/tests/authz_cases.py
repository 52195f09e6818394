"""Authorization matrix entries for the duplicates review, and the pairs their slots name.

{duplicate}: in = the same activity entered by Sembung and Perpustakaan Daerah Lamongan (Kab. Lamongan),
near = by two libraries of Kab. Lumajang, out = by two of Kab. Bangka Barat. Reviewing is for facilitators
and above over both libraries; a manager gets a 403, a reviewer who does not reach them a 404.
"""

from __future__ import annotations

from typing import Any

from tpbis.core.tests.authz_matrix import FACILITATOR_UP, Case
from tpbis.duplicates.models import DuplicatePair

CASES: list[Case] = [
    Case("duplicates:list", "/duplikat/?wilayah={region}", FACILITATOR_UP),
    Case("duplicates:detail", "/duplikat/{duplicate}/", FACILITATOR_UP),
    Case("duplicates:dismiss", "/duplikat/{duplicate}/abaikan/", FACILITATOR_UP, method="POST", data={}),
    Case("duplicates:merge", "/duplikat/{duplicate}/gabung/", FACILITATOR_UP, method="POST", data={"keep": "first"}),
]


def matrix_slots(world: Any) -> dict[str, dict[str, str]]:
    from conftest import make_library
    from tpbis.duplicates.detection import records_scan
    from tpbis.duplicates.tests.helpers import activity, hash_photos

    places = {
        "in": (world.lamongan_village, world.lamongan_district),
        "near": (world.lumajang_village, make_library("Perpustakaan Desa Matriks Lumajang", "35.08.21.2001")),
        "out": (world.belo_laut, make_library("Perpustakaan Desa Matriks Bangka Barat", "19.05.01.2005")),
    }
    slots: dict[str, dict[str, str]] = {}
    for seed, (scope, (first, second)) in enumerate(places.items(), start=50):
        activity(first, f"Uji matriks duplikat {scope}", photos=(seed,))
        activity(second, f"Uji matriks duplikat {scope}", photos=(seed,))
        hash_photos()
        records_scan(library_ids={first.pk})
        pair = DuplicatePair.objects.get(first_library__in=[first, second], second_library__in=[first, second])
        slots[scope] = {"duplicate": str(pair.pk)}
    return slots
