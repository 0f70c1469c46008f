"""Transformation deals API (/api/v1/deals/, /api/v1/publicity/): one class per operation, each calling one
selector or service.

What it shows is what the pages show: a deal's unit and the commission read it in full (objections with the
objectors' contact details); the public reads the publicity notices, with public fields only and never a
contact. Writes go through the services (403 who, 409 when, 400 what).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import EDITOR_ROLES, org_ids
from techtransfer.achievements.models import Achievement
from techtransfer.api.fields import ChoiceLabelField, StrictInputMixin
from techtransfer.api.pagination import paginated_response
from techtransfer.api.schema import NOT_FOUND, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, StatusHistorySerializer, step_api_routes
from techtransfer.contracts.models import TechnologyContract
from techtransfer.deals import selectors, services
from techtransfer.deals.choices import DealMode, DealStatus, LicenceType, PricingMethod
from techtransfer.deals.models import Deal, Objection
from techtransfer.deals.workflows import DEAL_FLOW, publicity_ended
from techtransfer.lib.validators import DB_ID_MAX, NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH

TAGS = ["deals"]
PUBLIC_TAGS = ["publicity"]
MONEY = {"max_digits": 16, "decimal_places": 2}
SHARES = {"max_digits": 18, "decimal_places": 4}
SHARE = {"max_digits": 5, "decimal_places": 4}
YUAN = "In yuan (元)."
NO_UNIT = _("You record deals for no unit; ask your unit's TTO officer.")


class ObjectionSerializer(serializers.Serializer):
    """An objection as the unit sees it (with the objector's contact details)."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = ChoiceLabelField("status")
    lodged_at = serializers.DateTimeField(source="created")
    name = serializers.CharField()
    contact = serializers.CharField()
    text = serializers.CharField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="Deal")
class DealOutputSerializer(serializers.Serializer):
    """A deal as its page shows it (only the unit's members and the commission read one)."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(DealStatus.values))
    status_label = ChoiceLabelField("status")
    owner = OrganisationRefSerializer()
    achievement = serializers.IntegerField(source="achievement_id")
    achievement_name = serializers.CharField(source="achievement.name")
    mode = serializers.CharField()
    mode_label = ChoiceLabelField("mode")
    licence_type = serializers.CharField()
    counterparty_name = serializers.CharField()
    counterparty = OrganisationRefSerializer(allow_null=True)
    summary = serializers.CharField()
    pricing_method = serializers.CharField()
    price = serializers.DecimalField(allow_null=True, help_text=YUAN, **MONEY)
    exchange_name = serializers.CharField()
    listing_reference = serializers.CharField()
    auction_result = serializers.CharField()
    company_name = serializers.CharField()
    shares = serializers.DecimalField(allow_null=True, **SHARES)
    capital_share = serializers.DecimalField(allow_null=True, **SHARE)
    first_profitable_year = serializers.IntegerField(allow_null=True)
    decision_date = serializers.DateField(allow_null=True)
    decision_meeting = serializers.CharField()
    due_diligence = serializers.CharField()
    rule_set = serializers.CharField(source="rule_set.name", allow_null=True, default=None)
    publicity_start = serializers.DateTimeField(allow_null=True)
    publicity_end = serializers.DateTimeField(allow_null=True)
    publicity_ended = serializers.SerializerMethodField()
    signed_on = serializers.DateField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    contract = serializers.IntegerField(source="contract_id", allow_null=True)
    attachments = serializers.SerializerMethodField()
    objections = ObjectionSerializer(many=True, source="objections.all")
    allowed_actions = AllowedActionsField()
    history = StatusHistorySerializer(many=True, source="status_changes.all")

    def get_publicity_ended(self, deal: Deal) -> bool:
        return publicity_ended(deal)

    def get_attachments(self, deal: Deal) -> list[dict[str, Any]]:
        return [
            {"id": a.pk, "kind": a.kind, "name": a.original_name, "size": a.size,
             "url": reverse("deals:attachment", args=[deal.pk, a.pk])}
            for a in deal.attachments.all()
        ]


@extend_schema_serializer(component_name="DealSummary")
class DealListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = ChoiceLabelField("status")
    owner = OrganisationRefSerializer()
    achievement = serializers.IntegerField(source="achievement_id")
    achievement_name = serializers.CharField(source="achievement.name")
    mode = serializers.CharField()
    pricing_method = serializers.CharField()
    price = serializers.DecimalField(allow_null=True, **MONEY)
    counterparty_name = serializers.CharField()
    publicity_end = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    open_objections = serializers.IntegerField()


class DealInputSerializer(StrictInputMixin, serializers.Serializer):
    achievement = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX)
    mode = serializers.ChoiceField(choices=DealMode.choices, required=False)
    licence_type = serializers.ChoiceField(choices=LicenceType.choices, required=False, allow_blank=True)
    counterparty_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    counterparty = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=DB_ID_MAX)
    summary = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    pricing_method = serializers.ChoiceField(choices=PricingMethod.choices, required=False, allow_blank=True)
    price = serializers.DecimalField(min_value=Decimal("0"), required=False, allow_null=True, help_text=YUAN, **MONEY)
    exchange_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    listing_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    auction_result = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    company_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    shares = serializers.DecimalField(min_value=Decimal("0"), required=False, allow_null=True, **SHARES)
    capital_share = serializers.DecimalField(
        min_value=Decimal("0"), max_value=Decimal("1"), required=False, allow_null=True, **SHARE
    )
    first_profitable_year = serializers.IntegerField(required=False, allow_null=True, min_value=1949, max_value=2999)
    decision_date = serializers.DateField(required=False, allow_null=True)
    decision_meeting = serializers.CharField(max_length=200, required=False, allow_blank=True)
    due_diligence = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    signed_on = serializers.DateField(required=False, allow_null=True)
    contract = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=DB_ID_MAX,
                                        help_text="Id of a technology contract the unit registered as the seller.")

    def to_service(self, owner_id: int) -> dict[str, Any]:
        """The validated input with ids resolved (an id of something else's is a field error)."""
        data = dict(self.validated_data)
        errors: dict[str, list[str]] = {}
        if "achievement" in data:
            data["achievement"] = Achievement.objects.filter(pk=data["achievement"], owner_id=owner_id).first()
            if data["achievement"] is None:
                errors["achievement"] = [str(services.NOT_OWN_ACHIEVEMENT)]
        if data.get("counterparty") is not None:
            data["counterparty"] = Organisation.objects.filter(pk=data["counterparty"], is_verified=True).first()
            if data["counterparty"] is None:
                errors["counterparty"] = [str(_("No verified organisation has this id."))]
        if data.get("contract") is not None:
            data["contract"] = TechnologyContract.objects.filter(pk=data["contract"]).first()
            if data["contract"] is None:
                errors["contract"] = [str(services.CONTRACT_NOT_OURS)]
        if errors:
            raise serializers.ValidationError(errors)
        return data


@extend_schema_serializer(component_name="DealCreate")
class DealCreateSerializer(DealInputSerializer):
    owner = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX,
                                     help_text="Id of the unit (default: your first unit).")


def _detail(request: Request, pk: int) -> dict[str, Any]:
    deal = selectors.deal_get(user=request.user, pk=pk)
    return dict(DealOutputSerializer(deal, context={"request": request}).data)


class DealListApi(APIView):
    """The deals you may read (your units'), newest first."""

    permission_classes = [permissions.IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=DealStatus.choices, required=False)
        mode = serializers.ChoiceField(choices=DealMode.choices, required=False)
        objections = serializers.ChoiceField(choices=[("open", "open")], required=False)
        q = serializers.CharField(required=False, allow_blank=True, max_length=200)

    @extend_schema(operation_id="deals_list", parameters=[FilterSerializer],
                   responses={200: DealListOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            queryset=selectors.deal_list(user=request.user, filters=filters.validated_data),
            serializer_class=DealListOutputSerializer, request=request, view=self,
        )


class DealCreateApi(APIView):
    """Record a new deal (a draft) for your unit."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="deals_create", request=DealCreateSerializer,
                   responses={201: DealOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request) -> Response:
        serializer = DealCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allowed = org_ids(request.user, EDITOR_ROLES)
        owner_id = serializer.validated_data.get("owner") or (min(allowed) if allowed else None)
        if owner_id is None or owner_id not in allowed:
            raise PermissionDenied(NO_UNIT)
        data = serializer.to_service(owner_id)
        data.pop("owner", None)
        deal = services.deal_create(by=request.user, owner=Organisation.objects.get(pk=owner_id), data=data)
        return Response(_detail(request, deal.pk), status=status.HTTP_201_CREATED)


class DealDetailApi(APIView):
    """One deal with its attachments, objections (with contact details), history and the steps you may take."""

    @extend_schema(operation_id="deals_retrieve", responses={200: DealOutputSerializer, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class DealUpdateApi(APIView):
    """Change a draft deal; fields not sent keep their values."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="deals_partial_update", request=DealInputSerializer,
                   responses={200: DealOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        deal = selectors.deal_get(user=request.user, pk=pk)
        serializer = DealInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.deal_update(deal=deal, by=request.user, data=serializer.to_service(deal.owner_id))
        return Response(_detail(request, pk))


class DealCompleteApi(APIView):
    """Complete the deal (the unit): after the publicity period with every objection answered, or at once for a
    listed or auctioned price and for own or joint implementation; optionally with its registered contract."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="DealComplete")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        contract = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=DB_ID_MAX)
        signed_on = serializers.DateField(required=False, allow_null=True)

    @extend_schema(operation_id="deals_complete", request=InputSerializer,
                   responses={200: DealOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        deal = selectors.deal_get(user=request.user, pk=pk)
        if not DEAL_FLOW.has_role(request.user, deal, DEAL_FLOW.step("complete")):
            raise PermissionDenied(DEAL_FLOW.role_refusal(request.user, deal, DEAL_FLOW.step("complete")))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract_id = serializer.validated_data.get("contract")
        contract = None
        if contract_id is not None:
            contract = TechnologyContract.objects.filter(pk=contract_id).first()
            if contract is None:
                raise serializers.ValidationError({"contract": [str(services.CONTRACT_NOT_OURS)]})
        services.deal_complete(
            deal=deal, by=request.user, contract=contract, signed_on=serializer.validated_data.get("signed_on")
        )
        return Response(_detail(request, pk))


@extend_schema_serializer(component_name="ObjectionLodge")
class ObjectionInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100)
    contact = serializers.CharField(max_length=200, help_text="Phone or e-mail; seen by the unit only.")
    text = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class ObjectionListApi(APIView):
    """The objections to a deal, with the objectors' contact details (the unit and the commission)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="deals_objections_list", responses={200: ObjectionSerializer(many=True),
                                                                     404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        deal = selectors.deal_get(user=request.user, pk=pk)
        return Response(ObjectionSerializer(selectors.deal_objections(deal=deal), many=True).data)


class ObjectionLodgeApi(APIView):
    """Object to a publicised price while its period runs (anyone, signed in or not). The answer shows only
    that it was received: the contact details are never returned."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(operation_id="deals_objections_create", request=ObjectionInputSerializer,
                   responses={201: None, **WRITE_ERRORS}, tags=PUBLIC_TAGS)
    def post(self, request: Request, pk: int) -> Response:
        deal = selectors.public_deal_get(pk=pk)
        serializer = ObjectionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = services.objection_lodge(deal=deal, by=request.user, **serializer.validated_data)
        return Response({"id": objection.pk, "status": objection.status}, status=status.HTTP_201_CREATED)


class ObjectionAnswerApi(APIView):
    """The unit answers an objection, which resolves it."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ObjectionAnswer")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        answer = serializers.CharField(max_length=NOTE_MAX_LENGTH)

    @extend_schema(operation_id="deals_objections_answer", request=InputSerializer,
                   responses={200: ObjectionSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int, objection_pk: int) -> Response:
        deal = selectors.deal_get(user=request.user, pk=pk)
        objection = get_object_or_404(Objection, pk=objection_pk, deal=deal)
        if not DEAL_FLOW.roles["owner"].check(request.user, deal):
            raise PermissionDenied(DEAL_FLOW.roles["owner"].refusal_for(request.user, deal))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answered = services.objection_answer(objection=objection, by=request.user,
                                             answer=serializer.validated_data["answer"])
        return Response(ObjectionSerializer(answered).data)


# ---- the public notices


@extend_schema_serializer(component_name="PublicityNotice")
class PublicNoticeSerializer(serializers.Serializer):
    """A publicity notice: what the public page shows (never the objectors or their contact details)."""

    id = serializers.IntegerField()
    unit = serializers.CharField(source="owner.name")
    achievement_name = serializers.CharField(source="achievement.name")
    achievement_url = serializers.SerializerMethodField()
    mode = serializers.CharField()
    mode_label = ChoiceLabelField("mode")
    licence_type = serializers.CharField()
    proposed_price = serializers.DecimalField(source="price", allow_null=True, help_text=YUAN, **MONEY)
    publicity_start = serializers.DateTimeField()
    publicity_end = serializers.DateTimeField()
    publicity_ended = serializers.SerializerMethodField()
    completed = serializers.SerializerMethodField()

    def get_achievement_url(self, deal: Deal) -> str | None:
        if deal.achievement.status != "published":
            return None
        return reverse("achievements:detail", args=[deal.achievement_id])

    def get_publicity_ended(self, deal: Deal) -> bool:
        return publicity_ended(deal)

    def get_completed(self, deal: Deal) -> bool:
        return deal.status == DealStatus.COMPLETED


@extend_schema_serializer(component_name="PublicityNoticeDetail")
class PublicNoticeDetailSerializer(PublicNoticeSerializer):
    completers = serializers.SerializerMethodField()
    completing_units = serializers.SerializerMethodField()

    def get_completers(self, deal: Deal) -> list[str]:
        return selectors.public_completers(deal=deal)[0]

    def get_completing_units(self, deal: Deal) -> list[str]:
        return selectors.public_completers(deal=deal)[1]


class PublicityListApi(APIView):
    """The publicity notices of negotiated prices (公示, Law Art. 18), the latest first."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(operation_id="publicity_list", responses={200: PublicNoticeSerializer(many=True)},
                   tags=PUBLIC_TAGS)
    def get(self, request: Request) -> Response:
        return paginated_response(
            queryset=selectors.public_deal_list(), serializer_class=PublicNoticeSerializer, request=request, view=self
        )


class PublicityDetailApi(APIView):
    """One publicity notice, with the achievement's completers."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(operation_id="publicity_retrieve", responses={200: PublicNoticeDetailSerializer, 404: NOT_FOUND},
                   tags=PUBLIC_TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(PublicNoticeDetailSerializer(selectors.public_deal_get(pk=pk)).data)


def _step_detail(request: Request, pk: int, result: Deal) -> dict[str, Any]:
    try:
        return _detail(request, pk)
    except Http404:
        return dict(DealOutputSerializer(result, context={"request": request}).data)


STEP_ROUTES = step_api_routes(
    DEAL_FLOW,
    detail=_step_detail,
    resource="deals",
    operation_prefix="deals",
    component_prefix="Deal",
    response=DealOutputSerializer,
    tags=TAGS,
    input_help={"withdraw": "Why the deal is withdrawn (optional)."},
)
