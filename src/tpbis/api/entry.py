"""Record entry through the REST API, with exactly the checks of the web entry form.

The JSON body is bound to the very form the web page uses (vocabularies, required fields, link
format, participants arithmetic), then the same rules and services run: the same-month check, the
likely-duplicate confirmation, the photo count, `record_create` with its idempotent client id.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.libraries.models import Library
from tpbis.reports.forms import FORMS, RecordForm
from tpbis.reports.models import Replication, Status
from tpbis.reports.photos import (
    MAX_PHOTO_BYTES,
    MediaUnavailable,
    PreparedPhoto,
    photos_check_count,
    photos_check_removable,
    photos_prepare,
)
from tpbis.reports.rules import likely_duplicates, photo_limits
from tpbis.reports.selectors import MONTHLY
from tpbis.reports.services import record_create, record_get_by_client_id, record_photo_count, record_update


@dataclass
class EntryRefused(Exception):
    """The body breaks a rule; `errors` maps field names ("__all__" for the whole) to messages."""

    message: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    status: int = 422
    duplicates: list[int] = field(default_factory=list)
    existing_id: int | None = None


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
        return EntryRefused(" ".join(messages), {"photos": messages}, status=503)
    if hasattr(error, "error_dict"):
        return _refuse_invalid({k: [str(m) for m in v] for k, v in error.message_dict.items()})
    return _refuse_invalid({"__all__": [str(m) for m in error.messages]})


def _bound_form(model: type[Any], payload: dict[str, Any], instance: Any = None) -> RecordForm:
    ignored = {"photos", "remove_photos", "client_id", "library_id", "submit"}
    fields = {k: v for k, v in payload.items() if k not in ignored}
    form = FORMS[model](data=_form_data(fields), instance=instance)
    if instance is not None and "confirm_duplicate" in form.fields:
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


def _prepared_photos(model: type[Any], encoded: list[str], existing: int, removing: int = 0) -> list[PreparedPhoto]:
    limits = photo_limits(model)
    if limits is None:
        if encoded:
            raise _refuse_invalid({"photos": [_("Laporan jenis ini tidak memakai foto.")]})
        return []
    try:
        photos_check_count(
            existing=existing, removing=removing, adding=len(encoded), minimum=limits[0], maximum=limits[1]
        )
        return photos_prepare(files=_decode_photos(encoded))
    except ValidationError as error:
        raise _refuse_invalid({"photos": [str(m) for m in error.messages]}) from error


def _same_month_record(model: type[Any], library: Library, data: dict[str, Any]) -> Any | None:
    if model not in MONTHLY:
        return None
    return (
        model.objects.filter(library=library, year=data.get("year"), month=data.get("month"))
        .exclude(status=Status.WITHDRAWN)
        .order_by("-pk")
        .first()
    )


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
    if client_id is not None and (saved := record_get_by_client_id(model=model, client_id=client_id)):
        # A resend of a submission already saved: same answer, nothing new.
        owner_ok = saved.library_id == library.pk if library is not None else True
        if not owner_ok:
            raise _refuse_invalid({"client_id": [_("Kode kiriman ini sudah dipakai untuk laporan lain.")]})
        return saved, False
    form = _bound_form(model, payload)
    data = form.entry_data()
    if model is Replication:
        if not Scope.at_least(scope.role_for_region(data["region"].code), Role.FACILITATOR):
            raise _refuse_invalid({"region": [_("Wilayah ini di luar wilayah kerja Anda.")]})
    elif library is not None and (existing := _same_month_record(model, library, data)) is not None:
        raise EntryRefused(
            _("Laporan bulan ini sudah ada. Silakan perbarui laporan yang sudah ada."),
            {"month": [_("Laporan bulan ini sudah ada.")]},
            status=409,
            existing_id=existing.pk,
        )
    if library is not None:
        probe = model(**{k: v for k, v in data.items() if k in model.ENTRY_FIELDS})
        probe.library = library
        duplicates = likely_duplicates(probe)
        if duplicates and not form.cleaned_data.get("confirm_duplicate"):
            raise EntryRefused(
                _("Sepertinya laporan ini sudah pernah diisi. Kirim lagi dengan confirm_duplicate=true jika berbeda."),
                {"__all__": [_("Sepertinya laporan ini sudah pernah diisi.")]},
                status=409,
                duplicates=[d.pk for d in duplicates],
            )
    photos = _prepared_photos(model, list(payload.get("photos") or []), existing=0)
    try:
        return record_create(
            model=model,
            user=user,
            data=data,
            library=library,
            client_id=client_id,
            photos=photos,
            submit=bool(payload.get("submit", True)),
        )
    except ValidationError as error:
        raise _validation_refusal(error) from error


def api_record_update(*, record: Any, user: User, payload: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply a correction as the web edit form would. Raises EntryRefused."""
    model = type(record)
    if record.status == Status.WITHDRAWN:
        raise EntryRefused(_("Laporan yang sudah ditarik tidak bisa diubah."), status=403)
    form = _bound_form(model, payload, instance=model.objects.get(pk=record.pk))
    existing = record_photo_count(record) if model is not Replication else 0
    remove_photos = sorted(set(payload.get("remove_photos") or []))
    try:
        # Checked before the photos are decoded, the slow part; the service checks again when saving.
        photos_check_removable(record=record, photo_ids=remove_photos)
    except ValidationError as error:
        raise _validation_refusal(error) from error
    photos = _prepared_photos(model, list(payload.get("photos") or []), existing=existing, removing=len(remove_photos))
    try:
        # Re-read so that the diff in the audit trail compares with what was saved.
        return record_update(
            record=model.objects.get(pk=record.pk),
            user=user,
            data=form.entry_data(),
            photos=photos,
            remove_photos=remove_photos,
        )
    except ValidationError as error:
        raise _validation_refusal(error) from error
