"""Routes of this app under /api/v1/ (included by techtransfer/api/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.subscriptions import api

urlpatterns = [
    path(
        "subscriptions/",
        method_route(get=api.SubscriptionListApi, post=api.SubscriptionCreateApi),
        name="subscriptions",
    ),
    path(
        "subscriptions/<int:pk>/",
        method_route(get=api.SubscriptionDetailApi, patch=api.SubscriptionUpdateApi, delete=api.SubscriptionDeleteApi),
        name="subscription",
    ),
    path("notifications/", api.NotificationListApi.as_view(), name="notifications"),
    path("notifications/<int:pk>/read", api.NotificationReadApi.as_view(), name="notification-read"),
]
