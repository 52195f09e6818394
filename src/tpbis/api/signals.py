"""Signal handlers that invalidate cached API answers after writes made through the ORM."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from tpbis.api.cache import api_cache_bump, forget_token
from tpbis.libraries.models import Library
from tpbis.reports.models import AuditEntry, Photo, SimImport, SimScore, record_models
from tpbis.reports.models import Replication as ReplicationModel


def _changed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded
    api_cache_bump()


def _audited(sender: Any, **kwargs: Any) -> None:
    # Audit entries are part of the cache token already; this process need only re-read it.
    forget_token()


def watched_models() -> list[type[Any]]:
    return [*record_models().values(), ReplicationModel, Library, Photo, SimImport, SimScore]


def connect() -> None:
    post_save.connect(_audited, sender=AuditEntry, dispatch_uid="api-cache-audit")
    for model in watched_models():
        post_save.connect(_changed, sender=model, dispatch_uid=f"api-cache-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"api-cache-delete-{model._meta.label}")
