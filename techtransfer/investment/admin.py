from django.contrib import admin

from techtransfer.investment.models import FundingProject, FundingRequest, Investor


@admin.register(Investor)
class InvestorAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "status", "ticket_min", "ticket_max"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "name_en", "organisation__name"]
    raw_id_fields = ["organisation", "created_by"]
    filter_horizontal = ["fields"]
    readonly_fields = ["status", "published_at"]


@admin.register(FundingProject)
class FundingProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "amount", "stage", "status"]
    list_filter = ["status", "stage"]
    search_fields = ["title", "owner__name"]
    raw_id_fields = ["owner", "created_by", "achievement", "deal", "field"]
    readonly_fields = ["status"]


@admin.register(FundingRequest)
class FundingRequestAdmin(admin.ModelAdmin):
    list_display = ["project", "investor", "status", "invested_amount", "invested_on"]
    list_filter = ["status"]
    raw_id_fields = ["project", "investor", "sent_by"]
    readonly_fields = ["status"]
