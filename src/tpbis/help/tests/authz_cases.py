from __future__ import annotations

from tpbis.core.tests.authz_matrix import EVERYONE, NONE, Case

# Help holds no data and explains activation, so it is public.
CASES: list[Case] = [
    Case("help:index", "/bantuan/", EVERYONE, NONE),
    Case("help:page", "/bantuan/skor-iku/", EVERYONE, NONE),
]
