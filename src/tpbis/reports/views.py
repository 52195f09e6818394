"""Record pages: entry on a phone, detail with audit trail, lists, and the verification queue."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.libraries.models import Library
from tpbis.libraries.selectors import library_get_for_user
from tpbis.reports.audit import audit_for
from tpbis.reports.display import Figure, key_figures, record_title, value_text
from tpbis.reports.forms import FORMS, RecordFilterForm, RecordForm, ReturnForm
from tpbis.reports.models import Photo, Replication, StagedPhoto, Status
from tpbis.reports.photos import (
    photos_check_count,
    photos_for,
    photos_prepare,
    photos_stage,
    staged_photos_discard,
    staged_photos_owned,
)
from tpbis.reports.queue_notes import queue_row_annotations
from tpbis.reports.rules import likely_duplicates, photo_limits
from tpbis.reports.selectors import (
    MONTHLY,
    RecordFilters,
    can_verify,
    record_get_for_user,
    record_list_for_user,
    record_model,
    record_role,
    status_counts,
    verification_queue,
)
from tpbis.reports.services import (
    DRAFT_TYPES,
    RecordConflict,
    record_create,
    record_get_by_client_id,
    record_return,
    record_submit,
    record_update,
    record_verify,
    record_withdraw,
    records_verify_bulk,
)

TYPE_LABELS = {
    "pelibatan": gettext_lazy("Pelibatan masyarakat"),
    "advokasi": gettext_lazy("Advokasi"),
    "publikasi": gettext_lazy("Publikasi"),
    "peningkatan": gettext_lazy("Layanan informasi"),
    "pengunjung": gettext_lazy("Pengunjung"),
    "replikasi": gettext_lazy("Replikasi mandiri"),
}
PAGE_SIZE = 30
DRAFT_SAVED = gettext_lazy("Draf tersimpan. Belum dikirim; buka lagi untuk melengkapi dan mengirim.")


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _entry_library(request: HttpRequest) -> Library:
    """The library a new record is for: ?perpustakaan=, else the manager's only library."""
    scope = _scope(request)
    raw = request.GET.get("perpustakaan") or request.POST.get("perpustakaan")
    if raw and raw.isdigit():
        return library_get_for_user(scope=scope, pk=int(raw))
    if len(scope.libraries) == 1:
        return library_get_for_user(scope=scope, pk=next(iter(scope.libraries)))
    raise Http404


def _staged(request: HttpRequest, library: Library | None) -> list[StagedPhoto]:
    """Photos this form attached on an earlier round trip, less those the person ticked to remove.

    Only the user's own, for this library, come back: an id of someone else's photo is ignored.
    """
    if request.method != "POST":
        return []
    kept = staged_photos_owned(user=_user(request), library=library, ids=request.POST.getlist("staged_photos"))
    removing = set(request.POST.getlist("unstage"))
    dropped = [photo for photo in kept if str(photo.pk) in removing]
    if dropped:
        staged_photos_discard(photos=dropped)
    return [photo for photo in kept if photo not in dropped]


def _stage_uploads(
    request: HttpRequest,
    form: RecordForm,
    model: type[Any],
    *,
    library: Library | None,
    staged: list[StagedPhoto],
    existing: int,
    removing: int,
) -> bool:
    """Check, re-encode and keep the photos just chosen, even if the rest of the form has errors.

    Appends them to `staged`; False (with the reason on the form) when any is refused.
    """
    limits = photo_limits(model)
    files = request.FILES.getlist("photos")
    if limits is None or library is None or not files:
        return True
    if "photos" in form.errors:
        return False
    try:
        # Counted before re-encoding, which is the slow part; the service counts again when saving.
        photos_check_count(
            existing=existing + len(staged), removing=removing, adding=len(files), minimum=0, maximum=limits[1]
        )
        prepared = photos_prepare(files=files)
        staged += photos_stage(
            prepared=prepared, user=_user(request), library=library, keep=[photo.pk for photo in staged]
        )
    except ValidationError as error:
        form.add_error("photos", error.messages)
        return False
    return True


def _photos_counted(form: RecordForm, model: type[Any], *, existing: int, removing: int, adding: int) -> bool:
    """The record would end up with an allowed number of photos (a draft may still have none)."""
    limits = photo_limits(model)
    if limits is None:
        return True
    try:
        photos_check_count(
            existing=existing,
            removing=removing,
            adding=adding,
            minimum=0 if form.draft else limits[0],
            maximum=limits[1],
        )
    except ValidationError as error:
        form.add_error("photos", error.messages)
        return False
    return True


def _relax_photos(form: RecordForm, staged: list[StagedPhoto]) -> None:
    # Photos kept from the last round trip count: the file input may stay empty this time.
    if staged and "photos" in form.fields:
        form.fields["photos"].required = False


def _add_errors(form: RecordForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _same_month_record(model: type[Any], library: Library, data: dict[str, Any]) -> Any | None:
    if model not in MONTHLY:
        return None
    return (
        model.objects.filter(library=library, year=data.get("year"), month=data.get("month"))
        .exclude(status=Status.WITHDRAWN)
        .order_by("-pk")
        .first()
    )


def _carried_key(record: Any) -> str:
    return f"reports:typed:{record._meta.label_lower}:{record.pk}"


def _carry_typed(request: HttpRequest, form: RecordForm, record: Any) -> None:
    """What was typed for a month that already has its report, kept for that report's form (once)."""
    typed = {name: request.POST.get(name, "") for name in form.fields if name in type(record).ENTRY_FIELDS}
    request.session[_carried_key(record)] = typed


def _month_from_link(request: HttpRequest) -> dict[str, int]:
    """The month a link asks for (?bulan=11&tahun=2026, e.g. from the work list); ignored when odd."""
    try:
        month, year = int(request.GET.get("bulan", "")), int(request.GET.get("tahun", ""))
    except ValueError:
        return {}
    today = timezone.localdate()
    if not 1 <= month <= 12 or not 2018 <= year <= today.year or (year, month) > (today.year, today.month):
        return {}
    return {"month": month, "year": year}


@login_required
def record_new(request: HttpRequest, record_type: str) -> HttpResponse:
    model = record_model(record_type)
    scope = _scope(request)
    library = None if model is Replication else _entry_library(request)
    if model is Replication and not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    client_id = _client_id(request)
    if request.method == "POST" and (saved := record_get_by_client_id(model=model, client_id=client_id)):
        if saved.status == Status.DRAFT and library is not None and saved.library_id == library.pk:
            # The page a draft was saved from, sent again (a second tap, the back button): it goes on
            # that draft instead of making a second one.
            return _edit(request, record_type, saved)
        # A resend of a submission already saved (double tap, retry on a bad connection).
        return redirect("reports:detail", record_type=record_type, pk=saved.pk)
    is_draft = request.POST.get("draft") == "1" and model in DRAFT_TYPES
    form = FORMS[model](request.POST if request.method == "POST" else None, request.FILES or None, draft=is_draft)
    if request.method != "POST" and model in MONTHLY:
        form.initial.update(_month_from_link(request))
    staged = _staged(request, library)
    _relax_photos(form, staged)
    duplicates: list[Any] = []
    if request.method == "POST":
        valid = form.is_valid()
        photos_ok = _stage_uploads(request, form, model, library=library, staged=staged, existing=0, removing=0)
        if valid and photos_ok:
            data = form.entry_data()
            if model is Replication and not Scope.at_least(
                scope.role_for_region(data["region"].code), Role.FACILITATOR
            ):
                form.add_error("region", _("Wilayah ini di luar wilayah kerja Anda."))
            elif library is not None and (existing := _same_month_record(model, library, data)) is not None:
                _carry_typed(request, form, existing)
                messages.info(
                    request,
                    _(
                        "Laporan bulan ini sudah ada. Angka yang Anda ketik sudah dipindahkan ke laporan itu: "
                        "periksa lalu simpan."
                    ),
                )
                return redirect("reports:edit", record_type=record_type, pk=existing.pk)
            else:
                probe = model(**{k: v for k, v in data.items() if k in model.ENTRY_FIELDS})
                if library is not None:
                    probe.library = library
                # A draft is not a report yet: the likely-duplicate question waits until it is sent.
                duplicates = likely_duplicates(probe) if library is not None and not is_draft else []
                if duplicates and not form.cleaned_data.get("confirm_duplicate"):
                    form.add_error(None, _("Sepertinya laporan ini sudah pernah diisi. Periksa daftar di bawah."))
                elif _photos_counted(form, model, existing=0, removing=0, adding=len(staged)):
                    try:
                        record, created = record_create(
                            model=model,
                            user=_user(request),
                            data=data,
                            library=library,
                            client_id=client_id,
                            staged=staged,
                            submit=not is_draft,
                        )
                    except ValidationError as error:
                        _add_errors(form, error)
                    else:
                        if is_draft:
                            messages.success(request, DRAFT_SAVED)
                            return redirect("libraries:detail", pk=record.library_id)
                        if created:
                            messages.success(request, _("Laporan tersimpan. Terima kasih!"))
                        return redirect("reports:detail", record_type=record_type, pk=record.pk)
    return render(
        request,
        "reports/form.html",
        {
            "form": form,
            "record_type": record_type,
            "type_label": TYPE_LABELS[record_type],
            "library": library,
            "client_id": client_id,
            "duplicates": duplicates,
            "record": None,
            "staged": staged,
            "can_draft": model in DRAFT_TYPES,
        },
    )


def _client_id(request: HttpRequest) -> uuid.UUID:
    """The id the page generated for this submission, so a double tap or resend saves once."""
    raw = request.POST.get("client_id", "")
    try:
        return uuid.UUID(raw)
    except ValueError:
        return uuid.uuid4()


def _get_record(request: HttpRequest, record_type: str, pk: int) -> tuple[Any, str | None]:
    model = record_model(record_type)
    scope = _scope(request)
    record = record_get_for_user(model=model, scope=scope, pk=pk)
    return record, record_role(record=record, scope=scope)


@login_required
def record_detail(request: HttpRequest, record_type: str, pk: int) -> HttpResponse:
    record, role = _get_record(request, record_type, pk)
    model = type(record)
    user = _user(request)
    fields = [
        (model._meta.get_field(name).verbose_name, value_text(model, name, getattr(record, name)))
        for name in model.ENTRY_FIELDS
    ]
    is_own = record.entered_by_id == user.pk
    return render(
        request,
        "reports/detail.html",
        {
            "record": record,
            "record_type": record_type,
            "type_label": TYPE_LABELS[record_type],
            "fields": fields,
            "photos": photos_for(record) if model is not Replication else [],
            "external_photos": [u for u in getattr(record, "external_attachments", "").split(",") if u],
            "audit": _history(record),
            "can_edit": record.status != Status.WITHDRAWN,
            "can_verify": can_verify(role=role)
            and not is_own
            and record.last_edited_by_id != user.pk
            and record.status == Status.SUBMITTED,
            "can_return": can_verify(role=role) and not is_own and record.status in (Status.SUBMITTED, Status.VERIFIED),
            # A draft is sent from its form, where every check can point at the field concerned.
            "can_submit": record.status == Status.RETURNED,
            "is_draft": record.status == Status.DRAFT,
            "can_withdraw": record.status != Status.WITHDRAWN,
            "return_form": ReturnForm(),
        },
    )


def _history(record: Any) -> list[tuple[Any, list[tuple[str, Any, Any]]]]:
    """The audit trail with field labels and status names as people read them, not column names."""
    labels = {name: capfirst(record._meta.get_field(name).verbose_name) for name in type(record).ENTRY_FIELDS}
    labels |= {"status": _("Status"), "photos": _("Jumlah foto"), "photos_removed": _("Foto")}
    model = type(record)
    rows = []
    for entry in audit_for(record):
        changes = []
        for name, (old, new) in entry.changes.items():
            if name == "photos_removed":
                # "Foto: Foto 2, Foto 3 → dihapus", numbered as the record's page showed them then.
                old = ", ".join(_("Foto %(n)s") % {"n": number} for number in old)
                new = _("dihapus")
            else:
                old, new = value_text(model, name, old), value_text(model, name, new)
            changes.append((labels.get(name, name), old, new))
        rows.append((entry, changes))
    return rows


@login_required
def record_edit(request: HttpRequest, record_type: str, pk: int) -> HttpResponse:
    record, _role = _get_record(request, record_type, pk)
    return _edit(request, record_type, record)


def _edit(request: HttpRequest, record_type: str, record: Any) -> HttpResponse:
    """Correct a record, or go on with a draft: save it again as a draft, or send it (every check)."""
    model = type(record)
    if record.status == Status.WITHDRAWN:
        raise PermissionDenied
    is_draft_record = record.status == Status.DRAFT
    saving_draft = is_draft_record and request.POST.get("draft") == "1"
    sending = is_draft_record and request.method == "POST" and not saving_draft
    # Numbers typed into a new form for this record's month come back here instead of being lost.
    carried = request.session.pop(_carried_key(record), None) if request.method != "POST" else None
    form = FORMS[model](
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        instance=record,
        draft=saving_draft,
        initial=carried or None,
    )
    if "confirm_duplicate" in form.fields and not is_draft_record:
        del form.fields["confirm_duplicate"]
    library = getattr(record, "library", None)
    staged = _staged(request, library)
    _relax_photos(form, staged)
    seen = _seen(request) or record.updated_at
    existing_photos = photos_for(record).count() if model is not Replication else 0
    duplicates: list[Any] = []
    if request.method == "POST":
        valid = form.is_valid()
        remove_photos = form.cleaned_data.get("remove_photos") or []
        photos_ok = _stage_uploads(
            request, form, model, library=library, staged=staged, existing=existing_photos, removing=len(remove_photos)
        )
        # Counted even when other fields are wrong, so that sending a draft lists everything missing at once.
        counted = photos_ok and _photos_counted(
            form, model, existing=existing_photos, removing=len(remove_photos), adding=len(staged)
        )
        if valid and counted:
            data = form.entry_data()
            # The form filled the record in with what was typed: the check sees the draft as it would be sent.
            duplicates = likely_duplicates(form.instance) if sending else []
            if duplicates and not form.cleaned_data.get("confirm_duplicate"):
                form.add_error(None, _("Sepertinya laporan ini sudah pernah diisi. Periksa daftar di bawah."))
            else:
                try:
                    # Re-read so that the diff in the audit trail compares with what was saved.
                    fresh = model.objects.get(pk=record.pk)
                    changes = record_update(
                        record=fresh,
                        user=_user(request),
                        data=data,
                        staged=staged,
                        remove_photos=remove_photos,
                        seen=_seen(request),
                        draft=saving_draft,
                        send=sending,
                    )
                except RecordConflict as error:
                    # Somebody acted on the record since this form was opened: keep what was typed, say who,
                    # and let a second save (now against the new version) go through.
                    form.add_error(None, [*error.messages, _("Isian Anda belum disimpan: periksa lalu simpan lagi.")])
                    seen = fresh.updated_at
                    record = fresh
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    return _edited(request, record_type, fresh, changes, saving_draft=saving_draft, sending=sending)
    return render(
        request,
        "reports/form.html",
        {
            "form": form,
            "record_type": record_type,
            "type_label": TYPE_LABELS[record_type],
            "library": library,
            "record": record,
            "client_id": record.client_id,
            "duplicates": duplicates,
            "photos_existing": existing_photos,
            "seen": seen.isoformat(),
            "staged": staged,
            "can_draft": record.status == Status.DRAFT,
        },
    )


def _edited(
    request: HttpRequest, record_type: str, record: Any, changes: dict[str, Any], *, saving_draft: bool, sending: bool
) -> HttpResponse:
    if saving_draft:
        messages.success(request, DRAFT_SAVED)
        return redirect("libraries:detail", pk=record.library_id)
    if sending:
        messages.success(request, _("Laporan dikirim untuk diverifikasi."))
    elif changes:
        messages.success(request, _("Perubahan disimpan dan dikirim untuk diverifikasi."))
    else:
        messages.info(request, _("Tidak ada yang berubah."))
    return redirect("reports:detail", record_type=record_type, pk=record.pk)


def _seen(request: HttpRequest) -> dt.datetime | None:
    """The version (`updated_at`) of the record the person's page showed, sent back by its forms."""
    raw = request.POST.get("seen", "")
    try:
        return dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@require_POST
@login_required
def record_action(request: HttpRequest, record_type: str, pk: int, action: str) -> HttpResponse:
    record, role = _get_record(request, record_type, pk)
    user = _user(request)
    if action in {"verify", "return"} and not can_verify(role=role):
        raise PermissionDenied
    seen = _seen(request)
    try:
        if action == "verify":
            record_verify(record=record, user=user, seen=seen)
            messages.success(request, _("Laporan diverifikasi."))
        elif action == "return":
            record_return(record=record, user=user, comment=request.POST.get("comment", ""), seen=seen)
            messages.success(request, _("Laporan dikembalikan ke perpustakaan dengan catatan Anda."))
        elif action == "submit":
            record_submit(record=record, user=user, seen=seen)
            messages.success(request, _("Laporan dikirim untuk diverifikasi."))
        elif action == "withdraw":
            record_withdraw(record=record, user=user, comment=request.POST.get("comment", ""), seen=seen)
            messages.success(request, _("Laporan ditarik. Riwayatnya tetap tersimpan."))
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("reports:detail", record_type=record_type, pk=record.pk)


@login_required
def record_list(request: HttpRequest, record_type: str = "pelibatan") -> HttpResponse:
    model = record_model(record_type)
    scope = _scope(request)
    if scope.is_empty:
        raise PermissionDenied
    library = None
    raw_library = request.GET.get("perpustakaan", "")
    if raw_library.isdigit():
        library = library_get_for_user(scope=scope, pk=int(raw_library))
    form = RecordFilterForm(request.GET or None)
    filters = form.filters(library_id=library.pk if library else None)
    if filters.region and not scope.covers_region(filters.region):
        raise Http404
    qs: QuerySet[Any] = record_list_for_user(model=model, scope=scope, filters=filters)
    counts = status_counts(
        qs=record_list_for_user(model=model, scope=scope, filters=RecordFilters(**{**filters.__dict__, "status": None}))
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/list.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "record_type": record_type,
            "type_label": TYPE_LABELS[record_type],
            "types": TYPE_LABELS,
            "library": library,
            "query": query.urlencode(),
            "monthly": model in MONTHLY,
            "statuses": Status,
        },
    )


@login_required
def queue(request: HttpRequest, record_type: str = "pelibatan") -> HttpResponse:
    scope = _scope(request)
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    model = record_model(record_type)
    qs = verification_queue(model=model, scope=scope, user_id=_user(request).pk)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = {
        name: verification_queue(model=record_model(name), scope=scope, user_id=_user(request).pk).count()
        for name in TYPE_LABELS
    }
    return render(
        request,
        "reports/queue.html",
        {
            "page": page,
            "record_type": record_type,
            "type_label": TYPE_LABELS[record_type],
            "types": TYPE_LABELS,
            "totals": totals,
            "return_form": ReturnForm(),
            "rows": _queue_rows(list(page), str(TYPE_LABELS[record_type])),
            "notes_by_record": queue_row_annotations(list(page)),
        },
    )


@dataclass(frozen=True)
class QueueRow:
    """A record in the verification queue with what a verifier checks without opening it."""

    record: Any
    title: str
    figures: list[Figure]
    photos: list[Any]


def _queue_rows(records: list[Any], type_label: str) -> list[QueueRow]:
    photos = _photos_by_record(records)
    return [
        QueueRow(record, record_title(record, type_label), key_figures(record), photos.get(record.pk, []))
        for record in records
    ]


def _photos_by_record(records: list[Any]) -> dict[int, list[Any]]:
    if not records or isinstance(records[0], Replication):
        return {}
    content_type = ContentType.objects.get_for_model(records[0])
    photos: dict[int, list[Any]] = {}
    for photo in Photo.objects.filter(content_type=content_type, object_id__in=[r.pk for r in records]):
        photos.setdefault(photo.object_id, []).append(photo)
    return photos


@require_POST
@login_required
def queue_bulk_verify(request: HttpRequest, record_type: str) -> HttpResponse:
    scope = _scope(request)
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    model = record_model(record_type)
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    records = list(verification_queue(model=model, scope=scope, user_id=_user(request).pk).filter(pk__in=ids))
    verified, skipped = records_verify_bulk(records=records, user=_user(request))
    messages.success(request, _("%(n)s laporan diverifikasi.") % {"n": verified})
    if skipped or len(records) < len(ids):
        messages.warning(
            request,
            _("%(n)s laporan dilewati (bukan antrean Anda atau sudah diproses).")
            % {"n": skipped + len(ids) - len(records)},
        )
    return redirect(reverse("reports:queue_type", args=[record_type]))
