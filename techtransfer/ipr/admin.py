"""Admin for commission staff: IP records are read-only here; changes go through the services (rules, audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.core.admin import StatusHistoryInline
from techtransfer.ipr.models import FeeEvent, IPHolder, IPRecord, IPStatusChange


class StatusChangeInline(StatusHistoryInline):
    model = IPStatusChange


class HolderInline(admin.TabularInline):
    model = IPHolder
    extra = 0
    fields = ["position", "name", "organisation"]
    readonly_fields = fields


class FeeInline(admin.TabularInline):
    model = FeeEvent
    extra = 0
    fields = ["kind", "due_date", "amount", "paid_on", "note"]
    readonly_fields = fields


@admin.register(IPRecord)
class IPRecordAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "ip_type", "owner", "legal_status", "status", "next_fee_due"]
    list_filter = ["ip_type", "status", "legal_status"]
    search_fields = ["number", "title", "owner__name"]
    list_select_related = ["owner", "legal_status"]
    inlines = [HolderInline, FeeInline, StatusChangeInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
