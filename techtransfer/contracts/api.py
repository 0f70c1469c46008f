"""Technology contracts API (/api/v1/contracts/): one class per operation, each calling one selector or service.

What it shows a user is what the contract's page shows them: reads go through the selectors (a contract the
caller may not read is a 404 whatever the operation), writes through the services (403 who, 409 when, 400 what).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation
from techtransfer.api.fields import ChoiceLabelField, CodeField, CodeLabelField, StrictInputMixin
from techtransfer.api.pagination import paginated_response
from techtransfer.api.schema import NOT_FOUND, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, StatusHistorySerializer, step_api_routes
from techtransfer.contracts import services
from techtransfer.contracts.choices import Category, ContractForm, ContractStatus, NonTechnicalKind, SubType
from techtransfer.contracts.forms import CODE_FIELDS
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.permissions import sells_for
from techtransfer.contracts.selectors import contract_get, contract_list
from techtransfer.contracts.workflows import CONTRACT_FLOW
from techtransfer.lib.validators import DB_ID_MAX

TAGS = ["contracts"]
MONEY = {"max_digits": 16, "decimal_places": 2}
YUAN = "In yuan (元)."
NO_SELLER = _("You belong to no organisation that can register contracts; ask your organisation's TTO officer.")


class NonTechnicalItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NonTechnicalKind.choices)
    description = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(min_value=Decimal("0"), help_text=YUAN, **MONEY)
    carrier = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="documents, media or equipment_sets for a reasonable quantity of carriers (not deducted).",
    )
    quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    deducted = serializers.BooleanField(read_only=True)


def _code_fields(read_only: bool) -> dict[str, serializers.Field]:
    fields: dict[str, serializers.Field] = {}
    for name, table in CODE_FIELDS.items():
        fields[name] = CodeField(table, read_only=read_only, required=False, allow_null=True)
        if read_only:
            fields[f"{name}_label"] = CodeLabelField(source=name, allow_null=True)
    return fields


ContractCodesOutput = type("ContractCodesOutput", (serializers.Serializer,), _code_fields(read_only=True))


@extend_schema_serializer(component_name="Contract")
class ContractOutputSerializer(ContractCodesOutput):  # type: ignore[valid-type,misc]  # built from CODE_FIELDS
    """A contract as its page shows it to the caller (only parties, its registrars and administrators read one)."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(ContractStatus.values))
    status_label = ChoiceLabelField("status")
    number = serializers.CharField(allow_null=True)
    project_name = serializers.CharField()
    contract_form = serializers.CharField()
    signed_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    category = serializers.CharField()
    category_label = ChoiceLabelField("category")
    subtype = serializers.CharField()
    subtype_label = ChoiceLabelField("subtype")
    summary = serializers.CharField()
    seller = OrganisationRefSerializer()
    seller_name = serializers.CharField()
    buyer = OrganisationRefSerializer(allow_null=True)
    buyer_name = serializers.CharField()
    registration_point = OrganisationRefSerializer()
    turnover = serializers.DecimalField(help_text=YUAN, **MONEY)
    declared_technical_value = serializers.DecimalField(help_text=YUAN, **MONEY)
    approved_technical_value = serializers.DecimalField(allow_null=True, help_text=YUAN, **MONEY)
    approval_note = serializers.CharField()
    expected_investment = serializers.DecimalField(allow_null=True, **MONEY)
    expected_output = serializers.DecimalField(allow_null=True, **MONEY)
    non_technical_items = NonTechnicalItemSerializer(many=True, source="non_technical_items.all")
    submitted_at = serializers.DateTimeField(allow_null=True)
    decision_due = serializers.DateField(allow_null=True)
    disputed = serializers.BooleanField()
    registered_on = serializers.DateField(allow_null=True)
    refusal_grounds = serializers.ListField(child=serializers.CharField())
    refusal_note = serializers.CharField()
    contact_request = serializers.IntegerField(source="contact_request_id", allow_null=True)
    attachments = serializers.SerializerMethodField()
    certificate_url = serializers.SerializerMethodField()
    allowed_actions = AllowedActionsField()
    history = StatusHistorySerializer(many=True, source="status_changes.all")

    def get_attachments(self, contract: TechnologyContract) -> list[dict[str, Any]]:
        from django.urls import reverse

        return [
            {"id": a.pk, "kind": a.kind, "name": a.original_name, "size": a.size,
             "url": reverse("contracts:attachment", args=[contract.pk, a.pk])}
            for a in contract.attachments.all()
        ]

    def get_certificate_url(self, contract: TechnologyContract) -> str | None:
        from django.urls import reverse

        return reverse("contracts:certificate", args=[contract.pk]) if contract.status == "registered" else None


@extend_schema_serializer(component_name="ContractSummary")
class ContractListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = ChoiceLabelField("status")
    number = serializers.CharField(allow_null=True)
    project_name = serializers.CharField()
    category = serializers.CharField()
    subtype = serializers.CharField()
    seller_name = serializers.CharField()
    buyer_name = serializers.CharField()
    signed_on = serializers.DateField()
    turnover = serializers.DecimalField(**MONEY)
    declared_technical_value = serializers.DecimalField(**MONEY)
    approved_technical_value = serializers.DecimalField(allow_null=True, **MONEY)
    decision_due = serializers.DateField(allow_null=True)
    registered_on = serializers.DateField(allow_null=True)


ContractCodesInput = type("ContractCodesInput", (serializers.Serializer,), _code_fields(read_only=False))


class ContractInputSerializer(StrictInputMixin, ContractCodesInput):  # type: ignore[valid-type,misc]  # see above
    project_name = serializers.CharField(max_length=200, required=False)
    contract_form = serializers.ChoiceField(choices=ContractForm.choices, required=False)
    signed_on = serializers.DateField(required=False)
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    subtype = serializers.ChoiceField(choices=SubType.choices, required=False)
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    seller_name = serializers.CharField(max_length=200, required=False)
    buyer = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=DB_ID_MAX,
                                     help_text="Id of the buyer organisation, if it is on the platform.")
    buyer_name = serializers.CharField(max_length=200, required=False)
    turnover = serializers.DecimalField(min_value=Decimal("0"), required=False, help_text=YUAN, **MONEY)
    expected_investment = serializers.DecimalField(min_value=Decimal("0"), required=False, allow_null=True, **MONEY)
    expected_output = serializers.DecimalField(min_value=Decimal("0"), required=False, allow_null=True, **MONEY)
    non_technical_items = NonTechnicalItemSerializer(many=True, required=False)

    def validate_buyer(self, value: int | None) -> Organisation | None:
        if value is None:
            return None
        buyer = Organisation.objects.filter(pk=value, is_verified=True).first()
        if buyer is None:
            raise serializers.ValidationError(_("No verified organisation has this id."))
        return buyer


@extend_schema_serializer(component_name="ContractCreate")
class ContractCreateSerializer(ContractInputSerializer):
    seller = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX,
                                      help_text="Id of the selling organisation (default: your first).")


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    data = dict(data)
    items = data.pop("non_technical_items", None)
    data.pop("seller", None)
    return data, items


def _detail(request: Request, pk: int) -> dict[str, Any]:
    contract = contract_get(user=request.user, pk=pk)
    return dict(ContractOutputSerializer(contract, context={"request": request}).data)


class ContractListApi(APIView):
    """Contracts you may read (your organisations' as seller or buyer; your registration point's), newest first."""

    permission_classes = [permissions.IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=ContractStatus.choices, required=False)
        category = serializers.ChoiceField(choices=Category.choices, required=False)
        q = serializers.CharField(required=False, allow_blank=True, max_length=200)

    @extend_schema(operation_id="contracts_list", parameters=[FilterSerializer],
                   responses={200: ContractListOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            queryset=contract_list(user=request.user, filters=filters.validated_data),
            serializer_class=ContractListOutputSerializer, request=request, view=self,
        )


class ContractCreateApi(APIView):
    """File a new application (a draft) for your organisation as the seller."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="contracts_create", request=ContractCreateSerializer,
                   responses={201: ContractOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request) -> Response:
        serializer = ContractCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allowed = sells_for(request.user)
        seller_id = serializer.validated_data.get("seller") or (min(allowed) if allowed else None)
        if seller_id is None or seller_id not in allowed:
            raise PermissionDenied(NO_SELLER)
        data, items = _split(serializer.validated_data)
        contract = services.contract_create(
            by=request.user, seller=Organisation.objects.get(pk=seller_id), data=data, items=items or []
        )
        return Response(_detail(request, contract.pk), status=status.HTTP_201_CREATED)


class ContractDetailApi(APIView):
    """One contract with its items, attachments, history and the steps you may take."""

    @extend_schema(operation_id="contracts_retrieve", responses={200: ContractOutputSerializer, 404: NOT_FOUND},
                   tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class ContractUpdateApi(APIView):
    """Change a draft or a returned application; `non_technical_items`, when sent, replaces the stored ones."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="contracts_partial_update", request=ContractInputSerializer,
                   responses={200: ContractOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        contract = contract_get(user=request.user, pk=pk)
        serializer = ContractInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, items = _split(serializer.validated_data)
        services.contract_update(contract=contract, by=request.user, data=data, items=items)
        return Response(_detail(request, pk))


class ContractRegisterApi(APIView):
    """Register (registrar of the contract's point): approve the technical value (default: the declared one;
    a different value needs `approval_note`), assign the number, issue the certificate."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ContractRegister")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        approved_value = serializers.DecimalField(min_value=Decimal("0"), required=False, **MONEY)
        approval_note = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    @extend_schema(operation_id="contracts_register", request=InputSerializer,
                   responses={200: ContractOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        contract = contract_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.contract_register(
            contract=contract, by=request.user, approved_value=serializer.validated_data.get("approved_value"),
            approval_note=serializer.validated_data.get("approval_note", ""),
        )
        return Response(_detail(request, pk))


class ContractRefuseApi(APIView):
    """Refuse registration (未予登记) with grounds (codes) of the rule set in force on the application."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ContractRefuse")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        grounds = serializers.ListField(child=serializers.CharField(max_length=8), min_length=1, max_length=20)
        note = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    @extend_schema(operation_id="contracts_refuse", request=InputSerializer,
                   responses={200: ContractOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        contract = contract_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.contract_refuse(
            contract=contract, by=request.user, grounds=serializer.validated_data["grounds"],
            note=serializer.validated_data.get("note", ""),
        )
        return Response(_detail(request, pk))


def _step_detail(request: Request, pk: int, result: TechnologyContract) -> dict[str, Any]:
    try:
        return _detail(request, pk)
    except Http404:
        return dict(ContractOutputSerializer(result, context={"request": request}).data)


STEP_ROUTES = step_api_routes(
    CONTRACT_FLOW,
    detail=_step_detail,
    resource="contracts",
    operation_prefix="contracts",
    component_prefix="Contract",
    response=ContractOutputSerializer,
    tags=TAGS,
    input_help={"return": "What the seller must correct; shown to the seller.", "dispute": "What is disputed."},
)
