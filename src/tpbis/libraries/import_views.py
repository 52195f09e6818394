"""Bulk import pages (partners and manager accounts): template download, upload, dry-run preview, apply.

Between preview and apply the uploaded file waits in storage (tpbis.libraries.pending_imports) for at most
IMPORT_PENDING_HOURS; the apply step re-reads and re-validates it (the database may have changed meanwhile)
and writes only if still valid.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
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

from tpbis.accounts import imports as account_imports
from tpbis.accounts.models import Role, User
from tpbis.accounts.scope import Scope
from tpbis.core.tabular import EXTENSIONS, ImportReport
from tpbis.libraries import imports as library_imports
from tpbis.libraries.pending_imports import (
    pending_import_delete,
    pending_import_read,
    pending_import_save,
    pending_imports_cleanup,
)

# Import kind (as it appears in URLs) -> the weakest role that may run it.
MINIMUM_ROLE = {"mitra": Role.PROVINCE, "akun": Role.FACILITATOR}
PREVIEW_ACTIONS = 50
PREVIEW_ERRORS = 500


class UploadForm(forms.Form):
    berkas = forms.FileField(label=gettext_lazy("Berkas CSV atau XLSX"))

    def clean_berkas(self) -> Any:
        upload = self.cleaned_data["berkas"]
        name = upload.name.lower()
        if not name.endswith(EXTENSIONS):
            raise forms.ValidationError(_("Unggah berkas .csv atau .xlsx."))
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Berkas terlalu besar (maksimal %(mb)s MB).") % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require(request: HttpRequest, kind: str) -> Scope:
    """404 for an unknown import kind, 403 when the user's strongest role is too weak for it."""
    if kind not in MINIMUM_ROLE:
        raise Http404
    scope = _scope(request)
    if not Scope.at_least(scope.highest_role, MINIMUM_ROLE[kind]):
        raise PermissionDenied
    return scope


def _run(request: HttpRequest, kind: str, *, content: bytes, filename: str, dry_run: bool) -> ImportReport:
    scope = _require(request, kind)
    if kind == "mitra":
        return library_imports.library_import(
            content=content, filename=filename, scope=scope, dry_run=dry_run, actor=_user(request)
        )
    return account_imports.account_import(
        content=content, filename=filename, scope=scope, created_by=_user(request), dry_run=dry_run
    )


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    return _render_start(request, scope, {})


def _render_start(request: HttpRequest, scope: Scope, forms_by_kind: dict[str, UploadForm]) -> HttpResponse:
    return render(
        request,
        "libraries/import.html",
        {
            "can_partners": Scope.at_least(scope.highest_role, Role.PROVINCE),
            "partner_form": forms_by_kind.get("mitra") or UploadForm(auto_id="mitra_%s"),
            "account_form": forms_by_kind.get("akun") or UploadForm(auto_id="akun_%s"),
            "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
        },
    )


@require_POST
@login_required
def import_preview(request: HttpRequest, kind: str) -> HttpResponse:
    scope = _require(request, kind)
    form = UploadForm(request.POST, request.FILES, auto_id=f"{kind}_%s")
    if not form.is_valid():
        return _render_start(request, scope, {kind: form})
    upload = form.cleaned_data["berkas"]
    content = upload.read()
    report = _run(request, kind, content=content, filename=upload.name, dry_run=True)
    token = _store(request, content, upload.name) if report.ok and (report.created or report.updated) else ""
    return _render_report(request, kind, report, token=token, filename=upload.name)


@require_POST
@login_required
def import_apply(request: HttpRequest, kind: str) -> HttpResponse:
    _require(request, kind)
    token = request.POST.get("token", "")
    content = pending_import_read(user_id=_user(request).pk, token=token)
    if content is None:  # malformed, someone else's, already applied or expired
        raise Http404
    report = _run(request, kind, content=content, filename=token, dry_run=False)
    pending_import_delete(user_id=_user(request).pk, token=token)
    if not report.ok:
        messages.error(request, _("Data berubah sejak pratinjau. Tidak ada yang disimpan; periksa kesalahan di bawah."))
        return _render_report(request, kind, report, token="", filename=request.POST.get("name", ""))
    messages.success(request, _("Impor selesai: %(summary)s.") % {"summary": report.summary()})
    return redirect("libraries:import")


def _store(request: HttpRequest, content: bytes, filename: str) -> str:
    # Previews left unapplied are removed here as well as by `imports_cleanup`, so a server without the
    # scheduled command does not keep them forever.
    pending_imports_cleanup()
    return pending_import_save(user_id=_user(request).pk, content=content, filename=filename)


def _render_report(request: HttpRequest, kind: str, report: ImportReport, *, token: str, filename: str) -> HttpResponse:
    labels = {"create": _("Dibuat"), "update": _("Diperbarui"), "unchanged": _("Tidak berubah")}
    errors = report.sorted_errors()
    return render(
        request,
        "libraries/import_preview.html",
        {
            "kind": kind,
            "title": _("Impor mitra") if kind == "mitra" else _("Impor akun"),
            "report": report,
            "errors": errors[:PREVIEW_ERRORS],
            "errors_hidden": max(0, len(errors) - PREVIEW_ERRORS),
            "actions": [{"row": a, "label": labels[a.action]} for a in report.actions[:PREVIEW_ACTIONS]],
            "actions_hidden": max(0, len(report.actions) - PREVIEW_ACTIONS),
            "token": token,
            "filename": filename,
        },
    )


@login_required
def import_template(request: HttpRequest, kind: str, ext: str) -> HttpResponse:
    _require(request, kind)
    module: Any = library_imports if kind == "mitra" else account_imports
    headers: Sequence[str] = module.TEMPLATE_HEADERS
    example: Sequence[str] = module.TEMPLATE_EXAMPLE
    filename = f"templat-impor-{kind}.{ext}"
    if ext == "csv":
        response = HttpResponse(_template_csv(headers, example), content_type="text/csv; charset=utf-8")
    elif ext == "xlsx":
        response = HttpResponse(
            _template_xlsx(headers, example),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _template_csv(headers: Sequence[str], example: Sequence[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerow(example)
    # A byte-order mark makes Excel open the file as UTF-8, so accented names survive.
    return out.getvalue().encode("utf-8-sig")


def _template_xlsx(headers: Sequence[str], example: Sequence[str]) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(list(headers))
    sheet.append(list(example))
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=column).font = Font(bold=True)
        dimension = sheet.column_dimensions[openpyxl.utils.get_column_letter(column)]
        dimension.width = max(14, len(header) + 4)
        if header in ("npp", "kode_wilayah", "telepon"):
            # Text columns, so Excel keeps leading zeros and long codes instead of showing 3.51E+09.
            dimension.number_format = "@"
            sheet.cell(row=2, column=column).number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
