"""Admin for commission staff: users, organisations (with verification) and memberships, API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from techtransfer.accounts.models import ApiToken, Membership, Organisation, User
from techtransfer.core.audit import audit_record


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "email_confirmed", "is_active", "is_staff"]
    list_filter = ["email_confirmed", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Platform"), {"fields": ["full_name", "phone", "email_confirmed", "preferred_language"]}),
    )
    # E-mail addresses are unique, so a person added here needs one from the start.
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "full_name", "password1", "password2")}),
    )
    inlines = [MembershipInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The audit trail names its actors; deactivate a person instead of deleting them.
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_type", "uscc", "region", "is_verified", "created"]
    list_filter = ["org_type", "is_verified"]
    search_fields = ["name", "name_en", "uscc"]
    autocomplete_fields = ["supervising_department"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]
    inlines = [MembershipInline]
    actions = ["verify"]

    @admin.action(description=_("Verify the selected organisations"))
    def verify(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        with transaction.atomic():
            pending = list(queryset.filter(is_verified=False))
            for organisation in pending:
                organisation.is_verified = True
                organisation.save(update_fields=["is_verified", "updated"])
                audit_record(
                    actor=request.user, action="organisation.verify", obj=organisation,
                    changes={"is_verified": [False, True]},
                )
        self.message_user(
            request,
            ngettext("%(n)d organisation verified.", "%(n)d organisations verified.", len(pending))
            % {"n": len(pending)},
            messages.SUCCESS,
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Achievements and the audit trail refer to organisations.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created"]
    list_filter = ["role", "organisation__org_type"]
    search_fields = ["user__username", "user__full_name", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by their owners; staff can only see and revoke them (the key is never stored)."""

    list_display = ["name", "user", "prefix", "created", "last_used", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["user", "name", "prefix", "created", "last_used"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked=False).update(revoked=True)
        self.message_user(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
