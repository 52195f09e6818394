"""Pages of one's own notifications: the list, opening one, marking all read, and the preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tpbis.accounts.models import User
from tpbis.notifications.forms import PREFIX, PreferencesForm
from tpbis.notifications.selectors import (
    notification_get_for_user,
    notification_list_for_user,
    preferences_for_user,
)
from tpbis.notifications.services import notification_open, notifications_mark_all_read, preferences_set

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notification_list_for_user(user=_user(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read and follows its link (only a path on this site).

    A GET, so that the list's links work as links; marking one's own notification read is all it changes.
    """
    notification = notification_open(notification=notification_get_for_user(user=_user(request), pk=pk))
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith("/"):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=_user(request))
    if count:
        messages.success(request, _("Semua notifikasi ditandai sudah dibaca."))
    return redirect("notifications:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PreferencesForm(request.POST or None, rows=preferences_for_user(user=user))
    if request.method == "POST" and form.is_valid():
        try:
            preferences_set(user=user, choices=form.choices())
        except ValidationError as error:
            for kind, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(PREFIX + kind if PREFIX + kind in form.fields else None, problem)
        else:
            messages.success(request, _("Pengaturan notifikasi disimpan."))
            return redirect("notifications:preferences")
    status = 400 if form.errors else 200
    return render(request, "notifications/preferences.html", {"form": form}, status=status)
