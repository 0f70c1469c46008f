"""Admin for commission staff: facilities and bookings are read-only here; their changes go through the
services so that the booking rules, the history and the audit trail hold."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.core.admin import StatusHistoryInline
from techtransfer.facilities.models import Booking, BookingStatusChange, Facility, FacilityStatusChange


class ReadOnly(admin.ModelAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FacilityHistoryInline(StatusHistoryInline):
    model = FacilityStatusChange


class BookingHistoryInline(StatusHistoryInline):
    model = BookingStatusChange


@admin.register(Facility)
class FacilityAdmin(ReadOnly):
    list_display = ["name", "owner", "kind", "status", "district", "fee_outside"]
    list_filter = ["status", "kind", "field"]
    search_fields = ["name", "name_en", "model_number", "maker", "owner__name"]
    list_select_related = ["owner", "district"]
    inlines = [FacilityHistoryInline]


@admin.register(Booking)
class BookingAdmin(ReadOnly):
    list_display = ["facility", "organisation", "start", "end", "status", "hours", "fee"]
    list_filter = ["status", "outside"]
    search_fields = ["facility__name", "organisation__name"]
    date_hierarchy = "start"
    list_select_related = ["facility", "organisation"]
    inlines = [BookingHistoryInline]
