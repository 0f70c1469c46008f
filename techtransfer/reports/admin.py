from django.contrib import admin

from techtransfer.reports.models import AnnualReport, DeadlineRule, ReminderSent, ReportingUnitExtra, ReportingYear


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "name", "unit_month", "unit_day", "department_month", "department_day"]


@admin.register(ReportingYear)
class ReportingYearAdmin(admin.ModelAdmin):
    list_display = ["year", "unit_deadline", "department_deadline"]


@admin.register(ReportingUnitExtra)
class ReportingUnitExtraAdmin(admin.ModelAdmin):
    list_display = ["organisation", "reason", "created"]
    raw_id_fields = ["organisation"]


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ["organisation", "year", "status", "submitted_at", "days_late", "forwarded_at"]
    list_filter = ["year", "status"]
    raw_id_fields = ["organisation", "department", "created_by"]
    # The workflow moves the state; the admin only reads it.
    readonly_fields = ["status", "first_submitted_at", "submitted_at", "days_late", "accepted_at", "forwarded_at",
                       "department_days_late"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["sent_on", "year", "organisation", "deadline_kind", "when", "offset", "recipients"]
    list_filter = ["year", "deadline_kind"]
