"""Personal API tokens: created and revoked by their user; only a hash of the key is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from tpbis.accounts.models import User
from tpbis.api.models import ApiToken
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot

AUDITED_FIELDS = ("name", "prefix", "read_only")

KEY_PREFIX = "tpbis_"
# last_used_at is a hint for the user, not an audit log: writing it on every call would make every
# read a write, so it is refreshed at most this often.
LAST_USED_PRECISION_SECONDS = 300


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user: User, name: str, read_only: bool) -> tuple[ApiToken, str]:
    """A new token and its plain key, which is shown once and never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:80],
            key_hash=_hash(key),
            prefix=key[: len(KEY_PREFIX) + 4],
            read_only=read_only,
        )
        changes = audit_diff({}, audit_snapshot(token, AUDITED_FIELDS))
        audit_change(actor=user, action=AuditAction.TOKEN_CREATE, target=token, changes=changes)
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None = None) -> None:
    """Revoke a token; `actor` is whoever revoked it (its own user unless said otherwise)."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        audit_change(
            actor=actor or token.user,
            action=AuditAction.TOKEN_REVOKE,
            target=token,
            changes={"revoked_at": [None, token.revoked_at]},
        )


def token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_get_for_user(*, user: User, pk: int) -> ApiToken | None:
    return ApiToken.objects.filter(user=user, pk=pk).first()


def token_authenticate(key: str) -> ApiToken | None:
    """The live token for a key, its user active; None otherwise."""
    if not key or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key.strip()), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_PRECISION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def bearer_key(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""
