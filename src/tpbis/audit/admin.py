"""The audit trail in the admin (read-only) and a mixin that audits every save in another admin."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from tpbis.audit.models import AuditAction, AuditEvent
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot


class AuditedAdminMixin:
    """Saves and deletions made in this admin leave an audit event with before and after.

    `audited_fields` are the fields compared. Django's own admin log keeps no values, and a change
    made in the admin is a change to shared data like any other.
    """

    audited_fields: ClassVar[tuple[str, ...]] = ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = audit_snapshot(type(obj)._default_manager.get(pk=obj.pk), self.audited_fields) if change else {}
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        changes = audit_diff(before, audit_snapshot(obj, self.audited_fields))
        if change and not changes:
            return
        audit_change(actor=request.user, action=self.audited_action(change, changes), target=obj, changes=changes)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = audit_snapshot(obj, self.audited_fields)
        audit_change(actor=request.user, action=AuditAction.DELETE, target=obj, changes=audit_diff(before, {}))
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def audited_action(self, change: bool, changes: dict[str, list[Any]]) -> str:
        """Create, or a change; a change of the active flag reads as (de)activation."""
        if not change:
            return AuditAction.CREATE
        if "is_active" in changes:
            return AuditAction.ACTIVATE if changes["is_active"][1] == "aktif" else AuditAction.DEACTIVATE
        return AuditAction.UPDATE


def formset_rows(formset: Any) -> list[tuple[str, Any, Any]]:
    """Before an inline formset is saved: ("added" | "changed" | "removed", object, stored copy) per touched row."""
    model = formset.model
    stored = model._default_manager.in_bulk([f.instance.pk for f in formset.forms if f.instance.pk is not None])
    deleted = {id(f) for f in getattr(formset, "deleted_forms", [])}
    rows: list[tuple[str, Any, Any]] = []
    for form in formset.forms:
        obj = form.instance
        if obj.pk is not None and id(form) in deleted:
            rows.append(("removed", obj, stored.get(obj.pk)))
        elif obj.pk is None and form.has_changed():
            rows.append(("added", obj, None))
        elif obj.pk is not None and form.has_changed():
            rows.append(("changed", obj, stored.get(obj.pk)))
    return rows


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "object_repr", "actor_label", "region_code"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor_label", "comment"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
