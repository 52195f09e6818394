"""Authorization matrix entries for gatherings, and the objects their slots name.

{gathering}: in = a gathering of Kab. Lamongan (its partners invited, Sembung's manager among them),
near = one of Kab. Lumajang, out = one of Kab. Bangka Barat. Its check-in token, a follow-up and a material
of each fill {gathering_token}, {gathering_followup} and {gathering_material}. Running a gathering
(edit, invite, start, record) is for the staff who reach its region: others get a 403 for one they see
and a 404 for one they do not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tpbis.accounts.models import Role
from tpbis.core.tests.authz_matrix import FACILITATOR_UP, NONE, REGION, SIGNED_IN, Case
from tpbis.gatherings.materials import PreparedFile
from tpbis.gatherings.models import FollowUp
from tpbis.gatherings.services import material_add
from tpbis.gatherings.tests.helpers import gathering_make


def matrix_slots(world: Any) -> dict[str, dict[str, str]]:
    from conftest import make_user

    lumajang = make_user("lumajang-fasda@example.id", Role.FACILITATOR, region="35.08")
    plans = {
        "in": (world.facilitator_3524, "35.24", world.lamongan_village, world.facilitator_3524),
        "near": (world.province_35, "35.08", world.lumajang_village, lumajang),
        "out": (world.facilitator_1905, "19.05", world.belo_laut, world.facilitator_1905),
    }
    slots: dict[str, dict[str, str]] = {}
    for scope, (organiser, region, library, owner) in plans.items():
        gathering = gathering_make(actor=organiser, region_code=region, title=f"Gathering matriks {region}")
        followup = FollowUp.objects.create(
            gathering=gathering,
            library=library,
            problem="Belum melapor",
            action="Pendampingan",
            owner=owner,
            due_date=dt.date(2026, 12, 31),
            created_by=organiser,
        )
        material = material_add(
            actor=organiser,
            gathering=gathering,
            title="Paparan",
            prepared=PreparedFile("paparan.pdf", b"%PDF-1.4\n", "application/pdf"),
        )
        slots[scope] = {
            "gathering": str(gathering.pk),
            "gathering_token": gathering.checkin_token,
            "gathering_followup": str(followup.pk),
            "gathering_material": str(material.pk),
        }
    return slots


def _organise(route: str, path: str, method: str = "GET", label: str = "") -> Case:
    data = {} if method == "POST" else None
    return Case(route, path, FACILITATOR_UP, REGION, method=method, data=data, label=label, fetch_first=True)


CHECKIN = "/gathering/{gathering}/hadir/{gathering_token}/"
# Only a manager of an invited library checks in; everyone else is told so (403), wherever the gathering is.
NOT_INVITED = {("manager", "near"): 403, ("manager", "out"): 403}

CASES: list[Case] = [
    Case("gatherings:list", "/gathering/", SIGNED_IN, NONE),
    Case("gatherings:create", "/gathering/baru/", FACILITATOR_UP, NONE),
    Case("gatherings:create", "/gathering/baru/", FACILITATOR_UP, NONE, method="POST", data={}, label="kirim"),
    Case("gatherings:detail", "/gathering/{gathering}/", SIGNED_IN, REGION),
    Case("gatherings:report", "/gathering/{gathering}/laporan/", SIGNED_IN, REGION),
    _organise("gatherings:edit", "/gathering/{gathering}/ubah/"),
    _organise("gatherings:edit", "/gathering/{gathering}/ubah/", "POST", "simpan"),
    _organise("gatherings:invitees", "/gathering/{gathering}/undangan/"),
    _organise("gatherings:invitees", "/gathering/{gathering}/undangan/", "POST", "simpan"),
    _organise("gatherings:start", "/gathering/{gathering}/mulai/", "POST"),
    _organise("gatherings:attendance", "/gathering/{gathering}/kehadiran/"),
    _organise("gatherings:attendance", "/gathering/{gathering}/kehadiran/", "POST", "simpan"),
    _organise("gatherings:practice_add", "/gathering/{gathering}/praktik/", "POST"),
    _organise("gatherings:followup_add", "/gathering/{gathering}/tindak-lanjut/", "POST"),
    _organise("gatherings:material_add", "/gathering/{gathering}/materi/", "POST"),
    # The owner (a facilitator of the library's kabupaten) or an organiser marks it done.
    _organise("gatherings:followup_done", "/gathering/tindak-lanjut/{gathering_followup}/selesai/", "POST"),
    # Anyone who sees the gathering may press "Daftar"; only a manager of an invited library is registered.
    Case("gatherings:register", "/gathering/{gathering}/daftar/", SIGNED_IN, REGION, method="POST", data={}),
    Case("gatherings:material", "/gathering/materi/{gathering_material}/", SIGNED_IN, REGION),
    Case("gatherings:checkin", CHECKIN, frozenset({"manager"}), REGION, overrides=NOT_INVITED),
    # The matrix's gatherings are next week: check-in is not open yet, and says so.
    Case(
        "gatherings:checkin",
        CHECKIN,
        frozenset({"manager"}),
        REGION,
        method="POST",
        data={},
        label="hadir",
        overrides={**NOT_INVITED, ("manager", "in"): 403},
    ),
]
