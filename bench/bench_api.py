"""Benchmark of the real-SIM-compatible API: `/api/pelibatan<code>` of a kabupaten with 10,000 verified
records, served by gunicorn (2 workers) on 127.0.0.1, hit by a small threaded client.

Run through `bench/run.py` (fresh scratch database), or alone after `manage.py migrate` and
`manage.py load_regions` on a scratch DATABASE_URL. Only 127.0.0.1 is ever contacted; the loop is
bounded in requests and in time.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGENCY = "35.22"  # Kab. Bojonegoro: no other benchmark writes there
LIBRARIES = 40
THREADS = 8
MAX_REQUESTS = 3000
MAX_SECONDS = 20.0


def _seed(records: int) -> str:
    from django.utils import timezone

    from tpbis.libraries.models import Library, LibraryKind, Support
    from tpbis.regions.models import Level, Region
    from tpbis.reports.models import CommunityEngagement, Origin, Status

    villages = list(Region.objects.filter(code__startswith=REGENCY + ".", level=Level.VILLAGE).order_by("code"))
    libraries = []
    for village in villages[:LIBRARIES]:
        library = Library(
            name=f"Perpustakaan Desa {village.name}",
            kind=LibraryKind.VILLAGE,
            region=village,
            support=Support.FULL,
            cohort_year=2022,
        )
        library.sync_region_columns()
        libraries.append(library)
    Library.objects.bulk_create(libraries)
    today = timezone.localdate()
    start = dt.date(today.year, 1, 1)
    days = max((today - start).days, 1)
    photos = "https://transformasi.perpusnas.go.id/attachments/pelibatan_masyarakat/{0}_a.jpg,{0}_b.jpg"
    CommunityEngagement.objects.bulk_create(
        [
            CommunityEngagement(
                library=libraries[n % len(libraries)],
                date=start + dt.timedelta(days=n % days),
                input_date=start + dt.timedelta(days=(n * 7) % (days + 1)),
                title=f"Kegiatan literasi masyarakat nomor {n}",
                activity_field="Pendidikan",
                activity_kind="Pelatihan",
                audience="Umum",
                participants=10 + n % 40,
                status=Status.VERIFIED,
                origin=Origin.SIM_IMPORT,
                external_attachments=photos.format(f"X{n:07d}"),
            )
            for n in range(records)
        ],
        batch_size=1000,
    )
    return REGENCY.replace(".", "")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    # 30 s were not enough on a 2-core machine running the test suite beside the benchmark (session 9); and
    # the first answer (10,000 records) may take longer than a connection check's 2 s: waited for whole.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped before answering")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (127.0.0.1 only)
                response.read()
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def _hammer(url: str, *, gzip: bool) -> tuple[int, float, int]:
    """Requests answered, seconds taken, bytes of one answer."""
    headers = {"Accept-Encoding": "gzip"} if gzip else {}
    lock = threading.Lock()
    counter = {"sent": 0, "done": 0, "errors": 0, "size": 0}
    deadline = time.monotonic() + MAX_SECONDS

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                if counter["sent"] >= MAX_REQUESTS:
                    return
                counter["sent"] += 1
            try:
                request = urllib.request.Request(url, headers=headers)  # noqa: S310 (127.0.0.1 only)
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (127.0.0.1 only)
                    body = response.read()
                with lock:
                    counter["done"] += 1
                    counter["size"] = len(body)
            except OSError:
                with lock:
                    counter["errors"] += 1

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if counter["errors"]:
        print(f"  ({counter['errors']} requests failed)", flush=True)
    return counter["done"], elapsed, counter["size"]


def _wrk(url: str, *, gzip: bool) -> float:
    """Requests per second from wrk (Debian's `wrk`), a C load generator that is not itself the limit."""
    command = ["wrk", "-t2", "-c8", "-d10s", "--timeout", "10s", url]
    if gzip:
        command[1:1] = ["-H", "Accept-Encoding: gzip"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False).stdout  # noqa: S603
    for line in output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return 0.0


def bench_compat_api(records: int = 10_000) -> float:
    """Requests per second for /api/pelibatan<code> over `records` verified records; prints the figures."""
    from django.db import connection

    code = _seed(records)
    connection.close()  # the file must be complete for the server's processes
    port = _free_port()
    env = {**os.environ, "DEBUG": "0", "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            f"--chdir={ROOT}",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}/api/pelibatan{code}"
    try:
        _wait_ready(url, process)
        for _ in range(8):  # fill each worker's cache
            urllib.request.urlopen(url, timeout=30).read()
        results = {}
        for gzip in (False, True):
            done, elapsed, size = _hammer(url, gzip=gzip)
            rate = done / elapsed if elapsed else 0.0
            results[gzip] = rate
            label = "gzip" if gzip else "plain"
            print(
                f"compatible API /api/pelibatan{code} ({records:,} records, {size / 1e6:.1f} MB {label}), "
                f"gunicorn 2 workers, {THREADS} client threads: {rate:.0f} req/s ({done} requests in {elapsed:.1f} s)",
                flush=True,
            )
        if shutil.which("wrk"):
            for gzip in (False, True):
                rate = _wrk(url, gzip=gzip)
                label = "gzip" if gzip else "plain"
                print(
                    f"  same, measured by wrk (2 threads, 8 connections, 10 s, {label}): {rate:.0f} req/s", flush=True
                )
                results[gzip] = max(results[gzip], rate)
        return results[False]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    bench_compat_api()
