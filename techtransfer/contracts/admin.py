"""Admin for commission staff. Contracts are read-only here: they change through the services (the registration
workflow) so that the rules, the numbering and the audit trail hold. The rule sets are the commission's to edit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.contracts.models import (
    ContractAttachment,
    ContractNumberSequence,
    ContractRuleSet,
    ContractStatusChange,
    NonTechnicalItem,
    TechnologyContract,
)
from techtransfer.core.admin import ReadOnlyInline, StatusHistoryInline


class ItemInline(ReadOnlyInline):
    model = NonTechnicalItem
    fields = ["kind", "description", "amount", "carrier", "quantity"]


class AttachmentInline(ReadOnlyInline):
    model = ContractAttachment
    fields = ["kind", "original_name", "size", "created", "uploaded_by"]


class StatusChangeInline(StatusHistoryInline):
    model = ContractStatusChange


@admin.register(TechnologyContract)
class TechnologyContractAdmin(admin.ModelAdmin):
    list_display = ["project_name", "seller", "category", "status", "number", "registered_on", "turnover"]
    list_filter = ["status", "category", "registration_point"]
    search_fields = ["project_name", "number", "seller__name", "buyer_name", "external_ref"]
    date_hierarchy = "created"
    list_select_related = ["seller"]
    inlines = [ItemInline, AttachmentInline, StatusChangeInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ContractRuleSet)
class ContractRuleSetAdmin(admin.ModelAdmin):
    """The dated registration rules (categories, refusal grounds, deadlines, number format): the commission adds
    a rule set when regulation changes, and confirms the UNCONFIRMED values of the shipped ones here."""

    list_display = ["valid_from", "name", "deadline_days", "deadline_working_days", "large_deadline_days", "confirmed"]
    list_filter = ["confirmed"]


@admin.register(ContractNumberSequence)
class ContractNumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["prefix", "last"]

    # Serials are taken only by registration, under a lock; editing them here would create gaps or duplicates.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
