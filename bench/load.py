"""Load on loopback: managers submitting with photos, facilitators verifying, readers on the dashboard.

    python bench/load.py [--duration 180] [--url http://127.0.0.1:8000] [--database-url postgres://…]

Without --url it builds a scratch PostgreSQL database (tpbis_load: migrate + setup_demo) and serves it as
`make serve` does (gunicorn with config/gunicorn.conf.py, DEBUG=0, collected static files), then stops
everything it started. Every simulated person has their own signed-in session and stops at --duration.
Prints p50/p95 per action, errors (5xx, timeouts, unexpected answers) and records acknowledged by the
server (302 to the new record) against records found in the database afterwards.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TITLE_PREFIX = "Uji beban"
QUEUE_ID = re.compile(r'name="ids" value="(\d+)"')
DETAIL = re.compile(r"/laporan/pelibatan/(\d+)/$")


@dataclass
class Stats:
    """Latencies per action, errors with a sample of what went wrong, and the acknowledged record ids."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    conflicts: int = 0
    acknowledged: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, action: str, seconds: float) -> None:
        with self.lock:
            self.latencies[action].append(seconds)

    def error(self, action: str, detail: str) -> None:
        with self.lock:
            self.errors[action] += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{action}: {detail}")


# --- setup (runs in a subprocess with Django, against the scratch database) -----------------------


def setup_people(managers: int, facilitators: int, readers: int) -> dict[str, Any]:
    """Create the load's accounts on the demo data and sign each in; returns their session cookies."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from tpbis.accounts.models import Membership, Role, Title, User
    from tpbis.libraries.models import Library, LibraryKind

    libraries = list(Library.objects.filter(kind=LibraryKind.VILLAGE).order_by("pk")[:managers])
    if not libraries:
        raise SystemExit("no village library in the database: run setup_demo first")
    password = secrets.token_urlsafe(12)

    def person(email: str, role: str, **membership: Any) -> str:
        user = User.objects.filter(email=email).first() or User.objects.create_user(email, password, full_name=email)
        Membership.objects.get_or_create(user=user, role=role, **membership)
        client = Client()
        client.force_login(user, backend="tpbis.accounts.backends.EmailBackend")
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    regencies = sorted({lib.region_id[:5] for lib in libraries})
    people: dict[str, Any] = {"managers": [], "facilitators": [], "readers": []}
    for i in range(managers):
        library = libraries[i % len(libraries)]
        session = person(f"beban.pengelola{i}@example.id", Role.MANAGER, library=library)
        people["managers"].append({"session": session, "library": library.pk})
    for i in range(facilitators):
        region = regencies[i % len(regencies)]
        session = person(f"beban.fasilitator{i}@example.id", Role.FACILITATOR, region_id=region, title=Title.FASDA)
        people["facilitators"].append({"session": session})
    for i in range(readers):
        # Half read the nation, half their province: the two dashboards people open most.
        if i % 2:
            session = person(f"beban.pembaca{i}@example.id", Role.PROVINCE, region_id=libraries[0].region_id[:2])
        else:
            session = person(f"beban.pembaca{i}@example.id", Role.NATIONAL)
        people["readers"].append({"session": session})
    return people


def count_saved(run: str) -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType

    from tpbis.reports.models import CommunityEngagement, Photo

    saved = CommunityEngagement.objects.filter(title__startswith=f"{TITLE_PREFIX} {run} ")
    ids = list(saved.values_list("pk", flat=True))
    photos = Photo.objects.filter(content_type=ContentType.objects.get_for_model(CommunityEngagement))
    without_photo = saved.exclude(pk__in=photos.values("object_id")).count()
    return {"ids": ids, "without_photo": without_photo}


def _django(env: dict[str, str], call: str, *args: int | str) -> Any:
    code = f"import sys, json; sys.path[:0] = {[str(ROOT), str(ROOT / 'bench')]!r}; import load; "
    code += f"print(json.dumps(load.{call}(*{list(args)!r})))"
    done = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [PYTHON, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{call} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the people ----------------------------------------------------------------------------------


def _session(cookie: str) -> Any:
    import requests

    session = requests.Session()
    session.cookies.set("sessionid", cookie)
    csrf = secrets.token_hex(16)
    session.cookies.set("csrftoken", csrf)
    session.headers["X-CSRFToken"] = csrf
    return session


def _photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (random.randrange(256), 120, 90)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _timed(stats: Stats, action: str, send: Any, ok: Any) -> Any:
    started = time.perf_counter()
    try:
        response = send()
    except Exception as error:  # a timeout or a refused connection is an error the report must show
        stats.error(action, repr(error))
        return None
    stats.record(action, time.perf_counter() - started)
    verdict = ok(response)
    if verdict is not True:
        stats.error(action, f"{response.status_code} {verdict}")
        return None
    return response


def manager(base: str, person: dict[str, Any], stats: Stats, until: float, think: float, run: str) -> None:
    session, photo = _session(person["session"]), _photo()
    url = f"{base}/laporan/pelibatan/baru/?perpustakaan={person['library']}"
    while time.monotonic() < until:
        day = time.strftime("%Y-%m-%d", time.localtime(time.time() - random.randrange(0, 60) * 86400))
        data = {
            "date": day,
            "title": f"{TITLE_PREFIX} {run} {uuid.uuid4().hex[:12]}",
            "activity_field": "Pendidikan",
            "activity_kind": "Pelatihan",
            "audience": "Anak-Anak",
            "participants_male": str(random.randrange(1, 30)),
            "participants_female": str(random.randrange(1, 30)),
            "client_id": str(uuid.uuid4()),
            "confirm_duplicate": "on",
        }
        files = {"photos": ("kegiatan.jpg", photo, "image/jpeg")}
        response = _timed(
            stats,
            "manager: submit engagement with photo",
            lambda data=data, files=files: session.post(url, data=data, files=files, allow_redirects=False, timeout=60),
            lambda r: (r.status_code == 302 and bool(DETAIL.search(r.headers.get("Location", "")))) or "no redirect",
        )
        if response is not None:
            with stats.lock:
                stats.acknowledged.add(int(DETAIL.search(response.headers["Location"]).group(1)))  # type: ignore[union-attr]
        time.sleep(random.uniform(0.5, 1.5) * think)


def facilitator(base: str, person: dict[str, Any], stats: Stats, until: float, think: float, run: str) -> None:
    session = _session(person["session"])
    while time.monotonic() < until:
        queue = _timed(
            stats,
            "facilitator: open queue",
            lambda: session.get(f"{base}/laporan/verifikasi/pelibatan/", timeout=60),
            lambda r: r.status_code == 200 or "not 200",
        )
        ids = QUEUE_ID.findall(queue.text) if queue is not None else []
        if ids:
            pk = random.choice(ids[:10])
            response = _timed(
                stats,
                "facilitator: verify",
                lambda pk=pk: session.post(f"{base}/laporan/pelibatan/{pk}/verify/", allow_redirects=False, timeout=60),
                lambda r: r.status_code in (302, 409) or "not 302/409",
            )
            # Two facilitators picking the same record is expected; the loser is told, nothing breaks.
            if response is not None and response.status_code == 409:
                with stats.lock:
                    stats.conflicts += 1
        time.sleep(random.uniform(0.5, 1.5) * think)


def reader(base: str, person: dict[str, Any], stats: Stats, until: float, think: float, run: str) -> None:
    session = _session(person["session"])
    while time.monotonic() < until:
        _timed(
            stats,
            "reader: dashboard",
            lambda: session.get(f"{base}/dasbor/", timeout=60),
            lambda r: r.status_code == 200 or "not 200",
        )
        time.sleep(random.uniform(0.5, 1.5) * think)


# --- the server ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url} within {seconds:.0f} s")


def scratch_database(env: dict[str, str], admin_url: str, name: str) -> None:
    """Drop and create `name`, migrate, load the demo (regions included)."""
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run([shutil.which("psql") or "psql", admin_url, "-q", "-c", sql], check=True)  # noqa: S603
    for command in (["migrate", "--noinput", "-v0"], ["setup_demo"]):
        subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            [PYTHON, "manage.py", *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )


def serve(env: dict[str, str], port: int) -> list[subprocess.Popen[bytes]]:
    """gunicorn and the background worker, as `make serve` starts them (after collecting static files)."""
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
    )
    log = open(ROOT / "var" / "load-server.log", "wb")  # noqa: SIM115 (kept open for the server's life)
    worker = subprocess.Popen(  # noqa: S603
        [PYTHON, "manage.py", "db_worker", "--no-reload"], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    server = subprocess.Popen(  # noqa: S603
        [gunicorn, "--config", "config/gunicorn.conf.py"],
        env={**env, "PORT": str(port)},
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    return [server, worker]


# --- the run -------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(stats: Stats, saved: dict[str, Any] | None, duration: float) -> bool:
    print(f"duration {duration:.0f} s")
    for action, values in sorted(stats.latencies.items()):
        print(
            f"{action}: {len(values)} requests, p50 {statistics.median(values) * 1000:.0f} ms, "
            f"p95 {percentile(values, 0.95) * 1000:.0f} ms, {len(values) / duration:.1f}/s"
        )
    total_errors = sum(stats.errors.values())
    print(f"errors: {total_errors} {dict(stats.errors) if total_errors else ''}")
    for sample in stats.error_samples:
        print(f"  {sample}")
    print(f"verify conflicts (409, expected when two pick the same record): {stats.conflicts}")
    ok = total_errors == 0
    if saved is not None:
        found = set(saved["ids"])
        lost, unacknowledged = stats.acknowledged - found, found - stats.acknowledged
        print(
            f"records acknowledged {len(stats.acknowledged)}, saved {len(found)}, acknowledged but missing "
            f"{len(lost)}, saved without acknowledgement {len(unacknowledged)}, saved without a photo "
            f"{saved['without_photo']}"
        )
        ok = ok and not lost and saved["without_photo"] == 0
    print("OK" if ok else "FAILED")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=180)
    parser.add_argument("--managers", type=int, default=50)
    parser.add_argument("--facilitators", type=int, default=10)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds each person waits between actions")
    parser.add_argument("--url", help="an already running server on the same database (no setup, no start)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/tpbis_load")
    parser.add_argument("--reuse", action="store_true", help="keep the scratch database as it is (already set up)")
    args = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": args.database_url, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    (ROOT / "var").mkdir(exist_ok=True)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        base = args.url
        if base is None:
            if not args.reuse:
                name = args.database_url.rsplit("/", 1)[1]
                scratch_database(env, args.database_url.rsplit("/", 1)[0] + "/postgres", name)
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            processes = serve(env, port)
            _wait_for(f"{base}/akun/masuk/", processes[0])
        people = _django(env, "setup_people", args.managers, args.facilitators, args.readers)
        stats, run = Stats(), uuid.uuid4().hex[:6]
        until = time.monotonic() + args.duration
        threads = [
            threading.Thread(target=role, args=(base, person, stats, until, args.think, run), daemon=True)
            for role, group in ((manager, "managers"), (facilitator, "facilitators"), (reader, "readers"))
            for person in people[group]
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(args.duration + 120)
        elapsed = time.monotonic() - started
        saved = _django(env, "count_saved", run)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    sys.exit(0 if report(stats, saved, elapsed) else 1)


if __name__ == "__main__":
    main()
