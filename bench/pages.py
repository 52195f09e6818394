"""Page weight and answer time of a running SIM TPBIS with the demo data (`make run`, then this script).

    python bench/pages.py --url http://127.0.0.1:8000 [--repeat 5]

Weight: bytes a fresh Chromium receives (Chrome DevTools' encodedDataLength: compressed bodies plus
headers), for the manager's entry form on a first visit (empty cache) and on a repeat visit, and for the
national dashboard on a first visit. Time: every page of every demo persona's menu is fetched `--repeat`
times after one warm-up; the median and the slowest answer are printed, with the pages over 300 ms.
Only the loopback address is accepted, so the script never loads anyone else's server.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
DEMO_PASSWORD = "tpbis-demo"
DOMAIN = "demo.sim-tpbis.id"
PERSONAS = {
    "nasional": f"nasional@{DOMAIN}",
    "provinsi": f"provinsi.jatim@{DOMAIN}",
    "fasilitator": f"fasda.lamongan@{DOMAIN}",
    "pengelola": f"pengelola.belolaut@{DOMAIN}",
}
ENTRY_PAGE = "/laporan/pelibatan/baru/"
DASHBOARD = "/dasbor/"
SLOW_MS = 300


@dataclass(frozen=True)
class Weight:
    bytes: int
    requests: int

    def __str__(self) -> str:
        return f"{self.bytes / 1000:.1f} KB in {self.requests} requests"


def _sign_in(context: BrowserContext, base: str, email: str) -> Page:
    page = context.new_page()
    page.goto(urljoin(base, "/akun/masuk/"))
    page.fill("input[name='username']", email)
    page.fill("input[name='password']", DEMO_PASSWORD)
    page.press("input[name='password']", "Enter")
    page.wait_for_load_state()
    if "/akun/masuk/" in page.url:
        sys.exit(f"sign-in failed for {email}: is the demo loaded (`make run`) and DEMO_PASSWORD the default?")
    return page


def page_weight(page: Page, url: str, *, empty_cache: bool) -> Weight:
    """Bytes received while `url` loads to the network's rest, every request counted once."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    if empty_cache:
        cdp.send("Network.clearBrowserCache")
    received: dict[str, float] = {}
    cdp.on(
        "Network.loadingFinished", lambda event: received.__setitem__(event["requestId"], event["encodedDataLength"])
    )
    page.goto(url, wait_until="networkidle")
    cdp.detach()
    return Weight(int(sum(received.values())), len(received))


def menu_links(page: Page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("nav[aria-label] a[href]", "links => links.map(a => a.getAttribute('href'))")
    paths = {
        urlsplit(urljoin(base, h)).path
        for h in hrefs
        if h and urlsplit(urljoin(base, h)).netloc == urlsplit(base).netloc
    }
    return sorted(p for p in paths if not p.startswith("/admin/"))


def answer_times(context: BrowserContext, base: str, paths: list[str], repeat: int) -> dict[str, list[float]]:
    """Server answer times (request sent to last byte) of each page, after one warm-up request."""
    times: dict[str, list[float]] = {}
    for path in paths:
        context.request.get(urljoin(base, path))
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = context.request.get(urljoin(base, path), max_redirects=0)
            response.body()
            samples.append((time.perf_counter() - started) * 1000)
        times[path] = samples
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if urlsplit(args.url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit("only a server on this machine (127.0.0.1) is measured")
    base = args.url.rstrip("/") + "/"
    slow: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-quic"])
        for persona, email in PERSONAS.items():
            context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
            page = _sign_in(context, base, email)
            if persona == "pengelola":
                first = page_weight(page, urljoin(base, ENTRY_PAGE), empty_cache=True)
                repeat = page_weight(page, urljoin(base, ENTRY_PAGE), empty_cache=False)
                print(f"entry form {ENTRY_PAGE}: first visit {first}; repeat visit {repeat}")
            if persona == "nasional":
                print(
                    f"dashboard {DASHBOARD}: first visit {page_weight(page, urljoin(base, DASHBOARD), empty_cache=True)}"
                )
            page.goto(base)
            paths = menu_links(page, base)
            for path, samples in answer_times(context, base, paths, args.repeat).items():
                median, worst = statistics.median(samples), max(samples)
                print(f"  {persona:12} {path:32} median {median:6.0f} ms  max {worst:6.0f} ms")
                if median > SLOW_MS:
                    slow.append(f"{persona} {path} ({median:.0f} ms)")
            context.close()
        browser.close()
    print(f"pages over {SLOW_MS} ms (median): {', '.join(slow) if slow else 'none'}")


if __name__ == "__main__":
    main()
