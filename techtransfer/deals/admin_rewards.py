"""Admin of income distribution (imported by deals/admin.py). Plans, allocations and payments change through the
services (the rules, the approval and the audit trail hold), so they are read-only here; the dated rule sets are
the commission's to edit (to confirm an UNCONFIRMED value or add a new regulation's)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.core.admin import ReadOnlyInline, StatusHistoryInline
from techtransfer.deals.models import (
    Mobility,
    NetIncomeItem,
    RewardAllocation,
    RewardPlan,
    RewardPlanStatusChange,
    RewardRuleSet,
    UnitRewardRule,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RewardRuleSet)
class RewardRuleSetAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "region_prefix", "name", "transfer_share", "equity_share", "profit_share",
                    "profit_years", "main_contributor_share", "publicity_days", "confirmed"]
    list_filter = ["confirmed", "region_prefix"]


@admin.register(UnitRewardRule)
class UnitRewardRuleAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "valid_from", "title", "transfer_share", "equity_share", "profit_share",
                    "profit_years"]
    search_fields = ["organisation__name", "title"]
    list_select_related = ["organisation"]


class CostInline(ReadOnlyInline):
    model = NetIncomeItem
    fields = ["kind", "description", "amount", "evidence_name"]


class AllocationInline(ReadOnlyInline):
    model = RewardAllocation
    fields = ["person_name", "is_main_contributor", "is_leader", "is_unit_head", "form", "amount", "shares"]


class PlanStatusChangeInline(StatusHistoryInline):
    model = RewardPlanStatusChange


@admin.register(RewardPlan)
class RewardPlanAdmin(ReadOnlyAdmin):
    list_display = ["deal", "income_date", "status", "share", "pool_cash", "pool_shares", "approved_at"]
    list_filter = ["status"]
    search_fields = ["deal__achievement__name", "deal__owner__name"]
    list_select_related = ["deal", "deal__achievement"]
    inlines = [CostInline, AllocationInline, PlanStatusChangeInline]


@admin.register(Mobility)
class MobilityAdmin(ReadOnlyAdmin):
    list_display = ["person_name", "kind", "enterprise", "start", "end", "organisation"]
    list_filter = ["kind"]
    search_fields = ["person_name", "enterprise", "organisation__name"]
    list_select_related = ["organisation"]
