"""Record entry through the REST API, with exactly the checks of the web entry form.

The JSON body is bound to the very form the web page uses (vocabularies, required fields, link
format, participants arithmetic), then the same rules and services run: the same-month check, the
likely-duplicate confirmation, the photo count, `record_create` with its idempotent client id.

An offline phone may send the same entry many times (issue 15): an identical resend gets the saved
record, the same client id with other content a 409, and an edit based on an old version a 409 too.
An entry queued from a web form that came back with an error names the photos the form kept on the
server (`staged_photos`); only the sender's own, still kept, are accepted.

Drafts (`submit: false`) are checked as the web form checks *Simpan sebagai draf*: what is filled in must
be well formed, nothing is required, no photo either; a draft is sent (`submit: true` on its update) with
every check of a record sent. A create under the client id of a draft goes on with that draft (the phone
that saved it never heard its id), as the web form does.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.http import Http404
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.libraries.models import Library
from tpbis.reports.forms import FORMS, RecordForm
from tpbis.reports.models import Photo, Replication, StagedPhoto, Status
from tpbis.reports.photos import (
    MAX_PHOTO_BYTES,
    MediaUnavailable,
    PreparedPhoto,
    photos_check_count,
    photos_check_removable,
    photos_for,
    photos_prepare,
    staged_photos_owned,
)
from tpbis.reports.rules import likely_duplicates, photo_limits
from tpbis.reports.selectors import MONTHLY, record_get_for_user
from tpbis.reports.services import (
    DRAFT_TYPES,
    RecordConflict,
    record_create,
    record_get_by_client_id,
    record_photo_count,
    record_update,
)


@dataclass
class EntryRefused(Exception):
    """The body breaks a rule; `errors` maps field names ("__all__" for the whole) to messages.

    `code` tells a program which refusal it is (the phone's queue acts on it); `current` and `yours` are
    the record as stored and what was sent, on a stale edit.
    """

    message: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    status: int = 422
    duplicates: list[int] = field(default_factory=list)
    existing_id: int | None = None
    code: str = "invalid"
    current: dict[str, Any] | None = None
    yours: dict[str, Any] | None = None


def _form_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, Decimal | int | float):
        return str(value)
    return value


def _form_data(payload: dict[str, Any]) -> MultiValueDict[str, Any]:
    data: MultiValueDict[str, Any] = MultiValueDict()
    for name, value in payload.items():
        if value is None:
            continue
        if isinstance(value, list):
            data.setlist(name, [_form_value(v) for v in value])
        else:
            data[name] = _form_value(value)
    return data


def _form_errors(form: RecordForm) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()}


def _refuse_invalid(errors: dict[str, list[str]]) -> EntryRefused:
    return EntryRefused(_("Data tidak valid. Periksa kolom yang ditandai."), errors)


def _validation_refusal(error: ValidationError) -> EntryRefused:
    if isinstance(error, MediaUnavailable):
        # Not the sender's fault: 503 tells an offline client to keep the record and send it again.
        messages = [str(m) for m in error.messages]
        return EntryRefused(" ".join(messages), {"photos": messages}, status=503, code="unavailable")
    if hasattr(error, "error_dict"):
        return _refuse_invalid({k: [str(m) for m in v] for k, v in error.message_dict.items()})
    return _refuse_invalid({"__all__": [str(m) for m in error.messages]})


def _bound_form(model: type[Any], payload: dict[str, Any], instance: Any = None, *, draft: bool = False) -> RecordForm:
    """The web form bound to the body; `draft` as for *Simpan sebagai draf* (nothing required)."""
    ignored = {"photos", "staged_photos", "remove_photos", "client_id", "library_id", "submit", "version"}
    fields = {k: v for k, v in payload.items() if k not in ignored}
    form = FORMS[model](data=_form_data(fields), instance=instance, draft=draft)
    # A correction is not asked about likely duplicates; a draft is, when it is sent (as on the web).
    if instance is not None and instance.status != Status.DRAFT and "confirm_duplicate" in form.fields:
        del form.fields["confirm_duplicate"]
    if not form.is_valid():
        raise _refuse_invalid(_form_errors(form))
    return form


def _decode_photos(encoded: list[str]) -> list[SimpleUploadedFile]:
    files = []
    for number, text in enumerate(encoded, start=1):
        data = text.rpartition(",")[2]  # a data: URL or bare base64
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise _refuse_invalid({"photos": [_("Foto %(n)s bukan base64 yang sah.") % {"n": number}]}) from None
        if len(raw) > MAX_PHOTO_BYTES:
            raise _refuse_invalid({"photos": [_("Foto %(n)s terlalu besar.") % {"n": number}]})
        files.append(SimpleUploadedFile(f"foto-{number}.jpg", raw))
    return files


def _decoded(encoded: list[str]) -> list[PreparedPhoto]:
    """The photos sent, checked and re-encoded as the record would store them."""
    try:
        return photos_prepare(files=_decode_photos(encoded))
    except ValidationError as error:
        raise _refuse_invalid({"photos": [str(m) for m in error.messages]}) from error


def _prepared_photos(
    model: type[Any],
    encoded: list[str],
    existing: int,
    removing: int = 0,
    kept: int = 0,
    *,
    draft: bool = False,
    prepared: list[PreparedPhoto] | None = None,
) -> list[PreparedPhoto]:
    """The photos sent, checked and re-encoded; `kept` counts the form's kept photos added with them.

    A draft may still have none (as on the web form); it may not hold more than a record can. `prepared`
    are photos already re-encoded, added instead of `encoded`.
    """
    limits = photo_limits(model)
    adding = len(prepared if prepared is not None else encoded) + kept
    if limits is None:
        if adding:
            raise _refuse_invalid({"photos": [_("Laporan jenis ini tidak memakai foto.")]})
        return []
    try:
        photos_check_count(
            existing=existing, removing=removing, adding=adding, minimum=0 if draft else limits[0], maximum=limits[1]
        )
    except ValidationError as error:
        raise _refuse_invalid({"photos": [str(m) for m in error.messages]}) from error
    return prepared if prepared is not None else _decoded(encoded)


def _photos_held(record: Any, sent: list[PreparedPhoto]) -> tuple[list[PreparedPhoto], list[int]]:
    """Of the photos sent, those the record does not hold yet; and the ids of its photos none of them is.

    A photo sent again is re-encoded to the very same bytes, so it is told by its stored file: the phone
    keeps no id of a photo whose answer it never got.
    """
    stored = list(photos_for(record))
    try:
        files = [_file_digest(photo) for photo in stored]
    except OSError as error:
        message = _("Foto laporan ini tidak dapat dibaca karena penyimpanan sedang bermasalah. Coba kirim lagi nanti.")
        raise _validation_refusal(MediaUnavailable({"photos": message})) from error
    unmatched = dict(zip((photo.pk for photo in stored), files, strict=True))
    new = []
    for photo in sent:
        digest = hashlib.sha256(photo.image).hexdigest()
        match = next((pk for pk, held in unmatched.items() if held == digest), None)
        if match is None:
            new.append(photo)
        else:
            del unmatched[match]
    return new, list(unmatched)


def _file_digest(photo: Photo) -> str:
    with photo.image.open("rb") as stored:
        return hashlib.sha256(stored.read()).hexdigest()


def _kept_photos(*, user: User, library: Library | None, ids: list[int]) -> list[StagedPhoto]:
    """The photos a web form kept from an earlier round trip that this entry names, every one or a refusal.

    Someone else's, another library's, an expired one or one already used by a record get the same answer,
    which says nothing of whose it is. Dropping it quietly would save the record without a photo the person
    saw attached.
    """
    if not ids:
        return []
    kept = staged_photos_owned(user=user, library=library, ids=ids)
    if len(kept) != len(set(ids)):
        raise _refuse_invalid({"photos": [_("Foto yang dilampirkan tadi sudah tidak tersedia. Lampirkan lagi.")]})
    return kept


def _same_month_record(model: type[Any], library: Library, data: dict[str, Any]) -> Any | None:
    if model not in MONTHLY:
        return None
    return (
        model.objects.filter(library=library, year=data.get("year"), month=data.get("month"))
        .exclude(status=Status.WITHDRAWN)
        .order_by("-pk")
        .first()
    )


def _plain(value: Any) -> Any:
    """A value of the form's cleaned data as JSON can hold it, the same for the same input."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def entry_digest(
    *,
    library: Library | None,
    data: dict[str, Any],
    photos: list[str],
    staged: list[int] | None = None,
    draft: bool = False,
) -> str:
    """Fingerprint of one submission: its library, its entry fields as the form cleaned them, its photos.

    The photos are stored re-encoded, so their payloads as sent are part of the fingerprint rather than
    anything that can be read back from the record; so are the ids of the kept photos it names (gone once
    the record took them, so a resend cannot be checked against them otherwise).
    """
    entry = {name: _plain(value) for name, value in data.items()}
    fingerprint: dict[str, Any] = {"library": library.pk if library else None, "entry": entry}
    if staged:
        # Only when there are some: the fingerprints kept before kept photos travelled stay the same.
        fingerprint["staged"] = [int(pk) for pk in staged]
    if draft:
        # Likewise only for a draft: saved as a draft and sent are two different submissions.
        fingerprint["draft"] = True
    digest = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode())
    for photo in photos:
        digest.update(hashlib.sha256(photo.rpartition(",")[2].encode()).digest())
    return digest.hexdigest()


def _foreign_client_id() -> EntryRefused:
    # Says nothing of the record that holds the id: it may belong to a library the sender cannot see.
    message = _("Kode kiriman ini sudah dipakai untuk laporan lain. Simpan entri ini sebagai entri baru.")
    return EntryRefused(message, {"client_id": [message]}, status=409, code="client_id_conflict")


def _check_reachable(saved: Any, *, scope: Scope, library: Library | None) -> None:
    """The record already holding the client id is one the sender may see, of the library they send for."""
    try:
        record_get_for_user(model=type(saved), scope=scope, pk=saved.pk)
    except Http404:
        raise _foreign_client_id() from None
    if library is not None and saved.library_id != library.pk:
        raise _foreign_client_id()


def _resent(saved: Any, *, scope: Scope, library: Library | None, digest: str) -> Any:
    """The saved record when this is the same submission again; a 409 when the id now carries other content."""
    _check_reachable(saved, scope=scope, library=library)
    # Saved before fingerprints were kept (or by the web form): a resend is taken as identical, as before.
    if saved.client_digest and saved.client_digest != digest:
        message = _(
            "Kode kiriman ini sudah dipakai untuk laporan dengan isi berbeda. Laporan yang tersimpan tidak "
            "diubah; buka laporan itu untuk memperbaikinya, atau simpan entri ini sebagai entri baru."
        )
        raise EntryRefused(
            message, {"client_id": [message]}, status=409, code="client_id_conflict", existing_id=saved.pk
        )
    return saved


def api_record_create(
    *,
    model: type[Any],
    user: User,
    scope: Scope,
    library: Library | None,
    payload: dict[str, Any],
) -> tuple[Any, bool]:
    """Create a record as the web form would; returns (record, created). Raises EntryRefused."""
    client_id: uuid.UUID | None = payload.get("client_id")
    saved = record_get_by_client_id(model=model, client_id=client_id) if client_id is not None else None
    if saved is not None:
        _check_reachable(saved, scope=scope, library=library)
    # As the web form: "Simpan sebagai draf" only for the types that have drafts.
    draft = payload.get("submit") is False and model in DRAFT_TYPES
    form = _bound_form(model, payload, draft=draft)
    data = form.entry_data()
    encoded = list(payload.get("photos") or [])
    staged_ids = list(payload.get("staged_photos") or [])
    digest = (
        entry_digest(library=library, data=data, photos=encoded, staged=staged_ids, draft=draft)
        if client_id is not None
        else ""
    )
    if saved is not None:
        if saved.status == Status.DRAFT and saved.client_digest != digest:
            saved = _continue_draft(saved, user=user, payload=payload, digest=digest)
        # A resend of a submission already saved: the same answer, nothing new, none of the checks below
        # (the saved record itself would be its own "report of the month" or "likely duplicate").
        return _resent(saved, scope=scope, library=library, digest=digest), False
    if model is Replication:
        if not Scope.at_least(scope.role_for_region(data["region"].code), Role.FACILITATOR):
            raise _refuse_invalid({"region": [_("Wilayah ini di luar wilayah kerja Anda.")]})
    elif library is not None and (existing := _same_month_record(model, library, data)) is not None:
        raise EntryRefused(
            _("Laporan bulan ini sudah ada. Silakan perbarui laporan yang sudah ada."),
            {"month": [_("Laporan bulan ini sudah ada.")]},
            status=409,
            existing_id=existing.pk,
            code="month_exists",
        )
    if library is not None and not draft:
        # A draft is not a report yet: the likely-duplicate question waits until it is sent.
        probe = model(**{k: v for k, v in data.items() if k in model.ENTRY_FIELDS})
        probe.library = library
        _ask_about_duplicates(form, probe)
    # Only now: a resend (above) names kept photos its first copy already took.
    staged = _kept_photos(user=user, library=library, ids=staged_ids)
    photos = _prepared_photos(model, encoded, existing=0, kept=len(staged), draft=draft)
    try:
        record, created = record_create(
            model=model,
            user=user,
            data=data,
            library=library,
            client_id=client_id,
            photos=photos,
            staged=staged,
            submit=bool(payload.get("submit", True)),
            client_digest=digest,
        )
    except ValidationError as error:
        raced = record_get_by_client_id(model=model, client_id=client_id) if client_id is not None else None
        if raced is None:
            raise _validation_refusal(error) from error
        record, created = raced, False
    if not created:
        # Another copy of this submission (a second tab, a retry) was saved while this one was checked.
        return _resent(record, scope=scope, library=library, digest=digest), False
    return record, True


def _continue_draft(draft: Any, *, user: User, payload: dict[str, Any], digest: str) -> Any:
    """Go on with the draft saved under this client id, as the web form does with a draft's page sent again.

    The phone queued "Simpan sebagai draf", the draft was saved but the answer lost, and the entry was
    continued on the phone under the same id (saved again or sent): it is the whole entry, so the draft
    takes its fields and ends up with its photos, not a second copy of them. The caller checked the draft
    is within the sender's reach, of the library sent for. Returns the record as stored afterwards.
    """
    model = type(draft)
    sent = _decoded(list(payload.get("photos") or []))  # the slow part, before the lock
    with transaction.atomic():
        # Under the lock: a copy of this entry sent at the same moment may have gone on with it first; it is
        # then no longer a draft, or already says this, and the caller answers as to any resend.
        locked = model.objects.select_for_update().filter(pk=draft.pk).first()
        if locked is not None and locked.status == Status.DRAFT and locked.client_digest != digest:
            adding, removing, staged = _entry_photos(locked, user=user, sent=sent, named=payload.get("staged_photos"))
            # A create sends unless told otherwise; a correction keeps a draft unless told otherwise.
            submit = bool(payload.get("submit", True))
            fields = {**payload, "remove_photos": removing, "staged_photos": staged, "submit": submit}
            _correct(record=locked, user=user, payload=fields, photos=adding)
            model.objects.filter(pk=draft.pk).update(client_digest=digest)
    return model.objects.filter(pk=draft.pk).first() or draft


def _entry_photos(
    draft: Any, *, user: User, sent: list[PreparedPhoto], named: list[int] | None
) -> tuple[list[PreparedPhoto], list[int], list[int]]:
    """What a continued entry does to the draft's photos: (photos to add, ids to remove, kept photos to take).

    The draft ends up with the entry's photos. Kept photos no longer kept went into the draft when it was
    saved, after the photos sent with them: its last ones that none sent now is. Any other photo is no longer
    the entry's (replaced on the phone) and goes.
    """
    adding, others = _photos_held(draft, sent)
    ids = list(dict.fromkeys(named or []))
    kept = [photo.pk for photo in staged_photos_owned(user=user, library=draft.library, ids=ids)]
    taken = len(ids) - len(kept)
    if taken > len(others):
        return adding, [], ids  # more than the draft can have taken: refused as any kept photo gone
    return adding, others[: len(others) - taken], kept


def version_of(record: Any) -> str:
    """The version a client sends back with an edit: the moment the record was last changed."""
    return str(record.updated_at.isoformat())


def _seen(version: str) -> dt.datetime:
    seen: dt.datetime | None
    try:
        seen = dt.datetime.fromisoformat(version)
    except ValueError:
        seen = None
    if seen is None or seen.tzinfo is None:
        message = _("Versi laporan tidak dikenal. Muat ulang laporan lalu ubah lagi.")
        raise EntryRefused(message, {"version": [message]})
    return seen


def _stale(payload: dict[str, Any], conflict: RecordConflict | None = None) -> EntryRefused:
    """Refusal of an edit based on a version that is no longer the record's; the caller adds `current`."""
    said = " ".join(str(m) for m in conflict.messages) if conflict else ""
    message = _(
        "Laporan ini sudah berubah sejak Anda membukanya (diverifikasi, dikembalikan atau diubah orang lain). "
        "Perubahan Anda belum disimpan: bandingkan kedua versi lalu kirim lagi."
    )
    yours = {k: v for k, v in payload.items() if k != "photos"}
    yours["photos_sent"] = len(payload.get("photos") or [])
    return EntryRefused(
        f"{said} {message}".strip(), {"version": [message]}, status=409, code="stale_version", yours=yours
    )


def _ask_about_duplicates(form: RecordForm, record: Any) -> None:
    """A report that looks like one already entered (a new one, or a draft being sent) is refused with the
    likely duplicates unless the sender confirmed it differs, as the web form asks."""
    duplicates = likely_duplicates(record)
    if duplicates and not form.cleaned_data.get("confirm_duplicate"):
        raise EntryRefused(
            _("Sepertinya laporan ini sudah pernah diisi. Kirim lagi dengan confirm_duplicate=true jika berbeda."),
            {"__all__": [_("Sepertinya laporan ini sudah pernah diisi.")]},
            status=409,
            duplicates=[d.pk for d in duplicates],
            code="duplicate_suspected",
        )


def _draft_action(record: Any, payload: dict[str, Any]) -> tuple[bool, bool]:
    """(save as draft, send) for a correction: only a draft is either, as on its web form."""
    if record.status != Status.DRAFT:
        return False, False
    sending = bool(payload.get("submit"))
    return not sending, sending


def _already_applied(record: Any, payload: dict[str, Any]) -> bool:
    """The record already says what this correction says: a resend of an edit whose answer was lost.

    Its photos too: those it adds are the record's (the same files once re-encoded), those it removes are
    gone. Not with kept photos, which leave no trace to compare once the record took them; and a draft
    still a draft has not been sent by an earlier copy of a correction that sends it.
    """
    if (
        payload.get("staged_photos")
        or record.status == Status.WITHDRAWN
        or (record.status == Status.DRAFT and payload.get("submit"))
    ):
        return False
    saving_draft, _sending = _draft_action(record, payload)
    try:
        stored = type(record).objects.get(pk=record.pk)
        data = _bound_form(type(record), payload, instance=stored, draft=saving_draft).entry_data()
    except EntryRefused:
        return False
    if any(getattr(record, name) != value for name, value in data.items() if name in type(record).ENTRY_FIELDS):
        return False
    return _photos_applied(record, payload)


def _photos_applied(record: Any, payload: dict[str, Any]) -> bool:
    encoded = list(payload.get("photos") or [])
    removing = set(payload.get("remove_photos") or [])
    if not encoded and not removing:
        return True
    if removing & set(photos_for(record).values_list("pk", flat=True)):
        return False
    try:
        adding, _others = _photos_held(record, _decoded(encoded))
    except EntryRefused:
        return False
    return not adding


def api_record_update(*, record: Any, user: User, payload: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply a correction as the web edit form would. Raises EntryRefused.

    With `version` the correction is conditional on it: a record changed since (verified, returned, edited)
    is left as it is (409 stale_version). Without it the correction applies to whatever is stored.
    """
    version = payload.get("version")
    seen = _seen(version) if version else None
    if seen is not None and record.updated_at != seen:
        if _already_applied(record, payload):
            return {}
        raise _stale(payload)  # before the slow part; checked again under the row lock when saving
    return _correct(record=record, user=user, payload=payload, seen=seen)


def _correct(
    *,
    record: Any,
    user: User,
    payload: dict[str, Any],
    seen: dt.datetime | None = None,
    photos: list[PreparedPhoto] | None = None,
) -> dict[str, list[Any]]:
    """The correction itself, from the current version or `seen`; `photos` already re-encoded replace those
    in the body."""
    model = type(record)
    if record.status == Status.WITHDRAWN:
        raise EntryRefused(_("Laporan yang sudah ditarik tidak bisa diubah."), status=403, code="withdrawn")
    # A draft is saved again as a draft, or sent (every check); the service checks under the row lock
    # that it is still a draft.
    saving_draft, sending = _draft_action(record, payload)
    form = _bound_form(model, payload, instance=model.objects.get(pk=record.pk), draft=saving_draft)
    if sending:
        _ask_about_duplicates(form, form.instance)
    existing = record_photo_count(record) if model is not Replication else 0
    remove_photos = sorted(set(payload.get("remove_photos") or []))
    try:
        # Checked before the photos are decoded, the slow part; the service checks again when saving.
        photos_check_removable(record=record, photo_ids=remove_photos)
    except ValidationError as error:
        raise _validation_refusal(error) from error
    staged = _kept_photos(
        user=user, library=getattr(record, "library", None), ids=list(payload.get("staged_photos") or [])
    )
    prepared = _prepared_photos(
        model,
        list(payload.get("photos") or []),
        existing=existing,
        removing=len(remove_photos),
        kept=len(staged),
        draft=saving_draft,
        prepared=photos,
    )
    try:
        # Re-read so that the diff in the audit trail compares with what was saved.
        return record_update(
            record=model.objects.get(pk=record.pk),
            user=user,
            data=form.entry_data(),
            photos=prepared,
            staged=staged,
            remove_photos=remove_photos,
            seen=seen,
            draft=saving_draft,
            send=sending,
        )
    except RecordConflict as conflict:
        if seen is None:
            raise
        raise _stale(payload, conflict) from conflict
    except ValidationError as error:
        raise _validation_refusal(error) from error
