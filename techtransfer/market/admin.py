"""Admin for commission staff. Demands are read-only here: their changes go through the services so that
the moderation rules, the history and the audit trail hold."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.core.admin import StatusHistoryInline
from techtransfer.market.models import DemandStatusChange, TechnologyDemand


class StatusChangeInline(StatusHistoryInline):
    model = DemandStatusChange


@admin.register(TechnologyDemand)
class TechnologyDemandAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "status", "field", "region", "deadline", "published_at"]
    list_filter = ["status", "field", "contact_public"]
    search_fields = ["title", "description", "owner__name"]
    date_hierarchy = "created"
    list_select_related = ["owner", "field", "region"]
    inlines = [StatusChangeInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # view-only: every change goes through the services

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
