"""Admin: the national team extends vocabularies; records are visible but never deleted here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tpbis.audit.admin import AuditedAdminMixin
from tpbis.reports.models import (
    Advocacy,
    AuditEntry,
    CommunityEngagement,
    InformationService,
    Publicity,
    Replication,
    SimImport,
    Visitors,
    VocabularyTerm,
)


@admin.register(VocabularyTerm)
class VocabularyTermAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audited_fields = ("kind", "value", "position", "is_active")
    list_display = ["value", "kind", "position", "is_active"]
    list_filter = ["kind", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["value"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Records keep the value as text; retire a term (is_active) instead of deleting it.
        return False


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    list_filter = ["status", "origin"]
    raw_id_fields = ["library", "entered_by", "verified_by"]
    readonly_fields = ["client_id", "import_key", "created_at", "updated_at"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # changes go through the audited services (site pages)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CommunityEngagement)
class CommunityEngagementAdmin(ReadOnlyRecordAdmin):
    list_display = ["title", "library", "date", "participants", "status"]
    search_fields = ["title", "library__name"]


@admin.register(Advocacy)
class AdvocacyAdmin(ReadOnlyRecordAdmin):
    list_display = ["title", "library", "date", "outcome", "status"]
    search_fields = ["title", "library__name"]


@admin.register(Publicity)
class PublicityAdmin(ReadOnlyRecordAdmin):
    list_display = ["title", "library", "date", "media_kind", "status"]
    search_fields = ["title", "library__name"]


@admin.register(InformationService)
class InformationServiceAdmin(ReadOnlyRecordAdmin):
    list_display = ["library", "year", "month", "books", "computers", "status"]
    search_fields = ["library__name"]


@admin.register(Visitors)
class VisitorsAdmin(ReadOnlyRecordAdmin):
    list_display = ["library", "year", "month", "total", "status"]
    search_fields = ["library__name"]


@admin.register(Replication)
class ReplicationAdmin(ReadOnlyRecordAdmin):
    list_display = ["region", "year", "funds", "funding_source", "villages", "status"]
    raw_id_fields = ["region", "entered_by", "verified_by"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "content_type", "object_id", "user"]
    list_filter = ["action", "content_type"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SimImport)
class SimImportAdmin(admin.ModelAdmin):
    list_display = ["region", "period_start", "period_end", "imported_at"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
