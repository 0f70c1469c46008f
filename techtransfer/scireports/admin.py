"""Admin for commission staff. Reports are read-only here: they change through the services (the workflow) so
that the rules and the audit trail hold. The dated rule sets are the commission's to edit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.core.admin import ReadOnlyInline, StatusHistoryInline
from techtransfer.scireports.models import (
    ReportIPItem,
    ReportReminder,
    ReportRuleSet,
    ReportStatusChange,
    ScienceReport,
)


class IPInline(ReadOnlyInline):
    model = ReportIPItem
    fields = ["kind", "number", "title"]


class StatusChangeInline(StatusHistoryInline):
    model = ReportStatusChange


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScienceReport)
class ScienceReportAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "owner", "report_type", "secrecy", "status", "sharing", "public_from"]
    list_filter = ["status", "report_type", "secrecy", "release_mode", "sharing"]
    search_fields = ["number", "title", "owner__name", "project__grant_number"]
    list_select_related = ["owner"]
    inlines = [IPInline, StatusChangeInline]


@admin.register(ReportReminder)
class ReportReminderAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "at", "by", "recipients", "ended_only"]
    list_select_related = ["organisation", "by"]


@admin.register(ReportRuleSet)
class ReportRuleSetAdmin(admin.ModelAdmin):
    """The dated report rules (the longest delay): the commission adds a rule set when regulation changes."""

    list_display = ["valid_from", "name", "max_delay_months", "confirmed"]
