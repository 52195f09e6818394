"""Cached API answers, invalidated by a version number that goes up after writes.

The key of a cached answer carries a token made of two numbers read in one small query: our own
version counter (bumped by signal handlers after saves of libraries, records, scores, imports) and
the highest audit entry id. Every service that changes a record writes an audit entry, also the
bulk ones that send no signals (bulk verification, imports), so the second number moves with them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, router, transaction
from django.db.models import F

from tpbis.api.models import CacheVersion
from tpbis.reports.models import AuditEntry

KEY_PREFIX = "simapi"


def _bump() -> None:
    updated = CacheVersion.objects.filter(pk=1).update(value=F("value") + 1)
    if not updated:
        CacheVersion.objects.get_or_create(pk=1, defaults={"value": 1})


def api_cache_bump() -> None:
    """Invalidate every cached API answer once the current transaction commits (at once outside one)."""
    forget_token()
    if not connection.in_atomic_block:
        _bump()
        return
    # One bump per transaction is enough; a save loop must not queue thousands of them. A rolled
    # back transaction drops its callbacks, so the check never suppresses a needed bump.
    pending: Any = getattr(connection, "run_on_commit", [])
    if any(entry[1] is _bump for entry in pending):
        return
    transaction.on_commit(_bump)


# The token read last by this process and when. Re-reading it costs a database connection (about
# 7 ms on SQLite, which opens one per request), more than serving a cached answer; so a process
# trusts it for SIM_API_TOKEN_SECONDS. Writes made in this process forget it at once; writes made
# elsewhere show within that time.
_TOKEN: list[Any] = [0.0, ""]


def forget_token() -> None:
    _TOKEN[0] = 0.0


def api_cache_token() -> str:
    """What the data looks like now, as a short string to put in cache keys."""
    alias = router.db_for_read(CacheVersion)
    if alias != DEFAULT_DB_ALIAS:
        # A read replica (docs/scaling.md): the version from the database the answer is read from, so a
        # replica behind the primary never stores its older answer under the primary's newer version.
        return _read_token(alias)
    now = time.monotonic()
    if _TOKEN[0] > now:
        return str(_TOKEN[1])
    token = _read_token()
    _TOKEN[:] = [now + float(getattr(settings, "SIM_API_TOKEN_SECONDS", 1.0)), token]
    return token


def _read_token(alias: str = DEFAULT_DB_ALIAS) -> str:
    db = connections[alias]
    quote = db.ops.quote_name
    sql = (
        f"SELECT (SELECT {quote('value')} FROM {quote(CacheVersion._meta.db_table)} WHERE {quote('id')} = 1), "  # noqa: S608 (table names only)
        f"(SELECT MAX({quote('id')}) FROM {quote(AuditEntry._meta.db_table)})"
    )
    with db.cursor() as cursor:
        cursor.execute(sql)
        version, audit = cursor.fetchone()
    return f"{version or 0}.{audit or 0}"


def cache_seconds() -> int:
    return int(getattr(settings, "SIM_API_CACHE_SECONDS", 600))


# The last answers of this process, in front of the shared cache: a locmem or Redis get copies
# (and unpickles) megabytes per call. Safe because every key carries the data token, so a stale
# answer is never asked for again; bounded, so memory stays a few answers' worth.
_LOCAL: OrderedDict[str, tuple[float, Any]] = OrderedDict()
_LOCAL_SIZE = 16
_LOCAL_LOCK = threading.Lock()


def cache_get(key: str) -> Any:
    now = time.monotonic()
    with _LOCAL_LOCK:
        found = _LOCAL.get(key)
        if found is not None and found[0] > now:
            _LOCAL.move_to_end(key)
            return found[1]
    value = cache.get(f"{KEY_PREFIX}:{key}")
    if value is not None:
        _remember(key, value, now)
    return value


def cache_set(key: str, value: Any) -> None:
    cache.set(f"{KEY_PREFIX}:{key}", value, cache_seconds())
    _remember(key, value, time.monotonic())


def _remember(key: str, value: Any, now: float) -> None:
    with _LOCAL_LOCK:
        _LOCAL[key] = (now + cache_seconds(), value)
        _LOCAL.move_to_end(key)
        while len(_LOCAL) > _LOCAL_SIZE:
            _LOCAL.popitem(last=False)


def cache_clear_local() -> None:
    with _LOCAL_LOCK:
        _LOCAL.clear()
