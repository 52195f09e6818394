"""Partner libraries in the admin; deleting is disabled (deactivate instead)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tpbis.libraries.models import Library


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "support", "cohort_year", "npp", "is_active"]
    list_filter = ["kind", "support", "cohort_year", "is_active", "province"]
    search_fields = ["name", "npp", "region__name"]
    autocomplete_fields = ["region"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
