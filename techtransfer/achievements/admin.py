"""Admin for commission staff. Achievements are read-mostly here: their changes go through the services
(workflow, revisions) so that the audit trail and the registration rules hold."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techtransfer.achievements.models import (
    Achievement,
    Attachment,
    CompletingPerson,
    CompletingUnit,
    FundedProject,
    IPItem,
    NumberSequence,
    RegistrationScheme,
    Revision,
    StatusChange,
)
from techtransfer.core.admin import ReadOnlyInline, StatusHistoryInline


class UnitInline(ReadOnlyInline):
    model = CompletingUnit
    fields = ["position", "name", "organisation"]


class PersonInline(ReadOnlyInline):
    model = CompletingPerson
    fields = ["position", "name", "unit_name", "title", "education", "birth_year"]


class IPItemInline(ReadOnlyInline):
    model = IPItem
    fields = ["kind", "number", "title", "holder", "granted"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["kind", "original_name", "size", "created", "uploaded_by"]


class StatusChangeInline(StatusHistoryInline):
    model = StatusChange


class RevisionInline(ReadOnlyInline):
    model = Revision
    fields = ["number", "at", "by", "changes", "reason"]


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "achievement_type", "status", "registration_number", "registered_at", "created"]
    list_filter = ["status", "achievement_type", "secrecy", "high_tech_field"]
    search_fields = ["name", "name_en", "registration_number", "owner__name"]
    date_hierarchy = "created"
    list_select_related = ["owner"]
    inlines = [UnitInline, PersonInline, IPItemInline, AttachmentInline, StatusChangeInline, RevisionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields] + ["transfer_modes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A record leaves the registry by being withdrawn, which the unit does on its page.
        return False


@admin.register(RegistrationScheme)
class RegistrationSchemeAdmin(admin.ModelAdmin):
    """The dated numbering rules: the commission adds a new one when the format changes."""

    list_display = ["valid_from", "pattern", "regex", "default_registry_code", "serial_digits"]


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["registry_code", "year", "type_flag", "last"]
    list_filter = ["year", "registry_code"]

    # Serials are taken only by registration, under a lock; editing them here would create gaps or duplicates.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FundedProject)
class FundedProjectAdmin(admin.ModelAdmin):
    list_display = ["grant_number", "title", "institution_name", "organisation", "programme", "start", "end"]
    list_filter = ["programme"]
    search_fields = ["grant_number", "title", "institution_name", "principal_investigator"]
    raw_id_fields = ["programme"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation", "programme"]
