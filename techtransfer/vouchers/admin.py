"""Admin for commission staff. Programmes and their providers are edited on the site's own pages (through the
services, with the audit trail); vouchers and redemptions are read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.core.admin import StatusHistoryInline
from techtransfer.vouchers.models import Programme, Provider, Redemption, Voucher, VoucherStatusChange


class ReadOnly(admin.ModelAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VoucherHistoryInline(StatusHistoryInline):
    model = VoucherStatusChange


@admin.register(Programme)
class ProgrammeAdmin(ReadOnly):
    list_display = ["name", "kind", "year", "budget", "max_amount", "co_payment_ratio", "confirmed"]
    list_filter = ["kind", "year", "confirmed"]


@admin.register(Provider)
class ProviderAdmin(ReadOnly):
    list_display = ["organisation", "programme", "category", "active"]
    list_filter = ["programme", "category", "active"]
    search_fields = ["organisation__name", "services"]
    list_select_related = ["organisation", "programme"]


@admin.register(Voucher)
class VoucherAdmin(ReadOnly):
    list_display = ["number", "holder", "programme", "status", "amount", "valid_until", "redeemed_amount"]
    list_filter = ["programme", "status", "applicant_type"]
    search_fields = ["number", "holder__name"]
    list_select_related = ["holder", "programme"]
    inlines = [VoucherHistoryInline]


@admin.register(Redemption)
class RedemptionAdmin(ReadOnly):
    list_display = ["voucher", "provider", "invoice_number", "invoice_amount", "paid_amount", "created"]
    search_fields = ["voucher__number", "invoice_number"]
    list_select_related = ["voucher", "provider__organisation"]
    exclude = ["file"]
