"""Every page carries a Content-Security-Policy without 'unsafe-inline', and no page needs one.

A browser enforcing the policy silently drops inline scripts, style attributes and on*= handlers; these
tests find them in the HTML first, page by page, so a new template cannot break a phone's page unseen.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from conftest import World
from tpbis.reports.tests.test_verification import make_engagement

# Script types a browser does not run: data for a script loaded from a file (Swagger UI's settings).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class InlineCodeFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block: <style>, style=, on*=, inline <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        for name, value in attrs:
            code_url = name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:")
            if name == "style" or name.startswith(("on", "hx-on", "data-hx-on")) or code_url:
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.problems.append("<style> element")
        type_ = dict(attrs).get("type") or ""
        self._inline_script = tag == "script" and "src" not in names and type_ not in DATA_SCRIPT_TYPES

    def handle_data(self, data: str) -> None:
        if self._inline_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inline_script = False


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def policy_problems(client: Client, path: str) -> list[str]:
    response = client.get(path)
    if response.status_code != 200:
        return [f"{path}: status {response.status_code}"]
    policy = response.headers.get("Content-Security-Policy", "")
    problems = []
    if "script-src 'self'" not in policy or "style-src 'self'" not in policy:
        problems.append(f"{path}: policy {policy!r}")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append(f"{path}: policy allows inline code: {policy!r}")
    problems += [f"{path}: {problem}" for problem in inline_code(response.content.decode())]
    return problems


def test_it_finds_inline_code_the_policy_would_block() -> None:
    html = (
        '<p style="color:red">x</p><button onclick="go()">go</button><style>p{}</style>'
        '<script>alert(1)</script><a hx-on:click="x()">a</a><a href="javascript:x()">b</a>'
        '<script src="/static/js/app.js"></script><script type="application/json">{"a": 1}</script>'
    )
    assert len(inline_code(html)) == 6


@pytest.mark.django_db
def test_it_sends_the_policy_on_every_app_page_and_no_page_needs_inline_code(world: World) -> None:
    record = make_engagement(world)
    library = world.lamongan_village
    world.national.is_staff = world.national.is_superuser = True  # the national team runs the admin
    world.national.save()
    pages = {
        None: ["/akun/masuk/", "/akun/lupa-sandi/", "/capaian/", "/capaian/?wilayah=35", "/api/v1/docs"],
        world.manager: [
            f"/mitra/{library.pk}/",
            "/laporan/",
            "/laporan/pelibatan/baru/",
            f"/laporan/pelibatan/{record.pk}/",
            f"/laporan/pelibatan/{record.pk}/ubah/",
            "/akun/kata-sandi/",
            "/akun/token/",
        ],
        world.facilitator_3524: [
            "/mitra/",
            f"/mitra/{library.pk}/",
            f"/mitra/{library.pk}/ubah/",
            f"/mitra/{library.pk}/undang/",
            "/mitra/akun/",
            "/mitra/impor/",
            "/laporan/verifikasi/",
            f"/rapor/{library.pk}/",
        ],
        world.national: [
            "/dasbor/",
            "/dasbor/?wilayah=35",
            "/iku/",
            "/iku/skema/",
            "/laporan-gathering/",
            "/admin/",
            "/admin/accounts/user/",
            f"/admin/libraries/library/{library.pk}/change/",
        ],
    }
    problems = []
    for persona, paths in pages.items():
        client = world.client_for(persona) if persona else Client()
        for path in paths:
            problems += policy_problems(client, path)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_it_sends_the_policy_on_error_pages() -> None:
    response = Client().get("/tidak-ada/")
    assert response.status_code == 404
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
