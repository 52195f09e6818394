from __future__ import annotations

from tpbis.core.tests.authz_matrix import FACILITATOR_UP, NONE, Case

# Work lists cover the person's own area (no object in the path): a manager's role is too weak (403).
CASES: list[Case] = [
    Case("worklists:home", "/kerja/", FACILITATOR_UP, NONE),
    Case("worklists:home", "/kerja/?hari=30", FACILITATOR_UP, NONE, label="days"),
    Case("worklists:silent", "/kerja/senyap/?hari=90", FACILITATOR_UP, NONE),
    Case("worklists:returned", "/kerja/dikembalikan/", FACILITATOR_UP, NONE),
]
