"""Writes of exports: queue a large export, and build its file in the worker."""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from django.core.files import File
from django.db import OperationalError, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.accounts.scope import scope_for_user
from tpbis.exports.exporters import exporter_build
from tpbis.exports.models import ExportFormat, ExportJob, JobStatus
from tpbis.exports.renderers import csv_write, xlsx_write
from tpbis.notifications.models import Kind
from tpbis.notifications.services import notify

logger = logging.getLogger(__name__)


def params_to_query(params: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, [str(v) for v in values])
    return query


def export_job_create(
    *, user: User, kind: str, params: QueryDict, format: str, language: str, rows_total: int = 0
) -> ExportJob:
    """Record the export and queue it once the transaction commits (the worker must see the row)."""
    from tpbis.exports.tasks import export_task  # the task module imports this one

    job = ExportJob.objects.create(
        user=user,
        kind=kind,
        params={name: params.getlist(name) for name in params if name != "page"},
        format=format,
        language=language,
        rows_total=rows_total,
    )
    transaction.on_commit(lambda: export_task.enqueue(job_id=job.pk))
    return job


def export_run(*, job_id: int) -> None:
    """Build the file of a queued export under the owner's scope as it is now, reporting progress."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return  # already taken by another worker, or finished
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        with translation.override(job.language or None):
            _build(job)
    except Exception:
        logger.exception("Export %s failed", job.pk)
        with transaction.atomic():
            ExportJob.objects.filter(pk=job.pk).update(
                status=JobStatus.FAILED,
                finished_at=timezone.now(),
                error=translation.gettext("Ekspor gagal dibuat. Silakan coba lagi atau hubungi admin."),
            )
            _notify_finished(job, ok=False)


def _build(job: ExportJob) -> None:
    exporter = exporter_build(kind=job.kind, scope=scope_for_user(job.user), params=params_to_query(job.params))
    total = exporter.count()
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

    def progress(done: int) -> None:
        # The counter only feeds the progress bar: a write that loses a lock to a reader of the job
        # (SQLite refuses at once rather than wait in some modes) must not fail a long export.
        try:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
        except OperationalError:
            logger.warning("Export %s: progress %s not recorded", job.pk, done)

    filename = exporter.filename(job.format)
    with tempfile.TemporaryFile() as target:
        if job.format == ExportFormat.XLSX:
            xlsx_write(exporter, target, progress)
        else:
            csv_write(exporter, target, progress)
        target.seek(0)
        job.filename = filename
        job.file.save(filename, File(target), save=False)
    done: dict[str, Any] = {"status": JobStatus.DONE, "finished_at": timezone.now()}
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(filename=filename, file=job.file.name, **done)
        _notify_finished(job, ok=True)


def _notify_finished(job: ExportJob, *, ok: bool) -> None:
    """Tell the requester, who may have left the progress page, in the language they asked in."""
    with translation.override(job.language or None):
        values = {"name": job.filename or str(job)}
        notify(
            recipient=job.user,
            kind=Kind.EXPORT_READY,
            title=(_("Ekspor siap diunduh: %(name)s") if ok else _("Ekspor gagal dibuat: %(name)s")) % values,
            body=_("File ekspor Anda sudah jadi. Unduh lewat tautan di bawah.")
            if ok
            else _("Ekspor gagal dibuat. Silakan coba lagi atau hubungi admin."),
            url=reverse("exports:job", args=[job.pk]),
            dedupe_key=f"export:{job.pk}",
        )
