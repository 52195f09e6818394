"""Site search (/cari/) on a national data set: time and queries per search for the national team, a
province and a kabupaten, for a common word, a rare one, a typo and a village name. Read only. Run on an
existing national database (built by `generate_national`, migrated):

    DATABASE_URL=postgres://.../tpbis_national python bench/bench_search.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
REPEAT = 5
WORDS = ("literasi", "merajut", "sembng", "kegiatan literasi 03", "perpustakaan desa")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tpbis.accounts.scope import Scope
    from tpbis.reports.models import CommunityEngagement
    from tpbis.search.selectors import search_for_user

    print(f"database: {connection.vendor}; activities {CommunityEngagement.objects.count():,}")
    scopes = {
        "national": Scope(national=True),
        "province 35": Scope(provinces=frozenset({"35"})),
        "kabupaten 35.24": Scope(regencies=frozenset({"35.24"})),
    }
    print(f"{'viewer':<16} {'text':<24} {'median ms':>10} {'queries':>8}")
    for who, scope in scopes.items():
        for text in WORDS:
            search_for_user(scope=scope, text=text)
            samples = []
            for _ in range(REPEAT):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    search_for_user(scope=scope, text=text)
                samples.append(time.perf_counter() - started)
            print(f"{who:<16} {text:<24} {statistics.median(samples) * 1000:>10.1f} {len(queries):>8}", flush=True)


if __name__ == "__main__":
    main()
