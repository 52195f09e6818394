"""schemathesis drives every operation of the v1 OpenAPI schema in-process with generated input, as a
national token: no answer may be a server error, and every answer must match the schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from conftest import World
from tpbis.api.tokens import token_create
from tpbis.reports.models import CommunityEngagement
from tpbis.reports.tests.test_verification import make_engagement

# Bounded so the whole schema runs within the test suite's time (well under a minute).
MAX_EXAMPLES = 8


# Serving the schema needs no database, so it is loaded once at collection.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.mark.fuzz
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],  # the explicit phase adds schemathesis coverage cases: too many here,
    suppress_health_check=list(HealthCheck),
)
def test_it_survives_generated_requests(case: Any, world: World) -> None:
    _, key = _token(world)
    if not CommunityEngagement.objects.exists():
        make_engagement(world)  # so reads and actions can also hit a real record
    with _connections_kept_open():
        case.call_and_validate(
            # The WSGI transport does not inflate gzip, which the site sends to clients that accept it.
            headers={"Authorization": f"Bearer {key}", "Accept-Encoding": "identity"},
            checks=[not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance],
        )


@contextmanager
def _connections_kept_open() -> Iterator[None]:
    """Calling the WSGI app directly fires request_started/finished, whose handler closes a database
    connection inside a transaction (autocommit differs): the test's own connection on PostgreSQL.
    Django's test client disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


_TOKENS: dict[int, tuple[Any, str]] = {}


def _token(world: World) -> tuple[Any, str]:
    # One token per test database user: hypothesis calls the test many times with the same fixtures.
    if (
        world.national.pk not in _TOKENS
        or not _TOKENS[world.national.pk][0].__class__.objects.filter(pk=_TOKENS[world.national.pk][0].pk).exists()
    ):
        _TOKENS[world.national.pk] = token_create(user=world.national, name="fuzz", read_only=False)
    return _TOKENS[world.national.pk]
