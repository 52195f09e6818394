"""`sync_sim` against a local server on 127.0.0.1 that serves a sample folder like the real SIM."""

from __future__ import annotations

import io
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tpbis.reports.models import CommunityEngagement, SimImport, Status

from .test_compat_roundtrip import FOLDERS

pytestmark = pytest.mark.skipif(not FOLDERS, reason="shared/samples/ is not beside the repository")


class FakeSim:
    """Serves `<folder>/<name>.json` at /api/<name>; `failures` makes an endpoint answer 500 n times."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.failures: Counter[str] = Counter()
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = self.path.split("?")[0].rsplit("/", 1)[-1]
                fake.requests.append(self.path)
                if fake.failures[name] > 0:
                    fake.failures[name] -= 1
                    self._send(500, b'{"status":"error","message":"boom"}')
                    return
                path = fake.folder / f"{name}.json"
                if not path.is_file():
                    self._send(404, b'{"status":"error","message":"not found"}')
                    return
                self._send(200, path.read_bytes())

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api"


@pytest.fixture
def fake_sim() -> Iterator[FakeSim]:
    fake = FakeSim(FOLDERS[-1])
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def _sync(fake: FakeSim, **extra: Any) -> str:
    out = io.StringIO()
    as_of = FOLDERS[-1].name[-10:]
    options = [f"--{name}={value}" for name, value in extra.items()]
    call_command(
        "sync_sim",
        "--code=3513",
        f"--base-url={fake.base_url}",
        f"--as-of={as_of}",
        "--backoff=0",
        *options,
        stdout=out,
    )
    return out.getvalue()


@pytest.mark.django_db
def test_it_mirrors_the_server_like_an_import(fake_sim: FakeSim) -> None:
    report = _sync(fake_sim)
    assert "pelibatan 219" in report
    assert "tanggal_awal=01%2F01%2F2026&tanggal_akhir=15%2F07%2F2026" in fake_sim.requests[0]
    assert CommunityEngagement.objects.filter(status=Status.VERIFIED).count() == 219
    assert SimImport.objects.count() == 1


@pytest.mark.django_db
def test_it_retries_a_failing_endpoint(fake_sim: FakeSim) -> None:
    fake_sim.failures["publikasi3513"] = 2
    _sync(fake_sim, retries=3)
    assert sum("publikasi3513" in r for r in fake_sim.requests) == 3
    assert SimImport.objects.count() == 1


@pytest.mark.django_db
def test_it_writes_nothing_when_an_endpoint_keeps_failing(fake_sim: FakeSim) -> None:
    fake_sim.failures["pengunjung3513"] = 10
    with pytest.raises(CommandError, match=r"pengunjung3513.*HTTP 500.*Tidak ada yang disimpan"):
        _sync(fake_sim, retries=2)
    assert SimImport.objects.count() == 0
    assert CommunityEngagement.objects.count() == 0


@pytest.mark.django_db
def test_it_skips_an_endpoint_the_server_lacks(fake_sim: FakeSim) -> None:
    fake_sim.folder = FOLDERS[0]  # no advokasi before 15 July
    out = io.StringIO()
    call_command(
        "sync_sim", "--code=3513", f"--base-url={fake_sim.base_url}", f"--as-of={FOLDERS[0].name[-10:]}", stdout=out
    )
    assert "advokasi" in out.getvalue().splitlines()[1]


def test_it_refuses_a_bad_base_url() -> None:
    with pytest.raises(CommandError, match="http"):
        call_command("sync_sim", code="3513", base_url="ftp://example")
