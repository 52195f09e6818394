"""Reads of dashboards, exports and the API from a streaming replica; everything else on the primary.

Only active when `DATABASE_REPLICA_URL` is set (config/settings.py adds the "replica" alias, this router and
the middleware). A GET or HEAD under one of `REPLICA_READ_PREFIXES` marks the request replica-eligible; the
router sends its reads to "replica" unless the client wrote within `REPLICA_PIN_SECONDS` (read-your-writes).
A write request (POST, PUT, PATCH, DELETE), or any request that wrote through the ORM (a GET that queues an
export job, saves the session), pins its author to the primary: a browser by a signed cookie, an API client
by its token (a cache key; with several workers this needs a shared cache, REDIS_URL). Writes, migrations,
background jobs and commands always use the primary. See docs/scaling.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "tpbis_primary"
PIN_SALT = "tpbis.core.db_router.pin"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_METHODS = frozenset({"GET", "HEAD"})
# Dashboards (/dasbor/, /capaian/), exports (/ekspor/) and the API with its stats JSON (/api/).
DEFAULT_PREFIXES = ("/dasbor/", "/capaian/", "/ekspor/", "/api/")
# Writes that do not pin: a token's "last used" stamp is bookkeeping its author never reads back.
DEFAULT_UNPINNED_MODELS = ("api.apitoken",)

_replica_reads: ContextVar[bool] = ContextVar("tpbis_replica_reads", default=False)
_wrote: ContextVar[list[str] | None] = ContextVar("tpbis_request_wrote", default=None)


def replica_reads_allowed() -> bool:
    """Whether the request being answered may read from the replica."""
    return _replica_reads.get()


def _pin_seconds() -> int:
    return int(getattr(settings, "REPLICA_PIN_SECONDS", 5))


def _prefixes() -> tuple[str, ...]:
    return tuple(getattr(settings, "REPLICA_READ_PREFIXES", DEFAULT_PREFIXES))


def _unpinned_models() -> tuple[str, ...]:
    return tuple(getattr(settings, "REPLICA_UNPINNED_MODELS", DEFAULT_UNPINNED_MODELS))


def _token_pin_key(request: HttpRequest) -> str | None:
    # An API client keeps no cookie; its token identifies it. Hashed: the cache never holds a usable key.
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    secret = key.strip() if scheme.lower() == "bearer" else request.GET.get("token", "")
    if not secret:
        return None
    return "replica-pin:" + hashlib.sha256(secret.encode()).hexdigest()


def client_pinned(request: HttpRequest) -> bool:
    """True when this client wrote within REPLICA_PIN_SECONDS, so its reads must see the primary."""
    if request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_SALT, max_age=_pin_seconds()) is not None:
        return True
    key = _token_pin_key(request)
    return key is not None and cache.get(key) is not None


def client_pin(request: HttpRequest, response: HttpResponse) -> None:
    """Send this client's reads to the primary for the next REPLICA_PIN_SECONDS."""
    seconds = _pin_seconds()
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=PIN_SALT,
        max_age=seconds,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    key = _token_pin_key(request)
    if key is not None:
        cache.set(key, 1, seconds)


class ReplicaMiddleware:
    """Marks dashboard, export and API reads as replica-eligible; pins a client that writes to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        eligible = (
            request.method in READ_METHODS and request.path_info.startswith(_prefixes()) and not client_pinned(request)
        )
        marker, writes = _replica_reads.set(eligible), _wrote.set([])
        try:
            response = self.get_response(request)
            wrote = bool(_wrote.get())
        finally:
            # A streamed body (a large CSV) is produced after this point and so reads the primary: safe.
            _replica_reads.reset(marker)
            _wrote.reset(writes)
        if request.method in WRITE_METHODS or wrote:
            client_pin(request, response)
        return response


class ReplicaRouter:
    """Eligible reads to "replica", all else to "default"; one database to Django's eyes (relations allowed)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return REPLICA if replica_reads_allowed() else PRIMARY

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        written = _wrote.get()
        if written is not None and model._meta.label_lower not in _unpinned_models():
            written.append(model._meta.label_lower)
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY
