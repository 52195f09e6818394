"""Brute-force protection of signing in (django-axes), with two limits and a page that says when to retry.

An account is locked *at one address* after AXES_FAILURE_LIMIT wrong passwords, so an attacker
elsewhere cannot lock a person out of their own account. An address is locked for every account after
LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords, a higher number because a village office or a mobile
operator's NAT puts many honest people behind one address.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tpbis.accounts.forms import EmailLoginForm


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The email tried, as the EmailBackend reads it: one account whatever its case or spaces."""
    source: Any = credentials if credentials else request.POST
    value = source.get("username") or source.get("email") or ""
    return str(value).strip().lower() or None


class ThrottledBackend(AxesStandaloneBackend):
    """Axes' gate in front of the EmailBackend. A call without a request (the test client's `login`,
    a shell) has no client address to throttle, so it is let through to the real check."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a per-(account, address) limit and a higher per-address one."""

    def _recent(self, request: HttpRequest) -> QuerySet[AccessAttempt]:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        # Axes compares one number with AXES_FAILURE_LIMIT; an address past its own, higher limit
        # therefore reports the account limit, which locks every account tried from it.
        recent = self._recent(request)
        account = _failures(recent.filter(username=get_client_username(request, credentials)))
        if _failures(recent) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(account, get_failure_limit(request, credentials))
        return account

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        # Signing in to one account forgives that account's mistakes only: the address's count of
        # failures on other accounts stays, or an attacker could reset it with an account of their own.
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
            username=username,
        ).delete()
        return count


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def locked_until(request: HttpRequest, credentials: dict[str, Any] | None) -> dt.datetime:
    """When the lock on this account at this address (or on the address) ends."""
    cool_off = get_cool_off(request) or dt.timedelta(0)
    handler = LoginThrottleHandler()
    recent = handler._recent(request)
    account = recent.filter(username=get_client_username(request, credentials))
    if _failures(account) < get_failure_limit(request, credentials):
        account = recent  # locked because of the address
    last = account.aggregate(last=Max("attempt_time"))["last"] or timezone.now()
    return last + cool_off


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The sign-in page again, HTTP 429, saying how long to wait and until what time."""
    until = locked_until(request, credentials)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    message = ngettext(
        "Terlalu banyak percobaan masuk. Coba lagi dalam %(minutes)d menit (pukul %(time)s).",
        "Terlalu banyak percobaan masuk. Coba lagi dalam %(minutes)d menit (pukul %(time)s).",
        minutes,
    ) % {"minutes": minutes, "time": time_format(timezone.localtime(until), "H.i")}
    # An unbound form: validating the posted one would try the password again and count a failure.
    form = EmailLoginForm(request, initial={"username": login_username(request, credentials) or ""})
    context = {
        "form": form,
        "lockout_message": message,
        "lockout_hint": _("Lupa kata sandi? Anda tetap bisa memintanya lewat tautan di bawah."),
        "next": request.POST.get("next", "") or request.GET.get("next", ""),
    }
    response = render(request, "accounts/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(seconds)
    return response
