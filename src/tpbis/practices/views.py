"""Pages of the good-practice library (*praktik baik*): list and search, write, read, review, public page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tpbis.accounts.models import User
from tpbis.accounts.scope import Scope
from tpbis.libraries.models import Library
from tpbis.libraries.selectors import library_get_for_user, library_qs_for_scope
from tpbis.practices.forms import LibraryChoiceForm, PracticeFilterForm, PracticeForm, ReviewForm
from tpbis.practices.models import Practice, PracticeStatus
from tpbis.practices.selectors import (
    WRITER_ROLES,
    can_review,
    can_write,
    linked_records,
    practice_get_for_user,
    practice_list_for_user,
    practice_public_get,
    practice_public_list,
)
from tpbis.practices.services import (
    EDITABLE,
    SUBMITTABLE,
    practice_create,
    practice_publish,
    practice_return,
    practice_set_public,
    practice_submit,
    practice_update,
)
from tpbis.reports.models import Photo
from tpbis.reports.photos import photos_for

PAGE_SIZE = 20
PHOTO_SIZES = {"full": "image", "thumb": "thumbnail"}


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_safe
def practice_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = PracticeFilterForm(request.GET)
    qs = practice_list_for_user(scope=scope, filters=form.filters())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    writable = library_qs_for_scope(scope=scope).exists() and scope.highest_role in WRITER_ROLES
    return render(
        request,
        "practices/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "can_create": writable, "searched": bool(query)},
    )


def _new_library(request: HttpRequest) -> Library | None:
    """The library named by ?perpustakaan= (in scope, else 404), or the writer's only library."""
    scope = _scope(request)
    raw = request.GET.get("perpustakaan") or request.POST.get("perpustakaan")
    if raw:
        if not raw.isdigit():
            raise Http404
        return library_get_for_user(scope=scope, pk=int(raw))
    if scope.highest_role not in WRITER_ROLES:
        raise PermissionDenied
    libraries = list(library_qs_for_scope(scope=scope).filter(is_active=True)[:2])
    return libraries[0] if len(libraries) == 1 else None


@login_required
def practice_create_view(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    library = _new_library(request)
    if library is None:
        choice = LibraryChoiceForm(
            libraries=library_qs_for_scope(scope=scope).filter(is_active=True).order_by("name", "pk")
        )
        return render(request, "practices/choose_library.html", {"form": choice})
    if not can_write(scope=scope, library=library):
        raise PermissionDenied
    form = PracticeForm(request.POST or None, request.FILES or None, library=library)
    if request.method == "POST" and form.is_valid():
        try:
            practice = practice_create(
                author=_user(request),
                library=library,
                fields=form.entry_fields(),
                records=form.record_refs(),
                photos=form.prepared,
                submit="draft" not in request.POST,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _saved_message(practice))
            return redirect("practices:detail", practice.pk)
    return render(request, "practices/form.html", {"form": form, "library": library, "practice": None})


@login_required
def practice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    practice = practice_get_for_user(scope=scope, pk=pk)
    if not can_write(scope=scope, library=practice.library):
        raise PermissionDenied
    if practice.status not in EDITABLE:
        messages.info(request, _("Praktik yang sedang ditinjau atau sudah terbit tidak dapat diubah."))
        return redirect("practices:detail", practice.pk)
    current = {name: getattr(practice, name) for name in PracticeForm.base_fields if hasattr(practice, name)}
    current["records"] = [f"{t}:{i}" for t, i in practice.record_links.values_list("record_type", "record_id")]
    form = PracticeForm(request.POST or None, request.FILES or None, library=practice.library, initial_values=current)
    if request.method == "POST" and form.is_valid():
        try:
            practice = practice_update(
                practice=practice,
                actor=_user(request),
                fields=form.entry_fields(),
                records=form.record_refs(),
                photos=form.prepared,
                submit="draft" not in request.POST,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _saved_message(practice))
            return redirect("practices:detail", practice.pk)
    return render(request, "practices/form.html", {"form": form, "library": practice.library, "practice": practice})


def _errors_to_form(form: PracticeForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _saved_message(practice: Practice) -> str:
    if practice.status == PracticeStatus.SUBMITTED:
        return _("Praktik baik tersimpan dan dikirim ke petugas provinsi untuk ditinjau.")
    return _("Praktik baik tersimpan sebagai draf.")


@login_required
@require_safe
def practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    practice = practice_get_for_user(scope=scope, pk=pk)
    writer = can_write(scope=scope, library=practice.library)
    reviewer = can_review(scope=scope, library=practice.library)
    return render(
        request,
        "practices/detail.html",
        {
            "practice": practice,
            "records": linked_records(practice=practice),
            "photos": photos_for(practice),
            "history": practice.steps_taken.select_related("actor"),
            "can_edit": writer and practice.status in EDITABLE,
            "can_submit": writer and practice.status in SUBMITTABLE,
            "can_review": reviewer and practice.status == PracticeStatus.SUBMITTED,
            "can_toggle_public": reviewer and practice.status == PracticeStatus.PUBLISHED,
            "review_form": ReviewForm(),
        },
    )


@login_required
@require_POST
def practice_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    practice = practice_get_for_user(scope=scope, pk=pk)
    if not can_write(scope=scope, library=practice.library):
        raise PermissionDenied
    try:
        practice_submit(practice=practice, actor=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Dikirim ke petugas provinsi untuk ditinjau."))
    return redirect("practices:detail", practice.pk)


@login_required
@require_POST
def practice_review(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    practice = practice_get_for_user(scope=scope, pk=pk)
    if not can_review(scope=scope, library=practice.library):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih terbitkan atau kembalikan."))
        return redirect("practices:detail", practice.pk)
    action, comment, user = form.cleaned_data["action"], form.cleaned_data["comment"], _user(request)
    try:
        if action == "publish":
            practice_publish(practice=practice, actor=user, is_public=form.cleaned_data["is_public"], comment=comment)
            messages.success(request, _("Praktik baik diterbitkan; penulisnya diberi tahu."))
        elif action == "return":
            practice_return(practice=practice, actor=user, comment=comment)
            messages.success(request, _("Praktik baik dikembalikan kepada penulisnya dengan catatan Anda."))
        else:
            practice_set_public(practice=practice, actor=user, is_public=action == "public")
            messages.success(request, _("Tampilan di halaman publik diperbarui."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("practices:detail", practice.pk)


@login_required
@require_safe
def practice_photo(request: HttpRequest, pk: int, photo: int, size: str) -> HttpResponseBase:
    """A photo of a practice the user may read (the reports' photo view only serves the user's own scope)."""
    practice = practice_get_for_user(scope=_scope(request), pk=pk)
    field_name = PHOTO_SIZES.get(size)
    stored_photo = photos_for(practice).filter(pk=photo).first() if field_name else None
    if stored_photo is None or field_name is None:
        raise Http404
    return _photo_response(stored_photo, field_name)


def _photo_response(photo: Photo, field_name: str) -> HttpResponseBase:
    stored = getattr(photo, field_name)
    try:
        handle = stored.storage.open(stored.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def public_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(practice_public_list(), PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(request, "practices/public_list.html", {"page": page})


@require_safe
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "practices/public_detail.html", {"practice": practice_public_get(pk=pk)})
