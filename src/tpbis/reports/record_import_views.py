"""Spreadsheet entry pages (*impor laporan*): template download, upload, dry-run preview, apply.

Facilitators, provincial officers and the national team import for the libraries of their area; a library
manager enters records on the forms (403 here). Between preview and apply the file waits in the same
storage as the partner import's previews (tpbis.libraries.pending_imports); the apply step reads and
checks it again, since the database may have changed meanwhile.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.core.tabular import EXTENSIONS
from tpbis.libraries.pending_imports import (
    pending_import_delete,
    pending_import_read,
    pending_import_save,
    pending_imports_cleanup,
)
from tpbis.reports.record_imports import IMPORT_TYPES, ImportType, RecordImportResult, record_import

PREVIEW_ACTIONS = 50
PREVIEW_ERRORS = 500


class RecordUploadForm(forms.Form):
    jenis = forms.ChoiceField(
        label=gettext_lazy("Jenis laporan"),
        choices=[(key, spec.label) for key, spec in IMPORT_TYPES.items()],
    )
    berkas = forms.FileField(label=gettext_lazy("Berkas CSV atau XLSX"))

    def clean_berkas(self) -> Any:
        upload = self.cleaned_data["berkas"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Unggah berkas .csv atau .xlsx."))
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Berkas terlalu besar (maksimal %(mb)s MB).") % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require(request: HttpRequest) -> Scope:
    """403 below a facilitator (a manager enters on the forms)."""
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    return scope


def _spec(record_type: str) -> ImportType:
    try:
        return IMPORT_TYPES[record_type]
    except KeyError:
        raise Http404 from None


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    _require(request)
    return _render_start(request, RecordUploadForm(initial={"jenis": request.GET.get("jenis", "")}))


def _render_start(request: HttpRequest, form: RecordUploadForm) -> HttpResponse:
    return render(
        request,
        "reports/import_records.html",
        {"form": form, "types": IMPORT_TYPES.values(), "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
    )


@require_POST
@login_required
def import_preview(request: HttpRequest) -> HttpResponse:
    scope = _require(request)
    form = RecordUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_start(request, form)
    record_type = form.cleaned_data["jenis"]
    upload = form.cleaned_data["berkas"]
    content = upload.read()
    result = record_import(
        record_type=record_type,
        content=content,
        filename=upload.name,
        scope=scope,
        actor=_user(request),
        dry_run=True,
    )
    token = ""
    if result.report.ok and result.report.created:
        # Previews never applied are removed here as well as by `imports_cleanup`.
        pending_imports_cleanup()
        token = pending_import_save(user_id=_user(request).pk, content=content, filename=upload.name)
    return _render_preview(request, result, token=token, filename=upload.name)


@require_POST
@login_required
def import_apply(request: HttpRequest, record_type: str) -> HttpResponse:
    scope = _require(request)
    _spec(record_type)
    token = request.POST.get("token", "")
    content = pending_import_read(user_id=_user(request).pk, token=token)
    if content is None:  # malformed, someone else's, already applied or expired
        raise Http404
    filename = request.POST.get("name", "")[:200] or token
    result = record_import(
        record_type=record_type,
        content=content,
        filename=filename,
        scope=scope,
        actor=_user(request),
        dry_run=False,
        accept_warnings=request.POST.get("terima_peringatan") == "1",
    )
    if result.needs_confirmation:
        messages.error(request, _("Periksa peringatan di bawah, lalu centang kotak konfirmasi sebelum menerapkan."))
        return _render_preview(request, result, token=token, filename=filename)
    pending_import_delete(user_id=_user(request).pk, token=token)
    if not result.applied:
        messages.error(request, _("Data berubah sejak pratinjau. Tidak ada yang disimpan; periksa kesalahan di bawah."))
        return _render_preview(request, result, token="", filename=filename)
    messages.success(
        request,
        _("Impor selesai: %(n)s laporan %(type)s dibuat, %(same)s sudah ada sebelumnya.")
        % {"n": result.report.created, "type": IMPORT_TYPES[record_type].label, "same": result.report.unchanged},
    )
    return redirect("reports:list_type", record_type=record_type)


def _render_preview(request: HttpRequest, result: RecordImportResult, *, token: str, filename: str) -> HttpResponse:
    report = result.report
    errors = report.sorted_errors()
    labels = {"create": _("Dibuat"), "unchanged": _("Sudah ada")}
    return render(
        request,
        "reports/import_records_preview.html",
        {
            "spec": IMPORT_TYPES[result.record_type],
            "result": result,
            "report": report,
            "errors": errors[:PREVIEW_ERRORS],
            "errors_hidden": max(0, len(errors) - PREVIEW_ERRORS),
            "warnings": result.sorted_warnings()[:PREVIEW_ERRORS],
            "actions": [{"row": a, "label": labels.get(a.action, a.action)} for a in report.actions[:PREVIEW_ACTIONS]],
            "actions_hidden": max(0, len(report.actions) - PREVIEW_ACTIONS),
            "token": token,
            "filename": filename,
        },
    )


@login_required
def import_template(request: HttpRequest, record_type: str, ext: str) -> HttpResponse:
    _require(request)
    spec = _spec(record_type)
    filename = f"templat-impor-{record_type}.{ext}"
    if ext == "csv":
        response = HttpResponse(_template_csv(spec), content_type="text/csv; charset=utf-8")
    elif ext == "xlsx":
        response = HttpResponse(
            _template_xlsx(spec), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _template_csv(spec: ImportType) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spec.template_headers)
    writer.writerow(spec.example)
    # A byte-order mark makes Excel open the file as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def _template_xlsx(spec: ImportType) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(spec.label)[:31]
    sheet.append(list(spec.template_headers))
    sheet.append(list(spec.example))
    for column, header in enumerate(spec.template_headers, start=1):
        sheet.cell(row=1, column=column).font = Font(bold=True)
        dimension = sheet.column_dimensions[openpyxl.utils.get_column_letter(column)]
        dimension.width = max(14, len(header) + 4)
        if header in ("npp", "kode_desa"):
            # Text columns, so Excel keeps long codes as typed instead of showing 3.52E+09.
            dimension.number_format = "@"
            sheet.cell(row=2, column=column).number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
