"""Partner libraries in the admin; deleting is disabled (deactivate instead) and every save is audited."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tpbis.audit.admin import AuditedAdminMixin
from tpbis.libraries.models import Library
from tpbis.libraries.services import EDITABLE_FIELDS


@admin.register(Library)
class LibraryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audited_fields = (*EDITABLE_FIELDS, "is_active")
    list_display = ["name", "kind", "region", "support", "cohort_year", "npp", "is_active"]
    list_filter = ["kind", "support", "cohort_year", "is_active", "province"]
    search_fields = ["name", "npp", "region__name"]
    autocomplete_fields = ["region"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
