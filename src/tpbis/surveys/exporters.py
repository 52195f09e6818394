"""Survey results as CSV or XLSX: the aggregates of a group of answers, or the anonymous answers
themselves (for facilitators and up). Rows go through the exports app's renderers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tpbis.accounts.scope import Scope
from tpbis.exports.exporters import Column, Exporter
from tpbis.exports.renderers import csv_chunks, xlsx_write
from tpbis.surveys.models import GAINS, Answer
from tpbis.surveys.selectors import QUESTIONS, Tally, answers_for_export, option_key

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _options() -> list[tuple[str, str]]:
    """(count key, "Question: option") for every option, in the order the results show them."""
    options = [(name, f"{_('Manfaat')}: {label}") for name, label in GAINS]
    for field, title, choices in QUESTIONS:
        options += [(option_key(field, i), f"{title}: {label}") for i, label in enumerate(choices.labels)]
    return options


class TallyExporter(Exporter):
    """One row per group: its level, name, n, and each option's count and percentage."""

    kind = "survei-hasil"

    def __init__(self, *, scope: Scope, groups: list[tuple[str, Tally]], name: str) -> None:
        super().__init__(scope=scope, params=QueryDict())
        self.groups = groups
        self.name = name

    def columns(self) -> list[Column]:
        columns = [Column(_("Tingkat")), Column(_("Nama"), 36), Column(_("Kode")), Column(_("Jumlah jawaban (n)"))]
        for _key_name, label in _options():
            columns += [Column(label, 18), Column(f"{label} (%)", 10)]
        return [*columns, Column(_("Catatan"), 24)]

    def count(self) -> int:
        return len(self.groups)

    def rows(self) -> Iterator[list[Any]]:
        for level, tally in self.groups:
            row: list[Any] = [level, tally.label, tally.code, tally.n]
            for key, _label in _options():
                row += [None, None] if tally.suppressed else [tally.counts.get(key, 0), tally.pct(key)]
            yield [*row, _("terlalu sedikit jawaban") if tally.suppressed else ""]

    def filename(self, extension: str) -> str:
        return f"{self.kind}-{self.name}-{timezone.localdate().isoformat()}.{extension}"


class AnswerExporter(Exporter):
    """The anonymous answers: what they were about, never who gave them or when in the day."""

    kind = "survei-jawaban"

    def __init__(self, *, scope: Scope, answers: QuerySet[Answer], name: str) -> None:
        super().__init__(scope=scope, params=QueryDict())
        self.answers = answers_for_export(answers=answers)
        self.name = name

    def columns(self) -> list[Column]:
        return [
            Column(_("Kegiatan"), 36),
            Column(_("Tanggal kegiatan")),
            Column(_("Perpustakaan"), 36),
            Column(_("Kode wilayah")),
            Column(_("Tanggal jawaban")),
            *[Column(f"{_('Manfaat')}: {label}") for _name, label in GAINS],
            *[Column(str(title), 18) for _field, title, _choices in QUESTIONS],
            Column(_("Komentar"), 48),
        ]

    def count(self) -> int:
        return self.answers.count()

    def rows(self) -> Iterator[list[Any]]:
        yes, no = _("ya"), _("tidak")
        for answer in self.answers.iterator(chunk_size=2000):
            engagement, library = answer.survey.engagement, answer.survey.library
            yield [
                engagement.title,
                engagement.date,
                library.name,
                library.region_id,
                answer.answered_on,
                *[yes if getattr(answer, name) else no for name, _label in GAINS],
                *[str(getattr(answer, f"get_{field}_display")()) for field, _title, _choices in QUESTIONS],
                answer.comment,
            ]

    def filename(self, extension: str) -> str:
        return f"{self.kind}-{self.name}-{timezone.localdate().isoformat()}.{extension}"


def export_response(exporter: Exporter, fmt: str) -> HttpResponse | StreamingHttpResponse:
    if fmt == "xlsx":
        buffer = io.BytesIO()
        xlsx_write(exporter, buffer)
        response: HttpResponse | StreamingHttpResponse = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        response = StreamingHttpResponse(
            (chunk.encode("utf-8") for chunk in csv_chunks(exporter)), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{exporter.filename(fmt)}"'
    return response
