"""Partner libraries in the admin; deleting is disabled (deactivate instead) and every save is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tpbis.audit.admin import AuditedAdminMixin
from tpbis.libraries.models import Library
from tpbis.libraries.services import EDITABLE_FIELDS, expected_reports_changed


@admin.register(Library)
class LibraryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audited_fields = (*EDITABLE_FIELDS, "is_active")
    list_display = ["name", "kind", "region", "support", "cohort_year", "npp", "is_active"]
    list_filter = ["kind", "support", "cohort_year", "is_active", "province"]
    search_fields = ["name", "npp", "region__name"]
    autocomplete_fields = ["region"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Saved and audited; a changed active flag, cohort year or kind changes the months it is expected to
        report or the scheme that scores it."""
        terms = ("is_active", "cohort_year", "kind")
        before = Library.objects.filter(pk=obj.pk).values_list(*terms).first() if change else None
        super().save_model(request, obj, form, change)
        if before is not None and before != tuple(getattr(obj, name) for name in terms):
            expected_reports_changed([obj.pk])

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
