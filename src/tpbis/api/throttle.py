"""Guessing API tokens: after API_TOKEN_FAILURE_LIMIT invalid tokens from one address within
API_TOKEN_FAILURE_WINDOW seconds, every token from that address is refused (429) until the window ends.

Counted in the Django cache (Redis when REDIS_URL is set, so all workers share the count). Valid
tokens are refused too while an address is blocked, or the answer would still tell a guess apart.
"""

from __future__ import annotations

import json
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from tpbis.core.net import client_ip

KEY_PREFIX = "api-token-failures"


def _window() -> int:
    return max(1, int(settings.API_TOKEN_FAILURE_WINDOW))


def _key(request: HttpRequest) -> tuple[str, float]:
    """The counter of this address in the current fixed window, and when that window ends."""
    window = _window()
    bucket = int(time.time() // window)
    return f"{KEY_PREFIX}:{client_ip(request)}:{bucket}", (bucket + 1) * window


def token_retry_after(request: HttpRequest) -> int | None:
    """Seconds this address must wait before it may present a token again; None if it may now."""
    key, ends = _key(request)
    failures = cache.get(key) or 0
    if failures < settings.API_TOKEN_FAILURE_LIMIT:
        return None
    return max(1, math.ceil(ends - time.time()))


def token_failure_record(request: HttpRequest) -> None:
    key, ends = _key(request)
    # add() is a no-op when the counter exists; incr() is atomic on Redis and within one process.
    cache.add(key, 0, timeout=max(1, math.ceil(ends - time.time())) + 1)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.add(key, 1, timeout=_window())


def too_many_failures_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Terlalu banyak token API yang salah dari alamat ini. Coba lagi dalam %(minutes)d menit.",
        "Terlalu banyak token API yang salah dari alamat ini. Coba lagi dalam %(minutes)d menit.",
        minutes,
    ) % {"minutes": minutes}


class TokensThrottled(Exception):
    """Raised by token authentication while the caller's address is blocked."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(too_many_failures_message(retry_after))
        self.retry_after = retry_after


def throttled_response(exc: TokensThrottled, *, extra: dict[str, object] | None = None) -> HttpResponse:
    body = {"message": str(exc), "errors": {}, "retry_after": exc.retry_after, **(extra or {})}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=429, content_type="application/json")
    response["Retry-After"] = str(exc.retry_after)
    return response


def token_check_allowed(request: HttpRequest) -> None:
    """Raise TokensThrottled when the address has used up its invalid tokens."""
    wait = token_retry_after(request)
    if wait is not None:
        raise TokensThrottled(wait)
