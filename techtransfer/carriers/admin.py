"""Admin for commission staff: carriers and firms are read-only here (changes go through the services);
the incubation targets, dated data, are edited here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.carriers.models import Carrier, CarrierStatusChange, IncubatedFirm, IncubationTarget
from techtransfer.core.admin import StatusHistoryInline


class StatusChangeInline(StatusHistoryInline):
    model = CarrierStatusChange


class ReadOnly(admin.ModelAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Carrier)
class CarrierAdmin(ReadOnly):
    list_display = ["name", "carrier_type", "level", "recognition_year", "district", "owner", "status"]
    list_filter = ["status", "level", "carrier_type"]
    search_fields = ["name", "owner__name", "address"]
    list_select_related = ["carrier_type", "district", "owner"]
    inlines = [StatusChangeInline]


@admin.register(IncubatedFirm)
class IncubatedFirmAdmin(ReadOnly):
    list_display = ["name", "uscc", "carrier", "entry_date", "graduation_date", "status"]
    list_filter = ["status"]
    search_fields = ["name", "uscc", "carrier__name"]
    list_select_related = ["carrier"]


@admin.register(IncubationTarget)
class IncubationTargetAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "firms", "source", "confirmed"]
