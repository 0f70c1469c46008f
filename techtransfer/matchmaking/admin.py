"""Admin for commission staff. Contact requests are read-only here: their changes go through the services so
that the stage rules, the history and the audit trail hold."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.core.admin import StatusHistoryInline
from techtransfer.matchmaking.models import ContactNote, ContactRequest, ContactStageChange


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StageChangeInline(StatusHistoryInline):
    model = ContactStageChange


class NoteInline(_ReadOnlyInline):
    model = ContactNote
    fields = ["created", "author", "org", "text"]
    readonly_fields = fields


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "demand", "achievement", "opened_by_org", "stage", "created", "closed_at", "contract_number"]
    list_filter = ["stage"]
    search_fields = ["demand__title", "achievement__name", "opened_by_org__name", "contract_number"]
    date_hierarchy = "created"
    list_select_related = ["demand", "achievement", "opened_by_org"]
    inlines = [StageChangeInline, NoteInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # view-only: every change goes through the services

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
