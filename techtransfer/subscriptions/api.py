"""Subscriptions API (/api/v1/subscriptions/, /api/v1/notifications/): one class per operation.

Everything here is personal: a caller sees and changes only their own subscriptions and notifications;
anybody else's is a 404, whatever the operation.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.api.fields import ChoiceLabelField, CodeField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, paginated_response
from techtransfer.api.schema import NOT_AUTHENTICATED, NOT_FOUND, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.subscriptions import selectors, services
from techtransfer.subscriptions.choices import Frequency, Kind
from techtransfer.subscriptions.matchers import FILTER_FACETS
from techtransfer.subscriptions.models import Notification, Subscription

SUBSCRIPTION_TAGS = ["subscriptions"]
NOTIFICATION_TAGS = ["notifications"]
NOTHING_TO_CHANGE = _("Send at least one field to change.")
CODES = serializers.ListField(child=serializers.CharField())


# ---------------------------------------------------------------- output


@extend_schema_serializer(component_name="Subscription")
class SubscriptionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField(), help_text=", ".join(Kind.values))
    kinds_labels = serializers.ListField(child=serializers.CharField(), source="get_kinds_display")
    fields = serializers.SerializerMethodField(
        method_name="get_field_codes", help_text="High-tech field codes; empty: any field."
    )
    fields_labels = serializers.SerializerMethodField(method_name="get_field_labels")
    regions = serializers.SerializerMethodField(help_text="Region codes; a province or city covers its districts.")
    regions_labels = serializers.SerializerMethodField()
    keywords = serializers.CharField(help_text="Words separated by spaces; a record matches if it contains any.")
    query = serializers.CharField(help_text="Saved search words (all words of one must be present).")
    filters = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=f"Saved search filters: facet ({', '.join(FILTER_FACETS)}) → codes.",
    )
    frequency = serializers.CharField(help_text=", ".join(Frequency.values))
    frequency_label = ChoiceLabelField("frequency")
    email_enabled = serializers.BooleanField()
    last_checked_at = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()

    @extend_schema_field(CODES)
    def get_field_codes(self, s: Subscription) -> list[str]:
        return [item.code for item in s.fields.all()]

    @extend_schema_field(CODES)
    def get_field_labels(self, s: Subscription) -> list[str]:
        return [item.label for item in s.fields.all()]

    @extend_schema_field(CODES)
    def get_regions(self, s: Subscription) -> list[str]:
        return [item.code for item in s.regions.all()]

    @extend_schema_field(CODES)
    def get_regions_labels(self, s: Subscription) -> list[str]:
        return [item.label for item in s.regions.all()]


@extend_schema_serializer(component_name="Notification")
class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="The kind of record: " + ", ".join(Kind.values) + ", proposal, ...")
    kind_label = serializers.CharField()
    object_id = serializers.IntegerField(help_text="Id of the record.")
    title = serializers.CharField()
    sentence = serializers.CharField(help_text="What happened, as the inbox says it (work notifications).")
    url = serializers.SerializerMethodField(help_text="The record's page.")
    reason = serializers.CharField(help_text="The words that matched, joined by 、 (empty: by field/region only).")
    event = serializers.CharField(help_text="Work notifications: the workflow step (kind.step); empty for matches.")
    note = serializers.CharField(help_text="Work notifications: the reason or note given with the step.")
    subscription = serializers.IntegerField(source="subscription_id", allow_null=True)
    subscription_name = serializers.CharField(source="subscription.name", allow_null=True, default=None)
    created = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, n: Notification) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(n.url) if request is not None else n.url


# ---------------------------------------------------------------- input


class SubscriptionFieldsInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Kind.choices), required=False, allow_empty=False
    )
    fields = serializers.ListField(
        child=CodeField("high_tech_field"), required=False, help_text="Replaces the stored ones."
    )
    regions = serializers.ListField(child=CodeField("region"), required=False, help_text="Replaces the stored ones.")
    keywords = serializers.CharField(max_length=300, required=False, allow_blank=True)
    query = serializers.CharField(max_length=200, required=False, allow_blank=True)
    filters = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=f"Facet ({', '.join(FILTER_FACETS)}) → codes.",
    )
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False)
    email_enabled = serializers.BooleanField(required=False)


def _split(validated: dict[str, Any]) -> dict[str, Any]:
    data = dict(validated)
    return {"data": data, "fields": data.pop("fields", None), "regions": data.pop("regions", None)}


def _subscription(request: Request, pk: int) -> dict[str, Any]:
    return SubscriptionOutputSerializer(selectors.subscription_get(user=request.user, pk=pk)).data


# ---------------------------------------------------------------- operations


class SubscriptionListApi(APIView):
    """Your subscriptions, newest first."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination
    OutputSerializer = SubscriptionOutputSerializer

    @extend_schema(
        operation_id="subscriptions_list",
        responses={200: OutputSerializer(many=True), 401: NOT_AUTHENTICATED},
        tags=SUBSCRIPTION_TAGS,
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            queryset=selectors.subscription_list(user=request.user),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )


class SubscriptionCreateApi(APIView):
    """Subscribe to new records of some kinds by fields, regions, keywords and/or a saved search."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="SubscriptionCreate")
    class InputSerializer(SubscriptionFieldsInputSerializer):
        name = serializers.CharField(max_length=100)
        kinds = serializers.ListField(child=serializers.ChoiceField(choices=Kind.choices), allow_empty=False)

    OutputSerializer = SubscriptionOutputSerializer

    @extend_schema(
        operation_id="subscriptions_create",
        request=InputSerializer,
        responses={201: OutputSerializer, **WRITE_ERRORS},
        tags=SUBSCRIPTION_TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.subscription_create(by=request.user, **_split(serializer.validated_data))
        return Response(_subscription(request, subscription.pk), status=status.HTTP_201_CREATED)


class SubscriptionDetailApi(APIView):
    """One of your subscriptions."""

    permission_classes = [permissions.IsAuthenticated]
    OutputSerializer = SubscriptionOutputSerializer

    @extend_schema(
        operation_id="subscriptions_retrieve",
        responses={200: OutputSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
        tags=SUBSCRIPTION_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_subscription(request, pk))


class SubscriptionUpdateApi(APIView):
    """Change a subscription; lists that are sent replace the stored ones."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="SubscriptionUpdate")
    class InputSerializer(SubscriptionFieldsInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    OutputSerializer = SubscriptionOutputSerializer

    @extend_schema(
        operation_id="subscriptions_partial_update",
        request=InputSerializer,
        responses={200: OutputSerializer, **WRITE_ERRORS},
        tags=SUBSCRIPTION_TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        subscription = selectors.subscription_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.subscription_update(subscription=subscription, by=request.user, **_split(serializer.validated_data))
        return Response(_subscription(request, pk))


class SubscriptionDeleteApi(APIView):
    """Delete a subscription (its notifications stay)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="subscriptions_destroy",
        responses={204: None, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
        tags=SUBSCRIPTION_TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        subscription = selectors.subscription_get(user=request.user, pk=pk)
        services.subscription_delete(subscription=subscription, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationListApi(APIView):
    """Your notifications: unread first, then newest first."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination
    OutputSerializer = NotificationOutputSerializer

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False, help_text="true: only the unread ones.")

    @extend_schema(
        operation_id="notifications_list",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), 400: VALIDATION_ERROR, 401: NOT_AUTHENTICATED},
        tags=NOTIFICATION_TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        unread_only = bool(filters.validated_data.get("unread"))
        return paginated_response(
            queryset=selectors.notification_list(user=request.user, unread_only=unread_only),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )


class NotificationReadApi(APIView):
    """Mark one notification read (again: no change)."""

    permission_classes = [permissions.IsAuthenticated]
    OutputSerializer = NotificationOutputSerializer

    @extend_schema(
        operation_id="notifications_read",
        request=None,
        responses={200: OutputSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
        tags=NOTIFICATION_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        notification = selectors.notification_get(user=request.user, pk=pk)
        notification = services.notification_mark_read(notification=notification, by=request.user)
        return Response(self.OutputSerializer(notification, context={"request": request}).data)
