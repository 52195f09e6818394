"""Export downloads: small lists stream at once, large ones become a background job with a page."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from tpbis.accounts.models import User
from tpbis.accounts.scope import Scope
from tpbis.exports.exporters import KIND_LABELS, Exporter, exporter_build
from tpbis.exports.models import ExportFormat, JobStatus
from tpbis.exports.renderers import csv_chunks, xlsx_write
from tpbis.exports.selectors import export_job_get_for_user
from tpbis.exports.services import export_job_create

CONTENT_TYPES: dict[str, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def export_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponseBase:
    """The list `kind` with the page's query string, as CSV or XLSX; above EXPORT_SYNC_LIMIT rows,
    a background job and its progress page instead."""
    exporter = exporter_build(kind=kind, scope=_scope(request), params=request.GET)
    total = exporter.count()
    if total > settings.EXPORT_SYNC_LIMIT:
        job = export_job_create(
            user=_user(request),
            kind=kind,
            params=request.GET,
            format=fmt,
            language=get_language() or "",
            rows_total=total,
        )
        return redirect("exports:job", pk=job.pk)
    if fmt == ExportFormat.CSV:
        return _csv_response(exporter)
    return _xlsx_response(exporter)


def _csv_response(exporter: Exporter) -> StreamingHttpResponse:
    filename = exporter.filename(ExportFormat.CSV)
    response = StreamingHttpResponse(csv_chunks(exporter), content_type=CONTENT_TYPES[ExportFormat.CSV])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_response(exporter: Exporter) -> FileResponse:
    # xlsxwriter finishes the zip container only at close(), so it cannot write to the socket: it
    # writes to an anonymous temporary file, which disappears when the response closes it.
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    xlsx_write(exporter, target)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=exporter.filename(ExportFormat.XLSX),
        content_type=CONTENT_TYPES[ExportFormat.XLSX],
    )


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = export_job_get_for_user(user=_user(request), pk=pk)
    template = "exports/_progress.html" if getattr(request, "htmx", False) else "exports/job.html"
    return render(request, template, {"job": job, "label": KIND_LABELS.get(job.kind, job.kind)})


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = export_job_get_for_user(user=_user(request), pk=pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.format]
    )
