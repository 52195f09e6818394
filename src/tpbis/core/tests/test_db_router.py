"""The replica router: dashboard, export and API reads to the replica; a client that just wrote reads the primary.

These run without a replica (the router and middleware are exercised directly); test_replica_streaming.py
starts a real hot standby and proves the same end to end.
"""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from tpbis.core.db_router import PIN_COOKIE, ReplicaMiddleware, ReplicaRouter, replica_reads_allowed
from tpbis.libraries.models import Library

router = ReplicaRouter()
factory = RequestFactory()


def _answer(seen: list[str]) -> ReplicaMiddleware:
    def view(request: HttpRequest) -> HttpResponse:
        seen.append(router.db_for_read(Library))
        return HttpResponse("ok")

    return ReplicaMiddleware(view)


def _read(path: str, token: str = "") -> str:
    seen: list[str] = []
    _answer(seen)(factory.get(path, headers={"Authorization": f"Bearer {token}"} if token else None))
    return seen[0]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def test_it_sends_dashboard_export_and_api_reads_to_the_replica() -> None:
    for path in ("/dasbor/?wilayah=35", "/capaian/", "/ekspor/pelibatan.csv", "/api/v1/stats/summary"):
        assert _read(path) == "replica", path


def test_it_keeps_other_pages_and_every_write_on_the_primary() -> None:
    for path in ("/", "/laporan/", "/mitra/", "/akun/masuk/", "/admin/"):
        assert _read(path) == "default", path
    seen: list[str] = []
    _answer(seen)(factory.post("/api/v1/records/pelibatan", data={}))
    assert seen == ["default"]
    assert router.db_for_write(Library) == "default"


def test_it_reads_the_primary_outside_a_request() -> None:
    # Commands, the background worker and the reminders have no request: always the primary.
    assert not replica_reads_allowed()
    assert router.db_for_read(Library) == "default"


def test_it_migrates_only_the_primary_and_allows_relations_across_aliases() -> None:
    assert router.allow_migrate("default", "libraries")
    assert not router.allow_migrate("replica", "libraries")
    assert router.allow_relation(Library(), Library())


def test_it_pins_a_browser_that_wrote_to_the_primary_for_its_dashboards() -> None:
    seen: list[str] = []
    written = _answer(seen)(factory.post("/laporan/pelibatan/baru/", data={}))
    cookie = written.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 5 and cookie["httponly"]
    request = factory.get("/dasbor/")
    request.COOKIES[PIN_COOKIE] = cookie.value
    _answer(seen)(request)
    assert seen[-1] == "default"


def test_it_lets_the_pin_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    written = _answer([])(factory.post("/laporan/pelibatan/baru/", data={}))
    value = written.cookies[PIN_COOKIE].value
    later = time.time() + 6
    monkeypatch.setattr(time, "time", lambda: later)
    request = factory.get("/dasbor/")
    request.COOKIES[PIN_COOKIE] = value
    seen: list[str] = []
    _answer(seen)(request)
    assert seen == ["replica"]


def test_it_refuses_a_forged_pin_cookie() -> None:
    request = factory.get("/dasbor/")
    request.COOKIES[PIN_COOKIE] = "1"
    seen: list[str] = []
    _answer(seen)(request)
    assert seen == ["replica"]


def test_it_pins_an_api_token_that_wrote_but_not_another_token() -> None:
    _answer([])(factory.post("/api/v1/records/pelibatan", data={}, HTTP_AUTHORIZATION="Bearer penulis-123"))
    assert _read("/api/v1/records/pelibatan", "penulis-123") == "default"
    assert _read("/api/v1/records/pelibatan", "pembaca-456") == "replica"


@override_settings(REPLICA_PIN_SECONDS=30, REPLICA_READ_PREFIXES=("/iku/",))
def test_it_follows_the_pin_and_prefix_settings() -> None:
    written = _answer([])(factory.post("/iku/", data={}))
    assert written.cookies[PIN_COOKIE]["max-age"] == 30
    assert _read("/iku/") == "replica"
    assert _read("/dasbor/") == "default"
