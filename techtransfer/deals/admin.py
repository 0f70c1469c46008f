"""Admin for commission staff. Deals are read-only here: they change through the services (the workflow, the
publicity period and the objections) so that the rules and the audit trail hold."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.core.admin import ReadOnlyInline, StatusHistoryInline
from techtransfer.deals.models import Deal, DealAttachment, DealStatusChange, Objection


class AttachmentInline(ReadOnlyInline):
    model = DealAttachment
    fields = ["kind", "original_name", "size", "created", "uploaded_by"]


class ObjectionInline(ReadOnlyInline):
    model = Objection
    fields = ["status", "created", "name", "contact", "text", "answer", "answered_at"]


class StatusChangeInline(StatusHistoryInline):
    model = DealStatusChange


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deal)
class DealAdmin(ReadOnlyAdmin):
    list_display = [
        "achievement", "owner", "mode", "pricing_method", "status", "price", "publicity_end", "completed_at"
    ]
    list_filter = ["status", "mode", "pricing_method"]
    search_fields = ["achievement__name", "owner__name", "counterparty_name"]
    date_hierarchy = "created"
    list_select_related = ["achievement", "owner"]
    inlines = [AttachmentInline, ObjectionInline, StatusChangeInline]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["deal", "status", "created", "name", "answered_at"]
    list_filter = ["status"]
    search_fields = ["deal__achievement__name", "name"]
    list_select_related = ["deal", "deal__achievement"]


from techtransfer.deals import admin_rewards  # noqa: E402, F401
