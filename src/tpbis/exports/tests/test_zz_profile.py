import cProfile, pstats, time, tempfile, tracemalloc
from django.http import QueryDict
from conftest import World
from tpbis.exports.tests.test_browser_export import _engagements
from tpbis.exports.exporters import exporter_build
from tpbis.exports.renderers import xlsx_write, csv_write
from tpbis.accounts.scope import scope_for_user

def test_profile(world: World) -> None:
    _engagements(world)
    exp = exporter_build(kind="pelibatan", scope=scope_for_user(world.facilitator_3524), params=QueryDict())
    t = time.monotonic()
    n = sum(1 for _ in exp.rows())
    print("rows only", n, time.monotonic() - t)
    t = time.monotonic()
    with tempfile.TemporaryFile() as f:
        csv_write(exp, f)
    print("csv", time.monotonic() - t)
    pr = cProfile.Profile(); pr.enable()
    t = time.monotonic()
    tracemalloc.start()
    with tempfile.TemporaryFile() as f:
        xlsx_write(exp, f, lambda d: None)
        print("size", f.tell())
    cur, peak = tracemalloc.get_traced_memory(); tracemalloc.stop()
    print("xlsx", time.monotonic() - t, "peak MB", peak / 1e6)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
