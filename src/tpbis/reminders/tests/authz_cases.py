"""Who may use the reminder pages (read by src/tpbis/core/tests/test_authz_matrix.py)."""

from __future__ import annotations

from tpbis.core.tests.authz_matrix import FACILITATOR_UP, NATIONAL, NONE, PROVINCE_UP, Case

CASES: list[Case] = [
    Case("reminders:rules", "/pengingat/", PROVINCE_UP, NONE),
    # The national rule: the national team only; a province rule: that province's officers and the nation.
    Case("reminders:rule_edit", "/pengingat/aturan/pengelola_diam/", NATIONAL, NONE, label="nasional"),
    Case("reminders:rule_edit", "/pengingat/aturan/tanpa_akun/?wilayah=35", PROVINCE_UP, NONE, label="provinsi"),
    Case(
        "reminders:rule_edit",
        "/pengingat/aturan/tanpa_akun/?wilayah=19",
        NATIONAL,
        NONE,
        label="provinsi lain",
        overrides={("province_35", "in"): 404},
    ),
    Case(
        "reminders:rule_reset",
        "/pengingat/aturan/tanpa_akun/hapus/?wilayah=35",
        PROVINCE_UP,
        NONE,
        method="POST",
        data={},
    ),
    Case("reminders:preview", "/pengingat/pratinjau/", FACILITATOR_UP, NONE),
    Case("reminders:log", "/pengingat/log/", FACILITATOR_UP, NONE),
]
