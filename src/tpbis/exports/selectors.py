"""Reads of export jobs: a job is only ever visible to the person who asked for it."""

from __future__ import annotations

from django.http import Http404

from tpbis.accounts.models import User
from tpbis.exports.models import ExportJob


def export_job_get_for_user(*, user: User, pk: int) -> ExportJob:
    job = ExportJob.objects.filter(user=user, pk=pk).first()
    if job is None:
        raise Http404
    return job
