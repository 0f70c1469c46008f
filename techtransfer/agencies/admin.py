"""Admin for commission staff: the filing deadlines are configured here (dated data); profiles, filings and
requests for help are read-only, since their changes go through the services (review rules, history, audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.agencies.models import (
    Agency,
    AgencyFiling,
    AgencyStatusChange,
    FilingRule,
    FilingYear,
    HelpRequest,
    HelpRequestStatusChange,
)
from techtransfer.core.admin import StatusHistoryInline
from techtransfer.core.audit import audit_record


@admin.register(FilingRule)
class FilingRuleAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "name", "due_month", "due_day", "confirmed"]


@admin.register(FilingYear)
class FilingYearAdmin(admin.ModelAdmin):
    """The commission sets a year's filing deadline here (it overrides the rule for that year)."""

    list_display = ["year", "deadline", "source"]

    def save_model(self, request: HttpRequest, obj: FilingYear, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Who moved a deadline matters to the profiles that lapse by it.
        audit_record(
            actor=request.user, action="filing_year.save", obj=obj,
            changes={"year": obj.year, "deadline": str(obj.deadline)},
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # view-only: every change goes through the services

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AgencyStatusInline(StatusHistoryInline):
    model = AgencyStatusChange


class FilingInline(admin.TabularInline):
    model = AgencyFiling
    extra = 0
    fields = ["year", "contracts_brokered", "turnover", "staff", "filed_at", "deadline"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "status", "region", "level", "listed_since"]
    list_filter = ["kind", "status", "level"]
    search_fields = ["organisation__name", "user__full_name", "user__username", "certificate_number"]
    list_select_related = ["organisation", "user", "region"]
    inlines = [FilingInline, AgencyStatusInline]


class HelpStatusInline(StatusHistoryInline):
    model = HelpRequestStatusChange


@admin.register(HelpRequest)
class HelpRequestAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "created", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["agency__organisation", "agency__user", "demand"]
    inlines = [HelpStatusInline]
