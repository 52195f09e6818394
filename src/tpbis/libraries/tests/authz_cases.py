"""Authorization cases of the libraries app's newer pages (see tpbis.core.tests.authz_matrix)."""

from __future__ import annotations

from tpbis.core.tests.authz_matrix import FACILITATOR_UP, SIGNED_IN, Case

CASES: list[Case] = [
    # Hand-over: a facilitator or higher over the library; its manager is refused (403), an outsider never
    # learns the library exists (404).
    Case("libraries:handover", "/mitra/{library}/serah-terima/", FACILITATOR_UP, fetch_first=True),
    Case(
        "libraries:handover",
        "/mitra/{library}/serah-terima/",
        FACILITATOR_UP,
        method="POST",
        data={},
        label="post",
        fetch_first=True,
    ),
    # Closing one's own first-entry guide: anyone who may open the library's page.
    Case("libraries:first_entry_dismiss", "/mitra/{library}/panduan/tutup/", SIGNED_IN, method="POST", data={}),
]
