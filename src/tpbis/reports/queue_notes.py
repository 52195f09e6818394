"""Notes other apps add to rows of the verification queue ("jauh di atas biasanya: ..."), so a facilitator
sees what to check before verifying.

An app registers a provider from its AppConfig.ready(); the queue calls each provider once per page with
the page's records (all of one type) and shows the sentences it returns by record id. A provider should
answer with one query, whatever the page size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

QueueNoteProvider = Callable[[list[Any]], dict[int, list[str]]]
_PROVIDERS: dict[str, QueueNoteProvider] = {}


def queue_row_annotation_register(key: str, provider: QueueNoteProvider) -> None:
    """Add (or replace, by key) a provider of notes for the verification queue's rows."""
    _PROVIDERS[key] = provider


def queue_row_annotations(records: list[Any]) -> dict[int, list[str]]:
    notes: dict[int, list[str]] = {}
    if not records:
        return notes
    for provider in _PROVIDERS.values():
        for record_id, texts in provider(records).items():
            notes.setdefault(record_id, []).extend(texts)
    return notes
