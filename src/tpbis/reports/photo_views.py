"""Serving photo evidence only to people whose scope covers the record's library."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from tpbis.libraries.selectors import library_get_for_user
from tpbis.reports.models import Photo, StagedPhoto

SIZES = {"full": "image", "thumb": "thumbnail"}
# Stored names are random and a photo never changes once stored, so the browser may keep it a day:
# a manager on a slow connection should not download the same photo at every visit.
CACHE_CONTROL = "private, max-age=86400"
# A signed S3 URL lives an hour by default (S3_URL_EXPIRE); reusing the redirect for less than that
# lets the browser cache the image under one URL without ever following an expired one.
SIGNED_REDIRECT_CACHE_CONTROL = "private, max-age=600"


@login_required
@require_safe
def photo_file(request: HttpRequest, pk: int, size: str) -> HttpResponseBase:
    field_name = SIZES.get(size)
    photo = Photo.objects.select_related("content_type").filter(pk=pk).first()
    if field_name is None or photo is None:
        raise Http404
    record = photo.record
    library_id = getattr(record, "library_id", None)
    if library_id is None:
        raise Http404
    library_get_for_user(scope=request.scope, pk=library_id)  # type: ignore[attr-defined]
    return _serve(getattr(photo, field_name))


@login_required
@require_safe
def staged_photo_file(request: HttpRequest, pk: int, size: str) -> HttpResponseBase:
    """A photo attached to a form not saved yet: only for the person who attached it."""
    field_name = SIZES.get(size)
    photo = StagedPhoto.objects.filter(pk=pk, user_id=request.user.pk or 0).first()
    if field_name is None or photo is None:
        raise Http404
    return _serve(getattr(photo, field_name))


def _serve(stored: Any) -> HttpResponseBase:
    storage, name = stored.storage, stored.name
    # Only a storage that signs its URLs (S3 with querystring_auth) may be redirected to: a plain public
    # URL would hand the photo to anyone who has the link, past the scope check above.
    if getattr(storage, "querystring_auth", False):
        redirect = HttpResponseRedirect(storage.url(name))
        redirect["Cache-Control"] = SIGNED_REDIRECT_CACHE_CONTROL
        return redirect
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
