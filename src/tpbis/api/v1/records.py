"""Records in the REST API v1: list, read, create, update, withdraw, submit, verify and return.

One set of routes per record type, generated from a table so each type has its own precise schema.
No `from __future__ import annotations` here: django-ninja reads the annotations of the generated
view functions at import time, and they must be the schema classes themselves, not strings.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from tpbis.api.entry import EntryRefused, api_record_create, api_record_update, version_of
from tpbis.api.v1 import schemas as s
from tpbis.api.v1.base import ErrorOut, request_scope, request_user
from tpbis.api.v1.directory import ERRORS, MAX_ID, PageQuery, page_of, page_schema, region_out
from tpbis.core.links import absolute_url
from tpbis.libraries.selectors import library_get_for_user
from tpbis.reports.models import (
    Advocacy,
    CommunityEngagement,
    InformationService,
    Publicity,
    Replication,
    Visitors,
)
from tpbis.reports.models import Status as RecordStatus
from tpbis.reports.photos import photos_for
from tpbis.reports.selectors import (
    RecordFilters,
    can_verify,
    record_get_for_user,
    record_list_for_user,
    record_role,
    verification_queue,
)
from tpbis.reports.services import record_return, record_submit, record_verify, record_withdraw

router = Router(tags=["records"])
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


@dataclass(frozen=True)
class RecordSpec:
    name: str
    model: type[Any]
    create: type[Schema]
    update: type[Schema]
    out: type[Schema]


SPECS = (
    RecordSpec("pelibatan", CommunityEngagement, s.EngagementCreate, s.EngagementUpdate, s.EngagementOut),
    RecordSpec("advokasi", Advocacy, s.AdvocacyCreate, s.AdvocacyUpdate, s.AdvocacyOut),
    RecordSpec("publikasi", Publicity, s.PublicityCreate, s.PublicityUpdate, s.PublicityOut),
    RecordSpec(
        "peningkatan",
        InformationService,
        s.InformationServiceCreate,
        s.InformationServiceUpdate,
        s.InformationServiceOut,
    ),
    RecordSpec("pengunjung", Visitors, s.VisitorsCreate, s.VisitorsUpdate, s.VisitorsOut),
    RecordSpec("replikasi", Replication, s.ReplicationCreate, s.ReplicationUpdate, s.ReplicationOut),
)


class RecordQuery(Schema):
    start: s.IsoDate | None = None
    end: s.IsoDate | None = None
    status: RecordStatus | None = None
    activity_field: str | None = None
    region: str | None = None
    library_id: int | None = Field(None, ge=1, le=MAX_ID)


def _photos(record: Any) -> tuple[list[str], list[int]]:
    """URLs of the record's photos (ours, then those kept on the old SIM) and the ids of ours."""
    if isinstance(record, Replication):
        return [], []
    stored = list(photos_for(record))
    ours = [absolute_url(reverse("reports:photo", kwargs={"pk": p.pk, "size": "full"})) for p in stored]
    theirs = [u for u in (record.external_attachments or "").split(",") if u]
    return ours + theirs, [p.pk for p in stored]


def record_out(record: Any, *, with_photos: bool = True) -> dict[str, Any]:
    """The record as the API answers it: its entry fields plus status and bookkeeping."""
    model = type(record)
    data: dict[str, Any] = {
        "id": record.pk,
        "type": model.RECORD_TYPE,
        "client_id": record.client_id,
        "status": record.status,
        "status_label": str(record.get_status_display()),
        "return_comment": record.return_comment,
        "input_date": record.input_date,
        "origin": record.origin,
        "verified_at": record.verified_at,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "version": version_of(record),
    }
    data["photos"], data["photo_ids"] = _photos(record) if with_photos else ([], [])
    for name in model.ENTRY_FIELDS:
        value = getattr(record, name)
        if name == "region":
            value = region_out(value)
        elif isinstance(value, Decimal):
            value = float(value)
        data[name] = value
    if hasattr(record, "date_unknown"):
        data["date_unknown"] = record.date_unknown
    if hasattr(record, "library"):
        data["library"] = {"id": record.library.pk, "name": record.library.name}
    return data


def _filters(request: HttpRequest, query: RecordQuery) -> RecordFilters:
    scope = request_scope(request)
    if query.region and not scope.covers_region(query.region):
        raise Http404  # out of scope is not found, as for every other resource
    if query.library_id is not None:
        library_get_for_user(scope=scope, pk=query.library_id)
    return RecordFilters(
        start=query.start,
        end=query.end,
        status=query.status.value if query.status else None,
        activity_field=query.activity_field,
        region=query.region,
        library_id=query.library_id,
    )


def _get(request: HttpRequest, spec: RecordSpec, record_id: int) -> Any:
    return record_get_for_user(model=spec.model, scope=request_scope(request), pk=record_id)


def _require_verifier(request: HttpRequest, record: Any) -> None:
    if not can_verify(role=record_role(record=record, scope=request_scope(request))):
        raise PermissionDenied(_("Hanya fasilitator atau petugas wilayah yang bisa memverifikasi."))


def _register(spec: RecordSpec) -> None:
    base = f"/{spec.name}"
    tag = [spec.name]
    Out, Create, Update = spec.out, spec.create, spec.update

    def list_records(request: HttpRequest, filters: Query[RecordQuery], page: Query[PageQuery]) -> Any:
        qs = record_list_for_user(model=spec.model, scope=request_scope(request), filters=_filters(request, filters))
        return page_of(qs, page, lambda r: record_out(r, with_photos=False))

    def read_record(request: HttpRequest, record_id: RecordId) -> Any:
        return record_out(_get(request, spec, record_id))

    def create_record(request: HttpRequest, payload: Any) -> Any:
        scope = request_scope(request)
        data = payload.dict()
        library = None
        if spec.model is not Replication:
            library = library_get_for_user(scope=scope, pk=data.pop("library_id"))
        elif not scope.at_least(scope.highest_role, "fasilitator"):
            raise PermissionDenied(_("Hanya fasilitator atau petugas wilayah yang mencatat replikasi."))
        record, created = api_record_create(
            model=spec.model, user=request_user(request), scope=scope, library=library, payload=data
        )
        return Status(201 if created else 200, record_out(record))

    def update_record(request: HttpRequest, record_id: RecordId, payload: Any) -> Any:
        record = _get(request, spec, record_id)
        try:
            api_record_update(record=record, user=request_user(request), payload=payload.dict())
        except EntryRefused as refusal:
            if refusal.code == "stale_version":
                refusal.current = record_out(_get(request, spec, record_id))
            raise
        return record_out(_get(request, spec, record_id))

    def withdraw(request: HttpRequest, record_id: RecordId, payload: s.WithdrawIn | None = None) -> Any:
        record = _get(request, spec, record_id)
        record_withdraw(record=record, user=request_user(request), comment=payload.comment if payload else "")
        return record_out(_get(request, spec, record_id))

    def submit(request: HttpRequest, record_id: RecordId) -> Any:
        record = _get(request, spec, record_id)
        record_submit(record=record, user=request_user(request))
        return record_out(_get(request, spec, record_id))

    def verify(request: HttpRequest, record_id: RecordId) -> Any:
        record = _get(request, spec, record_id)
        _require_verifier(request, record)
        record_verify(record=record, user=request_user(request))
        return record_out(_get(request, spec, record_id))

    def return_record(request: HttpRequest, record_id: RecordId, payload: s.ReturnIn) -> Any:
        record = _get(request, spec, record_id)
        _require_verifier(request, record)
        record_return(record=record, user=request_user(request), comment=payload.comment)
        return record_out(_get(request, spec, record_id))

    def queue(request: HttpRequest, page: Query[PageQuery]) -> Any:
        scope = request_scope(request)
        if not scope.at_least(scope.highest_role, "fasilitator"):
            raise PermissionDenied(_("Antrean verifikasi hanya untuk fasilitator dan petugas wilayah."))
        qs = verification_queue(model=spec.model, scope=scope, user_id=request_user(request).pk)
        return page_of(qs, page, lambda r: record_out(r, with_photos=False))

    create_record.__annotations__["payload"] = Create
    update_record.__annotations__["payload"] = Update
    errors = ERRORS
    Page = page_schema(Out)
    name = spec.name
    router.get(base, response={200: Page, **errors}, tags=tag, operation_id=f"{name}_list")(list_records)
    router.post(base, response={200: Out, 201: Out, 409: ErrorOut, **errors}, tags=tag, operation_id=f"{name}_create")(
        create_record
    )
    router.get(f"{base}/{{record_id}}", response={200: Out, **errors}, tags=tag, operation_id=f"{name}_read")(
        read_record
    )
    router.put(
        f"{base}/{{record_id}}", response={200: Out, 409: ErrorOut, **errors}, tags=tag, operation_id=f"{name}_update"
    )(update_record)
    for action, view in (("withdraw", withdraw), ("submit", submit), ("verify", verify), ("return", return_record)):
        router.post(
            f"{base}/{{record_id}}/{action}",
            response={200: Out, 409: ErrorOut, **errors},
            tags=tag,
            operation_id=f"{name}_{action}",
        )(view)
    router.get(f"/verification-queue/{name}", response={200: Page, **errors}, tags=tag, operation_id=f"{name}_queue")(
        queue
    )


for _spec in SPECS:
    _register(_spec)
