from __future__ import annotations

from tpbis.core.tests.authz_matrix import EVERYONE, NONE, Case

# The tab icon holds no data: the same for everyone (the app's other files are in core's matrix).
CASES: list[Case] = [
    Case("offline:favicon", "/favicon.ico", EVERYONE, NONE),
]
