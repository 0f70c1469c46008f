from django.contrib import admin

from techtransfer.subscriptions.models import Notification, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "frequency", "email_enabled", "last_checked_at", "created"]
    list_filter = ["frequency", "email_enabled"]
    search_fields = ["name", "keywords", "query", "user__username", "user__email"]
    raw_id_fields = ["user"]
    filter_horizontal = ["fields", "regions"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "kind", "subscription", "created", "read_at", "digest_pending"]
    list_filter = ["kind", "digest_pending"]
    search_fields = ["title", "user__username"]
    raw_id_fields = ["user", "subscription"]
    date_hierarchy = "created"
