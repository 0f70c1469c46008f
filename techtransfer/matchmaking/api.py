"""Contact requests API (/api/v1/contact-requests/): one class per operation, each calling one selector or
service. A request the caller is not party to is a 404 whatever the operation; writes go through the
services (403 for who, 409 for when, 400 for what)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation
from techtransfer.api.fields import ChoiceLabelField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, paginated_response
from techtransfer.api.schema import NOT_AUTHENTICATED, NOT_FOUND, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, StatusHistorySerializer, step_api_routes
from techtransfer.matchmaking import selectors, services
from techtransfer.matchmaking.choices import Stage
from techtransfer.matchmaking.models import ContactRequest
from techtransfer.matchmaking.services import MESSAGE_MAX
from techtransfer.matchmaking.workflows import CONTACT_REQUEST_FLOW

TAGS = ["contact-requests"]
NO_SUCH = {
    "demand": _("No such technology demand, or you may not see it."),
    "achievement": _("No such achievement, or you may not see it."),
    "opened_by_org": _("No such organisation."),
}


class StageField(serializers.CharField):
    """A stage code. Documented as a plain string with its values listed: an enum here would be named after
    the field ("stage"), which other apps' choice sets also use, and the schema check fails on such clashes."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "One of: " + ", ".join(Stage.values) + ".")
        super().__init__(**kwargs)


@extend_schema_serializer(component_name="ContactRequestDemandRef")
class DemandRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    owner = OrganisationRefSerializer()


@extend_schema_serializer(component_name="ContactRequestAchievementRef")
class AchievementRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    owner = OrganisationRefSerializer()


@extend_schema_serializer(component_name="ContactRequestSummary")
class ContactRequestListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stage = StageField()
    stage_label = ChoiceLabelField("stage")
    demand = DemandRefSerializer()
    achievement = AchievementRefSerializer()
    opened_by = serializers.CharField(source="opened_by.display_name", allow_null=True, default=None)
    opened_by_org = OrganisationRefSerializer()
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    contract_id = serializers.IntegerField(
        allow_null=True, help_text="The technology contract that records a signed deal (null until registered)."
    )
    contract_number = serializers.CharField(help_text="Its registration number; empty until registered.")
    allowed_actions = AllowedActionsField()


@extend_schema_serializer(component_name="ContactRequestSigning")
class SigningOutputSerializer(serializers.Serializer):
    demand_confirmed_by = serializers.CharField(
        source="demand_confirmed_by.display_name", allow_null=True, default=None
    )
    demand_confirmed_at = serializers.DateTimeField(allow_null=True)
    achievement_confirmed_by = serializers.CharField(
        source="achievement_confirmed_by.display_name", allow_null=True, default=None
    )
    achievement_confirmed_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="ContactRequest")
class ContactRequestDetailOutputSerializer(ContactRequestListOutputSerializer):
    message = serializers.CharField()
    signing = SigningOutputSerializer(source="*")
    history = serializers.SerializerMethodField()

    @extend_schema_field(StatusHistorySerializer(many=True))
    def get_history(self, obj: ContactRequest) -> list[dict[str, Any]]:
        return StatusHistorySerializer(CONTACT_REQUEST_FLOW.history_of(obj), many=True).data


@extend_schema_serializer(component_name="ContactNote")
class NoteOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.display_name", allow_null=True, default=None)
    org = OrganisationRefSerializer()
    text = serializers.CharField()
    created = serializers.DateTimeField()


def _detail(request: Request, pk: Any) -> dict[str, Any]:
    contact_request = selectors.contact_request_get(user=request.user, pk=pk)
    return ContactRequestDetailOutputSerializer(contact_request, context={"request": request}).data


class ContactRequestListApi(APIView):
    """The contact requests you take part in (commission admins: all), recently active first."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination
    OutputSerializer = ContactRequestListOutputSerializer

    @extend_schema(
        operation_id="contact_requests_list",
        parameters=[OpenApiParameter("stage", OpenApiTypes.STR, enum=Stage.values, description="Only this stage.")],
        responses={200: OutputSerializer(many=True), 400: VALIDATION_ERROR, 401: NOT_AUTHENTICATED},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        stage = request.query_params.get("stage", "")
        if stage and stage not in Stage.values:
            raise serializers.ValidationError({"stage": [_("Not a stage: %(s)s.") % {"s": stage}]})
        return paginated_response(
            queryset=selectors.contact_request_list(user=request.user, stage=stage or None),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )


class ContactRequestOpenApi(APIView):
    """Open a contact request between a demand and an achievement, for the demand's organisation, the
    achievement's organisation or your broker organisation (`opened_by_org`; default: the first of these)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ContactRequestOpen")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        demand = serializers.IntegerField(help_text="Id of a published (or expired) technology demand.")
        achievement = serializers.IntegerField(help_text="Id of a published achievement.")
        message = serializers.CharField(max_length=MESSAGE_MAX)
        opened_by_org = serializers.IntegerField(required=False, help_text="The organisation you act for.")

    OutputSerializer = ContactRequestDetailOutputSerializer

    @extend_schema(
        operation_id="contact_requests_create",
        request=InputSerializer,
        responses={201: OutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            demand = selectors.openable_demand(user=request.user, pk=data["demand"])
        except Http404:
            raise serializers.ValidationError({"demand": [NO_SUCH["demand"]]}) from None
        try:
            achievement = selectors.openable_achievement(user=request.user, pk=data["achievement"])
        except Http404:
            raise serializers.ValidationError({"achievement": [NO_SUCH["achievement"]]}) from None
        org = None
        if data.get("opened_by_org") is not None:
            org = Organisation.objects.filter(pk=data["opened_by_org"]).first()
            if org is None:
                raise serializers.ValidationError({"opened_by_org": [NO_SUCH["opened_by_org"]]})
        contact_request = services.contact_request_open(
            by=request.user, demand=demand, achievement=achievement, message=data["message"], opened_by_org=org
        )
        return Response(_detail(request, contact_request.pk), status=status.HTTP_201_CREATED)


class ContactRequestDetailApi(APIView):
    """One contact request with its signing state and stage history."""

    permission_classes = [permissions.IsAuthenticated]
    OutputSerializer = ContactRequestDetailOutputSerializer

    @extend_schema(
        operation_id="contact_requests_retrieve",
        responses={200: OutputSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class ContactNoteListApi(APIView):
    """The notes of a contact request, oldest first."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination
    OutputSerializer = NoteOutputSerializer

    @extend_schema(
        operation_id="contact_requests_notes_list",
        responses={200: OutputSerializer(many=True), 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        contact_request = selectors.contact_request_get(user=request.user, pk=pk)
        return paginated_response(
            queryset=selectors.contact_request_notes(contact_request=contact_request),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )


class ContactNoteCreateApi(APIView):
    """Add a note to an open contact request (parties only)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ContactNoteCreate")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        text = serializers.CharField(max_length=MESSAGE_MAX)

    OutputSerializer = NoteOutputSerializer

    @extend_schema(
        operation_id="contact_requests_notes_create",
        request=InputSerializer,
        responses={201: OutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        contact_request = selectors.contact_request_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.contact_note_add(
            contact_request=contact_request, by=request.user, text=serializer.validated_data["text"]
        )
        return Response(self.OutputSerializer(note).data, status=status.HTTP_201_CREATED)


STEP_ROUTES = step_api_routes(
    CONTACT_REQUEST_FLOW,
    detail=lambda request, pk, result: _detail(request, pk),
    resource="contact-requests",
    operation_prefix="contact_requests",
    component_prefix="ContactRequest",
    response=ContactRequestDetailOutputSerializer,
    tags=TAGS,
    input_help={
        "advance": "Shown in the timeline.",
        "confirm_signing": "Shown in the timeline.",
        "abandon": "Why the talks end; the parties see it.",
    },
)
