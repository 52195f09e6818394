"""A database that cannot be reached gives a 503 saying to try again shortly: no 500, no traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from conftest import World
from tpbis.api.tokens import token_create
from tpbis.reports.models import CommunityEngagement

MESSAGE = "Layanan sedang gangguan, coba lagi sebentar lagi"


@contextmanager
def database_down() -> Iterator[None]:
    """Every query fails as it does while PostgreSQL restarts."""

    def refuse(self: CursorWrapper, *args: Any, **kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", refuse)
        patch.setattr(CursorWrapper, "executemany", refuse)
        yield


def _signed_in(world: World) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(world.manager)
    return client


def test_it_answers_a_page_with_503_when_the_database_is_down(world: World) -> None:
    client = _signed_in(world)
    with database_down():
        response = client.get("/laporan/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert MESSAGE in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_it_answers_a_submission_with_503_and_saves_nothing(world: World) -> None:
    client = _signed_in(world)
    with database_down():
        response = client.post(f"/laporan/pelibatan/baru/?perpustakaan={world.lamongan_village.pk}", {"title": "x"})
    assert response.status_code == 503
    assert MESSAGE in response.content.decode()
    assert CommunityEngagement.objects.count() == 0


def test_it_answers_the_api_with_503_json_when_the_database_is_down(world: World) -> None:
    _, key = token_create(user=world.manager, name="uji", read_only=True)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", raise_request_exception=False)
    with database_down():
        response = client.get("/api/v1/records/pelibatan")
    assert response.status_code == 503
    assert response.json()["message"].startswith(MESSAGE)
