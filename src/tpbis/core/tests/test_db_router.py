"""The replica router: dashboard, export and API reads to the replica; a client that just wrote reads the primary.

These run without a replica (the router and middleware are exercised directly); test_replica_streaming.py
starts a real hot standby and proves the same end to end.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.utils import timezone

from tpbis.api.models import ApiToken
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


def _writing(write: Callable[[], object]) -> ReplicaMiddleware:
    def view(request: HttpRequest) -> HttpResponse:
        write()
        return HttpResponse("ok")

    return ReplicaMiddleware(view)


# The ORM consults the router only when it is configured (with DATABASE_REPLICA_URL); these writes read nothing.
ROUTED = override_settings(DATABASE_ROUTERS=["tpbis.core.db_router.ReplicaRouter"])


@ROUTED
@pytest.mark.django_db
def test_it_pins_a_read_that_wrote_such_as_a_queued_export() -> None:
    # A large export is a GET that queues a job and redirects to its page: that page must find the job.
    answered = _writing(lambda: Group.objects.create(name="Ekspor"))(factory.get("/ekspor/pelibatan.xlsx"))
    assert PIN_COOKIE in answered.cookies


@ROUTED
@pytest.mark.django_db
def test_it_does_not_pin_for_a_tokens_last_used_stamp() -> None:
    stamp = lambda: ApiToken.objects.filter(pk=0).update(last_used_at=timezone.now())  # noqa: E731
    answered = _writing(stamp)(factory.get("/api/v1/me", headers={"Authorization": "Bearer pembaca-456"}))
    assert PIN_COOKIE not in answered.cookies
    assert _read("/api/v1/records/pelibatan", "pembaca-456") == "replica"


@ROUTED
def test_it_reads_the_api_cache_version_where_the_answer_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # A replica behind the primary must not store its older answer under the primary's newer version.
    from tpbis.api import cache as api_cache

    asked: list[str] = []

    def read_token(alias: str = "default") -> str:
        asked.append(alias)
        return "1.1"

    monkeypatch.setattr(api_cache, "_read_token", read_token)
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(api_cache.api_cache_token())
        return HttpResponse("ok")

    ReplicaMiddleware(view)(factory.get("/api/pelibatan3513"))
    assert asked == ["replica"] and seen == ["1.1"]
