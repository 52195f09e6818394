"""The API's caches start empty in every test, and the data version is re-read on every request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from tpbis.api.cache import cache_clear_local, forget_token


@pytest.fixture(autouse=True)
def _fresh_api_caches(settings: Any) -> Iterator[None]:
    settings.SIM_API_TOKEN_SECONDS = 0
    cache.clear()
    cache_clear_local()
    forget_token()
    yield
    cache_clear_local()
    forget_token()
