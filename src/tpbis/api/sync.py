"""Keeping a mirror of a real-SIM-compatible server: fetch its seven answers, import them like a folder.

The answers are written into a temporary folder under the real file names and handed to the
importer of `import_sim_json`, so a sync applies exactly what an import of the same files would (new
records added, vanished ones withdrawn), all or nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.reports.sim_import import SimImportResult, sim_import_folder

ENDPOINTS = ("pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung", "replikasi", "iku")
USER_AGENT = "SIM-TPBIS-sync/1"


class SyncError(Exception):
    """The server could not be read; nothing was written."""


@dataclass
class SyncResult:
    fetched: dict[str, int] = field(default_factory=dict)  # endpoint → rows
    missing: list[str] = field(default_factory=list)  # endpoints the server does not have (404)
    attempts: int = 0
    imported: SimImportResult | None = None

    def lines(self) -> list[str]:
        lines = [
            _("diambil: %(list)s") % {"list": ", ".join(f"{name} {n}" for name, n in self.fetched.items())},
        ]
        if self.missing:
            lines.append(_("tidak ada di server (dilewati): %(list)s") % {"list": ", ".join(self.missing)})
        if self.imported is not None:
            lines += self.imported.lines()
        return lines


@dataclass(frozen=True)
class Fetcher:
    base_url: str
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep

    def url(self, endpoint: str, code: str, start: dt.date, end: dt.date) -> str:
        query = urllib.parse.urlencode(
            {"tanggal_awal": start.strftime("%d/%m/%Y"), "tanggal_akhir": end.strftime("%d/%m/%Y")}
        )
        return f"{self.base_url.rstrip('/')}/{endpoint}{code}?{query}"

    def fetch(self, url: str, result: SyncResult) -> bytes | None:
        """The body of a 200 answer, None for a 404; retries other failures with growing waits."""
        last_error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            result.attempts += 1
            headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
            request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http(s) checked by the command)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) only)
                    return bytes(response.read())
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    return None
                last_error = f"HTTP {error.code}"
                if 400 <= error.code < 500 and error.code not in (408, 429):
                    break  # the server will not change its mind
            except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as error:
                last_error = str(getattr(error, "reason", error))
        raise SyncError(_("%(url)s gagal: %(error)s") % {"url": url, "error": last_error})


def _check_body(endpoint: str, body: bytes) -> int:
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SyncError(_("%(endpoint)s: jawaban bukan JSON") % {"endpoint": endpoint}) from error
    if (
        not isinstance(document, dict)
        or document.get("status") != "success"
        or not isinstance(document.get("data"), list)
    ):
        raise SyncError(_("%(endpoint)s: jawaban tidak berisi status success dan daftar data") % {"endpoint": endpoint})
    return len(document["data"])


def sim_sync(
    *, code: str, fetcher: Fetcher, as_of: dt.date, user: User | None = None, dry_run: bool = False
) -> SyncResult:
    """Fetch the seven endpoints of kabupaten `code` for 1 January–`as_of` and import them.

    Raises SyncError (nothing written) when an endpoint cannot be read after the retries, and the
    importer's SimImportError when the data itself is refused.
    """
    if not (code.isdigit() and len(code) == 4):
        raise SyncError(_("Kode kabupaten/kota harus 4 angka tanpa titik, mis. 3513."))
    result = SyncResult()
    start = dt.date(as_of.year, 1, 1)
    with tempfile.TemporaryDirectory(prefix="sim-sync-") as tmp:
        folder = Path(tmp) / f"sim-api-{code}-{as_of.isoformat()}"
        folder.mkdir()
        for endpoint in ENDPOINTS:
            body = fetcher.fetch(fetcher.url(endpoint, code, start, as_of), result)
            if body is None:
                result.missing.append(endpoint)
                continue
            result.fetched[endpoint] = _check_body(endpoint, body)
            (folder / f"{endpoint}{code}.json").write_bytes(body)
        if not result.fetched:
            raise SyncError(_("Server tidak punya satu pun endpoint untuk kode %(code)s.") % {"code": code})
        if not dry_run:
            result.imported = sim_import_folder(folder=folder, as_of=as_of, user=user)
    return result
