"""The client's address, trusting X-Forwarded-For only as far as the deployment says proxies stand."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n > 0 the n-th address from the right of
    X-Forwarded-For. Each proxy appends the address it saw, so only the rightmost n entries were
    written by our proxies; anything to their left came from the client and may be forged."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count: int = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
