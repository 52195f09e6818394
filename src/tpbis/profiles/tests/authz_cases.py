"""Authorization matrix entries for the library profile: the yearly form (anyone whose scope covers the
library), the list of a region (signed in, scoped), its IPLM export and the map's JSON (facilitators up)."""

from __future__ import annotations

from tpbis.core.tests.authz_matrix import FACILITATOR_UP, MANAGER_REGION_FILTER, NONE, SIGNED_IN, Case

CASES: list[Case] = [
    Case("profiles:list", "/profil/", SIGNED_IN, NONE),
    Case(
        "profiles:list",
        "/profil/?wilayah={region}&tahun=2026",
        SIGNED_IN,
        label="wilayah",
        overrides=MANAGER_REGION_FILTER,
    ),
    Case("profiles:edit", "/profil/{library}/?tahun=2026", SIGNED_IN),
    Case("profiles:edit", "/profil/{library}/", SIGNED_IN, method="POST", data={"version": "0"}, label="simpan"),
    Case("profiles:map_data", "/profil/peta.json?wilayah={region}", FACILITATOR_UP),
    Case("exports:download", "/ekspor/iplm.csv?wilayah={region}&tahun=2026", FACILITATOR_UP, label="iplm"),
]
