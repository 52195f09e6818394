"""Authorization matrix cases of the notifications pages: each person sees and changes only their own."""

from __future__ import annotations

from typing import Any

from tpbis.core.tests.authz_matrix import NONE, OWNER, SIGNED_IN, Case
from tpbis.notifications.models import Kind
from tpbis.notifications.services import notify

PERSONAS_WITH_OWN = ("manager", "facilitator_3524", "province_35", "national")

CASES: list[Case] = [
    Case("notifications:list", "/notifikasi/", SIGNED_IN, NONE),
    # in: the persona's own notification; out: the Bangka Barat facilitator's, a 404 for everybody.
    Case("notifications:open", "/notifikasi/{notification}/", SIGNED_IN, OWNER),
    Case("notifications:mark_all_read", "/notifikasi/baca-semua/", SIGNED_IN, NONE, method="POST"),
    Case("notifications:preferences", "/notifikasi/pengaturan/", SIGNED_IN, NONE),
    Case(
        "notifications:preferences",
        "/notifikasi/pengaturan/",
        SIGNED_IN,
        NONE,
        method="POST",
        data={"channel-reminder": "off"},
        label="save",
    ),
]


def matrix_slots(world: Any) -> dict[str, dict[str, str]]:
    slots: dict[str, dict[str, str]] = {}
    for persona in (*PERSONAS_WITH_OWN, "facilitator_1905"):
        notification = notify(recipient=getattr(world, persona), kind=Kind.GENERAL, title="Matriks", url="/")
        assert notification is not None
        slots["others" if persona == "facilitator_1905" else persona] = {"notification": str(notification.pk)}
    return slots
