"""Facilitators and officers: the learners of their region, with figures per kabupaten and per library."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.elis.forms import LearnerFilterForm
from tpbis.elis.models import Enrollment
from tpbis.elis.selectors import (
    figures_by_library,
    figures_by_regency,
    figures_total,
    learner_rows,
    learners_for_user,
)
from tpbis.regions.selectors import region_get_by_code

PAGE_SIZE = 100
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so is a formula to a spreadsheet


def _filtered(request: HttpRequest) -> tuple[Scope, LearnerFilterForm, QuerySet[Enrollment], Any]:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not Scope.at_least(scope.highest_role, Role.FACILITATOR):
        raise PermissionDenied
    form = LearnerFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    region = None
    code = (data.get("wilayah") or "").strip()
    if code:
        region = region_get_by_code(code=code)
        if region is None or not scope.covers_region(region.code):
            raise Http404
    qs = learners_for_user(scope=scope, slug=data.get("kursus") or None, region=region.code if region else None)
    return scope, form, qs, region


@login_required
@require_safe
def learners(request: HttpRequest) -> HttpResponse:
    _scope, form, qs, region = _filtered(request)
    page = Paginator(learner_rows(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "elis/learners.html",
        {
            "form": form,
            "region": region,
            "total": figures_total(qs),
            "regencies": figures_by_regency(qs),
            "libraries": figures_by_library(qs),
            "page": page,
            "query": query.urlencode(),
        },
    )


def _columns() -> list[str]:
    return [
        gettext("Nama"),
        gettext("Perpustakaan"),
        gettext("Kabupaten/kota"),
        gettext("Kursus"),
        gettext("Versi"),
        gettext("Mulai"),
        gettext("Pelajaran selesai"),
        gettext("Nilai pre-test"),
        gettext("Nilai post-test"),
        gettext("Tamat"),
        gettext("Kode sertifikat"),
    ]


def _rows(qs: QuerySet[Enrollment]) -> Iterator[list[Any]]:
    for e in learner_rows(qs).iterator(chunk_size=500):
        certificate = getattr(e, "certificate", None)
        yield [
            e.user.get_full_name(),
            e.library.name if e.library else "",
            e.library.regency.name if e.library and e.library.regency else "",
            e.course.title,
            e.course.version,
            e.started_at.date(),
            e.lessons_done,
            e.pre_score,
            e.post_score,
            e.finished_at.date() if e.finished_at else None,
            certificate.code if certificate else "",
        ]


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


@login_required
@require_safe
def learners_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _scope, _form, qs, _region = _filtered(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # Excel reads the Indonesian text as UTF-8 with the byte-order mark
        writer = csv.writer(out)
        writer.writerow(_columns())
        for row in _rows(qs):
            writer.writerow([_safe(v.isoformat() if hasattr(v, "isoformat") else v) for v in row])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
        sheet = book.add_worksheet(gettext("Peserta Elis")[:31])
        dates = book.add_format({"num_format": "d mmm yyyy"})
        sheet.write_row(0, 0, _columns())
        for r, row in enumerate(_rows(qs), start=1):
            for c, value in enumerate(row):
                if hasattr(value, "isoformat"):
                    sheet.write_datetime(r, c, value, dates)
                elif value is not None:
                    sheet.write(r, c, value)
        book.close()
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="peserta-elis.{fmt}"'
    return response
