"""A token given as `?token=` never reaches the logs in clear."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from conftest import World
from tpbis.api.tokens import token_create
from tpbis.core.logfilters import mask_tokens


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def collected() -> Iterator[_Collect]:
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in ("django.server", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def test_it_masks_a_token_in_the_development_servers_request_line(collected: _Collect) -> None:
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /api/pelibatan3524?tanggal_awal=01/01/2024&token=tpbis_rahasia123 HTTP/1.1", 200, 99
    )
    assert collected.messages == ['"GET /api/pelibatan3524?tanggal_awal=01/01/2024&token=*** HTTP/1.1" 200 99']


def test_it_masks_a_token_in_request_warnings(collected: _Collect) -> None:
    logging.getLogger("django.request").warning("Unauthorized: %s", "/api/pelibatan35?token=tpbis_rahasia123")
    assert "tpbis_rahasia123" not in collected.messages[0]
    assert "token=***" in collected.messages[0]


def test_it_masks_every_spelling_of_the_parameter() -> None:
    assert mask_tokens("/api/x?TOKEN=abc&y=1") == "/api/x?TOKEN=***&y=1"
    assert mask_tokens("/api/x?a=1&token=abc#f") == "/api/x?a=1&token=***#f"
    assert mask_tokens("/api/x%3Ftoken=abc") == "/api/x%3Ftoken=***"
    assert mask_tokens("/api/pelibatan35?tanggal_awal=1") == "/api/pelibatan35?tanggal_awal=1"


def test_it_still_accepts_the_token_as_a_header_or_in_the_query(world: World, settings: object) -> None:
    setattr(settings, "SIM_API_REQUIRE_TOKEN", True)  # noqa: B010
    _, key = token_create(user=world.manager, name="dasbor", read_only=True)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/pelibatan35").status_code == 200
    assert Client().get(f"/api/pelibatan35?token={key}").status_code == 200
    assert Client().get("/api/pelibatan35").status_code == 401
