"""Keeping bots and repeated answers out without tracking anyone.

- a honeypot field people never see;
- a signed timestamp in the form: an answer sent less than MIN_FILL_SECONDS after the form was shown
  is a script's;
- a signed cookie per survey saying only "answered at T" (no id): the same phone sending again within
  REPEAT_SECONDS is told its answer has arrived; after that a shared phone can be passed on;
- a per-survey cap per network address, counted in the cache under a hash salted with a key that
  changes every day, so the address cannot be recovered and is never written to the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tpbis.core.net import client_ip

MIN_FILL_SECONDS = 3
FORM_MAX_AGE_SECONDS = 24 * 3600
REPEAT_SECONDS = 60
# A village hall shares one Wi-Fi or phone hotspot: the cap allows a full room, not a script's thousands.
ANSWERS_PER_ADDRESS = 60
ADDRESS_WINDOW_SECONDS = 3600

_FORM_SALT = "tpbis.surveys.form"
_COOKIE_SALT = "tpbis.surveys.answered"


def form_stamp() -> str:
    return signing.dumps(time.time(), salt=_FORM_SALT)


def filled_too_fast(stamp: str) -> bool:
    """True when the stamp is missing, forged, stale, or younger than MIN_FILL_SECONDS."""
    try:
        shown = float(signing.loads(stamp or "", salt=_FORM_SALT, max_age=FORM_MAX_AGE_SECONDS))
    except (signing.BadSignature, TypeError, ValueError):
        return True
    return time.time() - shown < MIN_FILL_SECONDS


def _cookie_name(code: str) -> str:
    return "survei_" + hashlib.sha256(code.encode()).hexdigest()[:12]


def answered_recently(request: HttpRequest, code: str) -> bool:
    try:
        answered = float(request.get_signed_cookie(_cookie_name(code), salt=_COOKIE_SALT, max_age=REPEAT_SECONDS) or "")
    except (KeyError, signing.BadSignature, ValueError):
        return False
    return time.time() - answered < REPEAT_SECONDS


def mark_answered(response: HttpResponse, code: str) -> None:
    response.set_signed_cookie(
        _cookie_name(code),
        str(int(time.time())),
        salt=_COOKIE_SALT,
        max_age=REPEAT_SECONDS,
        path=f"/survei/{code}/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _address_key(request: HttpRequest, code: str, day: dt.date) -> str:
    salt = hmac.new(settings.SECRET_KEY.encode(), f"survei-ip:{day.isoformat()}".encode(), hashlib.sha256).digest()
    digest = hmac.new(salt, client_ip(request).encode(), hashlib.sha256).hexdigest()[:32]
    return f"survei:ip:{code}:{digest}"


def address_over_limit(request: HttpRequest, code: str) -> bool:
    """Count one answer from this address to this survey; True once the cap for the window is passed."""
    key = _address_key(request, code, timezone.localdate())
    cache.add(key, 0, ADDRESS_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, ADDRESS_WINDOW_SECONDS)
        count = 1
    return count > ANSWERS_PER_ADDRESS
