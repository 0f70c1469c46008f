"""Admin for commission staff: code tables with their items, and the audit trail (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import AuditEvent, CalendarDay, CodeItem, CodeTable, ImportBatch

INLINE_MAX_ITEMS = 300


class CodeItemInline(admin.TabularInline):
    model = CodeItem
    extra = 0
    fields = ["code", "label_zh", "label_en", "parent", "sort_order", "active"]
    raw_id_fields = ["parent"]
    ordering = ["sort_order", "code"]
    show_change_link = True


@admin.register(CodeTable)
class CodeTableAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "version", "is_current", "confirmed", "effective_from"]
    list_filter = ["is_current", "confirmed"]
    search_fields = ["key", "name", "name_en"]
    inlines = [CodeItemInline]
    readonly_fields = ["items_link"]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[type[admin.TabularInline]]:
        # The region table has some 3,500 items: one page of inline rows would be too big to edit or post
        # (DATA_UPLOAD_MAX_NUMBER_FIELDS); its items are edited from their own list.
        if obj is not None and obj.items.count() > INLINE_MAX_ITEMS:
            return []
        return list(self.inlines)

    @admin.display(description=_("items"))
    def items_link(self, obj: CodeTable) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:core_codeitem_changelist") + f"?table__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("%(count)d items") % {"count": obj.items.count()})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Records point at the items of every version; an old version is retired, never deleted.
        return False


@admin.register(CodeItem)
class CodeItemAdmin(admin.ModelAdmin):
    list_display = ["code", "label_zh", "label_en", "table", "active"]
    list_filter = ["table__key", "table__is_current", "active", "table"]
    search_fields = ["code", "label_zh", "label_en"]
    raw_id_fields = ["parent"]
    list_select_related = ["table"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail can be read and searched here, never added to, changed or deleted."""

    list_display = ["at", "actor_repr", "action", "object_type", "object_id", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_repr", "object_repr", "object_id", "note"]
    date_hierarchy = "at"
    readonly_fields = ["at", "actor", "actor_repr", "action", "object_type", "object_id", "object_repr", "changes",
                       "note"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Parts of a record shown with it and never changed here (the services change them)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.fields or [])

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusHistoryInline(admin.TabularInline):
    """The history of a workflow record, read-only (steps are taken through the services, never here)."""

    extra = 0
    can_delete = False
    fields = ["at", "step", "from_state", "to_state", "by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Every bulk import of every app (read-only: a batch is the record of what an import did)."""

    list_display = ["created", "kind", "file_name", "scope_repr", "by", "mode", "total_rows", "created_count",
                    "unchanged_count", "error_count"]
    list_filter = ["kind", "mode"]
    search_fields = ["file_name", "scope_repr"]
    list_select_related = ["by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Public holidays and make-up working days: loaded from the chinesecalendar package on every migrate; a year the
    package does not have yet is added here (techtransfer.core.calendar)."""

    list_display = ["date", "weekday", "kind", "name", "source"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name", "source"]
    ordering = ["-date"]

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return date_format(obj.date, "l")
