"""Bulk import pages (partners and manager accounts): upload, dry-run preview, apply."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    return render(request, "libraries/import.html", {})
