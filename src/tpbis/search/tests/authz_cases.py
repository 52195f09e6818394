from __future__ import annotations

from tpbis.core.tests.authz_matrix import NONE, SIGNED_IN, Case

# Search filters by scope itself (tests/test_search.py checks what each persona finds); the page answers
# every signed-in persona.
CASES: list[Case] = [
    Case("search:results", "/cari/?q=Perpustakaan", SIGNED_IN, NONE),
]
