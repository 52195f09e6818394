"""Rendered parts of pages (the dashboard's figures, province map and child-region table; the gathering
report's and the rapor's figures; the rapor and gathering PDFs), kept by what they show.

A part's key is a digest of everything its template reads — the figures or rows themselves, the query strings
its links carry, the language — not a version that writes bump. A write that changes any figure changes the
key, so a part is never served stale, whatever wrote the data (a record, a verification, an import, a scheme,
a library edit, the date turning a month); and two users share a part only when their figures are the same to
the last digit, in which case its HTML is the same too. The queries still run on every request: what is saved
is the template (hundreds of numbers, a chart, a map), the largest share of a page's time above its SQL.

Kept in the process (no cache server round trip, nothing to invalidate across processes), least recently used
dropped first.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

FRAGMENTS_KEPT = 256  # a part is a few to some tens of kilobytes (a PDF some tens)

_kept: OrderedDict[bytes, Any] = OrderedDict()
_lock = threading.Lock()
T = TypeVar("T")


def fragment_key(template_name: str, inputs: tuple[Any, ...]) -> bytes:
    """A digest of the template, the active language and the inputs (pickled whole: every field counts)."""
    data = pickle.dumps((template_name, get_language(), inputs), protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(data, digest_size=20).digest()


def kept(name: str, inputs: tuple[Any, ...], build: Callable[[], T]) -> T:
    """`build()`, or what it returned for an earlier call with the same name, language and equal `inputs`.

    `inputs` must hold everything the result is made of (`build` reads only them, or what depends only on
    them); a value that cannot be pickled is built every time.
    """
    try:
        key = fragment_key(name, inputs)
    except (pickle.PicklingError, TypeError, AttributeError):
        return build()
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return cast(T, _kept[key])
    value = build()
    with _lock:
        _kept[key] = value
        while len(_kept) > FRAGMENTS_KEPT:
            _kept.popitem(last=False)
    return value


def fragment_render(template_name: str, inputs: tuple[Any, ...], context: Callable[[], dict[str, Any]]) -> SafeString:
    """The template rendered with `context()`, or the same HTML kept from an earlier call with equal `inputs`.

    `inputs` must hold everything the template reads (`context` is built from them, and only on a miss);
    the template is rendered without a request, so it cannot read the user, the session or the CSRF token.
    """
    return kept(
        template_name,
        inputs,
        lambda: mark_safe(render_to_string(template_name, context())),  # noqa: S308 - rendered by the engine
    )


def fragments_clear() -> None:
    with _lock:
        _kept.clear()
