"""Django admin for the national team: users, their roles and invitations.

People are deactivated, never deleted: their name stays on the history of what they did. Every
save here is audited like a change made on the site's own pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from tpbis.accounts.models import Invitation, Membership, User
from tpbis.audit.admin import AuditedAdminMixin, formset_rows
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot

USER_AUDITED = ("email", "full_name", "phone", "is_active", "is_staff", "is_superuser")
ROLE_ACTIONS = {"added": AuditAction.ROLE_ADD, "changed": AuditAction.ROLE_CHANGE, "removed": AuditAction.ROLE_REMOVE}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["region", "library"]


def membership_text(membership: Membership) -> str:
    """A role as a person reads it, always in Indonesian: "Fasilitator kabupaten/kota - Kab. Lamongan · PIC"."""
    with translation.override("id"):
        title = f" · {membership.get_title_display()}" if membership.title else ""
        return f"{membership}{title}"


def membership_region(membership: Membership) -> str | None:
    if membership.region_id:
        return membership.region_id
    return membership.library.region_id if membership.library is not None else None


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    audited_fields = USER_AUDITED
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "last_login", "date_joined"]
    list_filter = ["is_active", "is_staff", "memberships__role"]
    search_fields = ["email", "full_name", "phone"]
    inlines = [MembershipInline]
    actions = ["deactivate_users", "activate_users"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Data diri"), {"fields": ("full_name", "phone")}),
        (_("Akses"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Waktu"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deactivate instead: a person's name stays on what they did

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        rows = [
            (kind, m, stored, membership_text(stored) if stored else None) for kind, m, stored in formset_rows(formset)
        ]
        super().save_formset(request, form, formset, change)
        for kind, membership, stored, before in rows:
            after = None if kind == "removed" else membership_text(membership)
            if before == after:
                continue
            scope_of = stored if kind == "removed" else membership
            audit_change(
                actor=request.user,
                action=ROLE_ACTIONS[kind],
                target=form.instance,
                changes={"role": [before, after]},
                library_id=scope_of.library_id,
                region_code=membership_region(scope_of),
            )

    @admin.action(description=_("Nonaktifkan pengguna terpilih"))
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        changed = self._set_active(request, queryset, active=False)
        self.message_user(request, gettext_now("%(n)s pengguna dinonaktifkan.") % {"n": changed}, messages.SUCCESS)

    @admin.action(description=_("Aktifkan kembali pengguna terpilih"))
    def activate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        changed = self._set_active(request, queryset, active=True)
        self.message_user(request, gettext_now("%(n)s pengguna diaktifkan.") % {"n": changed}, messages.SUCCESS)

    def _set_active(self, request: HttpRequest, queryset: QuerySet[User], *, active: bool) -> int:
        # Not oneself: the national admin cannot lock themselves out by a stray tick.
        ids = [pk for pk in queryset.values_list("pk", flat=True) if pk != request.user.pk]
        changed = 0
        with transaction.atomic():
            for user in User.objects.select_for_update().filter(pk__in=ids).exclude(is_active=active):
                before = audit_snapshot(user, ["is_active"])
                user.is_active = active
                user.save(update_fields=["is_active"])
                audit_change(
                    actor=request.user,
                    action=AuditAction.ACTIVATE if active else AuditAction.DEACTIVATE,
                    target=user,
                    changes=audit_diff(before, audit_snapshot(user, ["is_active"])),
                )
                changed += 1
        return changed

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit_change(actor=request.user, action=AuditAction.PASSWORD_RESET, target=user)
        return response


@admin.register(Invitation)
class InvitationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audited_fields = ("user", "library", "name", "phone", "expires_at", "accepted_at", "revoked_at")
    list_display = ["__str__", "library", "user", "created_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["accepted_at", "revoked_at"]
    search_fields = ["library__name", "user__email", "name"]
    readonly_fields = ["token_hash", "created_at", "accepted_at"]
    raw_id_fields = ["user", "library", "created_by"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoke instead, so the history of who was invited stays

    def audited_action(self, change: bool, changes: dict[str, list[Any]]) -> str:
        if change and "revoked_at" in changes and changes["revoked_at"][1] is not None:
            return AuditAction.INVITE_REVOKE
        return AuditAction.INVITE if not change else AuditAction.UPDATE
