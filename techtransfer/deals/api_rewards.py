"""Income-distribution API (/api/v1/reward-plans/, /api/v1/mobility/): one class per operation, each calling one
selector or service, showing what the plan's page shows the caller (a plan the caller may not read is a 404
whatever the operation; writes answer 403 who, 409 when, 400 what)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import parsers, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.models import CompletingPerson
from techtransfer.api.fields import ChoiceLabelField, StrictInputMixin
from techtransfer.api.pagination import paginated_response
from techtransfer.api.schema import NOT_FOUND, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, StatusHistorySerializer, step_api_routes
from techtransfer.deals import selectors_rewards as selectors
from techtransfer.deals import services_rewards as services
from techtransfer.deals.choices import CostKind, MobilityKind, RewardForm, RewardPlanStatus
from techtransfer.deals.models import Deal, Mobility, NetIncomeItem, RewardAllocation, RewardPlan
from techtransfer.deals.permissions import NOT_THE_UNIT, UNIT, can_edit_for
from techtransfer.deals.workflows_rewards import PLAN_FLOW
from techtransfer.lib.validators import DB_ID_MAX, NOTE_MAX_LENGTH, validate_sane_date

TAGS = ["reward-plans"]
MOBILITY_TAGS = ["mobility"]
MONEY = {"max_digits": 16, "decimal_places": 2}
SHARES = {"max_digits": 18, "decimal_places": 4}
YUAN = "In yuan (元)."
ID = {"min_value": 1, "max_value": DB_ID_MAX}


# ---------------------------------------------------------------- output


def _choice(value: str, values: list[str]) -> str:
    """A choice given as text (documented in the field's help; no enum component, whose name would collide
    with the other `kind` enums of the schema)."""
    if value not in values:
        raise serializers.ValidationError(_("“%(value)s” is not one of: %(values)s.") % {
            "value": value, "values": ", ".join(values)})
    return value


class CostOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=", ".join(CostKind.values))
    kind_label = ChoiceLabelField("kind")
    description = serializers.CharField()
    amount = serializers.DecimalField(help_text=YUAN, **MONEY)
    evidence_name = serializers.CharField()
    evidence_url = serializers.SerializerMethodField()

    def get_evidence_url(self, item: NetIncomeItem) -> str | None:
        return reverse("deals:cost_evidence", args=[item.plan_id, item.pk]) if item.evidence else None


class PaymentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(allow_null=True, help_text=YUAN, **MONEY)
    shares = serializers.DecimalField(allow_null=True, **SHARES)
    tax_withheld = serializers.DecimalField(allow_null=True, help_text=YUAN, **MONEY)


@extend_schema_serializer(component_name="RewardAllocation")
class AllocationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id", allow_null=True, help_text="A completing person's id.")
    person_name = serializers.CharField()
    is_main_contributor = serializers.BooleanField()
    is_leader = serializers.BooleanField()
    is_unit_head = serializers.BooleanField()
    form = serializers.CharField(help_text=", ".join(RewardForm.values))
    form_label = ChoiceLabelField("form")
    amount = serializers.DecimalField(allow_null=True, help_text=YUAN, **MONEY)
    shares = serializers.DecimalField(allow_null=True, **SHARES)
    payments = PaymentOutputSerializer(many=True, source="payments.all")


class FiguresSerializer(serializers.Serializer):
    """The base, the rule applied (with its source), the share and the pool, as the page shows them."""

    gross_income = serializers.DecimalField(source="gross", allow_null=True, help_text=YUAN, **MONEY)
    deductions = serializers.DecimalField(source="costs", help_text=YUAN, **MONEY)
    net_income = serializers.DecimalField(source="net", allow_null=True, help_text=YUAN, **MONEY)
    base = serializers.DecimalField(max_digits=18, decimal_places=4,
                                    help_text="Net income, shares formed or operating profit.")
    rule_name = serializers.CharField()
    rule_source = serializers.CharField()
    unit_rule = serializers.IntegerField(source="unit_rule.pk", allow_null=True, default=None)
    share = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True, help_text="A minimum.")
    pool = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    pool_unit = serializers.SerializerMethodField()

    def get_pool_unit(self, figures: services.PlanFigures) -> str:
        return "shares" if figures.in_shares else "yuan"


class CheckSerializer(serializers.Serializer):
    """The running check: the allocations' total against the pool, the main contributors' part against the
    minimum (in the pool's unit)."""

    total = serializers.DecimalField(max_digits=18, decimal_places=4)
    main = serializers.DecimalField(max_digits=18, decimal_places=4)
    pool_reached = serializers.BooleanField()
    main_minimum_share = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    main_minimum = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    main_ok = serializers.BooleanField()


@extend_schema_serializer(component_name="RewardPlan")
class PlanOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    deal = serializers.IntegerField(source="deal_id")
    deal_mode = serializers.CharField(source="deal.mode")
    owner = OrganisationRefSerializer(source="deal.owner")
    status = serializers.CharField(help_text=", ".join(RewardPlanStatus.values))
    status_label = ChoiceLabelField("status")
    income_date = serializers.DateField()
    gross_income = serializers.DecimalField(allow_null=True, help_text=YUAN, **MONEY)
    profit_year = serializers.IntegerField(allow_null=True)
    operating_profit = serializers.DecimalField(allow_null=True, help_text=YUAN, **MONEY)
    shares_formed = serializers.DecimalField(allow_null=True, **SHARES)
    costs = CostOutputSerializer(many=True, source="costs.all")
    figures = serializers.SerializerMethodField()
    check = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    allocations = AllocationOutputSerializer(many=True, source="allocations.all")
    approved_at = serializers.DateTimeField(allow_null=True)
    allowed_actions = AllowedActionsField()
    history = StatusHistorySerializer(many=True, source="status_changes.all")

    @extend_schema_field(FiguresSerializer)
    def get_figures(self, plan: RewardPlan) -> dict[str, Any]:
        return dict(FiguresSerializer(services.plan_figures(plan)).data)

    @extend_schema_field(CheckSerializer)
    def get_check(self, plan: RewardPlan) -> dict[str, Any]:
        return dict(CheckSerializer(services.allocation_check(plan)).data)

    def get_problems(self, plan: RewardPlan) -> list[str]:
        """What stands between the draft and its approval (for the unit; empty otherwise)."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if plan.status != RewardPlanStatus.DRAFT or not UNIT.check(user, plan):
            return []
        return list(services.approval_problems(plan).values())


@extend_schema_serializer(component_name="RewardPlanSummary")
class PlanListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    deal = serializers.IntegerField(source="deal_id")
    deal_mode = serializers.CharField(source="deal.mode")
    achievement_name = serializers.CharField(source="deal.achievement.name")
    status = serializers.CharField()
    status_label = ChoiceLabelField("status")
    income_date = serializers.DateField()
    profit_year = serializers.IntegerField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)


def _detail(request: Request, pk: Any) -> dict[str, Any]:
    plan = selectors.plan_get(user=request.user, pk=pk)
    return dict(PlanOutputSerializer(plan, context={"request": request}).data)


# ---------------------------------------------------------------- input


class PlanInputSerializer(StrictInputMixin, serializers.Serializer):
    income_date = serializers.DateField(required=False, validators=[validate_sane_date])
    gross_income = serializers.DecimalField(min_value=Decimal("0"), required=False, allow_null=True,
                                            help_text="Transfer or licence: the gross income (元).", **MONEY)
    profit_year = serializers.IntegerField(min_value=1900, max_value=2100, required=False, allow_null=True,
                                           help_text="Own or joint implementation: the year of the profit.")
    operating_profit = serializers.DecimalField(required=False, allow_null=True,
                                                help_text="Own or joint implementation: the year's profit (元).",
                                                **MONEY)
    shares_formed = serializers.DecimalField(min_value=Decimal("0"), required=False, allow_null=True,
                                             help_text="作价投资: the shares formed (default: the deal's).", **SHARES)


@extend_schema_serializer(component_name="RewardPlanCreate")
class PlanCreateSerializer(PlanInputSerializer):
    deal = serializers.IntegerField(help_text="The deal's id.", **ID)
    income_date = serializers.DateField(validators=[validate_sane_date],
                                        help_text="The date of the income: it chooses the rule in force.")


@extend_schema_serializer(component_name="RewardCostInput")
class CostInputSerializer(StrictInputMixin, serializers.Serializer):
    kind = serializers.CharField(max_length=16, help_text=", ".join(CostKind.values))
    description = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(min_value=Decimal("0"), help_text=YUAN, **MONEY)
    evidence = serializers.FileField(required=False, help_text="The evidence, a PDF (multipart upload).")

    def validate_kind(self, value: str) -> str:
        return _choice(value, CostKind.values)


class AllocationInputSerializer(StrictInputMixin, serializers.Serializer):
    person = serializers.IntegerField(required=False, allow_null=True,
                                      help_text="A completing person of the deal's achievement.", **ID)
    person_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    is_main_contributor = serializers.BooleanField(required=False)
    is_leader = serializers.BooleanField(required=False)
    is_unit_head = serializers.BooleanField(required=False)
    form = serializers.ChoiceField(choices=RewardForm.choices, required=False)
    amount = serializers.DecimalField(min_value=Decimal("0"), required=False, allow_null=True, help_text=YUAN,
                                      **MONEY)
    shares = serializers.DecimalField(min_value=Decimal("0"), required=False, allow_null=True, **SHARES)

    def validate_person(self, value: int | None) -> CompletingPerson | None:
        if value is None:
            return None
        person = CompletingPerson.objects.filter(pk=value).first()
        if person is None:
            raise serializers.ValidationError(services.PERSON_NOT_OF_ACHIEVEMENT)
        return person


@extend_schema_serializer(component_name="RewardAllocationCreate")
class AllocationCreateSerializer(AllocationInputSerializer):
    form = serializers.ChoiceField(choices=RewardForm.choices)


@extend_schema_serializer(component_name="RewardPaymentInput")
class PaymentInputSerializer(StrictInputMixin, serializers.Serializer):
    paid_on = serializers.DateField(validators=[validate_sane_date])
    amount = serializers.DecimalField(min_value=Decimal("0"), required=False, allow_null=True,
                                      help_text="A cash reward's amount (元).", **MONEY)
    shares = serializers.DecimalField(min_value=Decimal("0"), required=False, allow_null=True,
                                      help_text="An equity reward's shares.", **SHARES)
    tax_withheld = serializers.DecimalField(min_value=Decimal("0"), required=False, allow_null=True,
                                            help_text=YUAN, **MONEY)


# ---------------------------------------------------------------- plans


class PlanListApi(APIView):
    """Reward plans you may read (your units' deals'), newest income first."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="reward_plans_list", responses={200: PlanListOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        return paginated_response(queryset=selectors.plan_list(user=request.user),
                                  serializer_class=PlanListOutputSerializer, request=request, view=self)


class PlanCreateApi(APIView):
    """A draft reward plan for one income of a deal of your unit."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="reward_plans_create", request=PlanCreateSerializer,
                   responses={201: PlanOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request) -> Response:
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        deal: Deal = selectors.deal_for_plans(user=request.user, pk=data.pop("deal"))
        plan = services.plan_create(by=request.user, deal=deal, data=data)
        return Response(_detail(request, plan.pk), status=status.HTTP_201_CREATED)


class PlanDetailApi(APIView):
    """One plan: net income, the rule applied with its source, the pool, allocations, payments, the steps you may
    take."""

    @extend_schema(operation_id="reward_plans_retrieve", responses={200: PlanOutputSerializer, 404: NOT_FOUND},
                   tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class PlanUpdateApi(APIView):
    """Change a draft plan's income figures."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="reward_plans_partial_update", request=PlanInputSerializer,
                   responses={200: PlanOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        plan = selectors.plan_get(user=request.user, pk=pk)
        serializer = PlanInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.plan_update(plan=plan, by=request.user, data=dict(serializer.validated_data))
        return Response(_detail(request, pk))


def _require_unit(request: Request, plan: RewardPlan) -> None:
    """Who first: someone outside the unit learns nothing from the input's validation."""
    if not UNIT.check(request.user, plan):
        raise PermissionDenied(str(NOT_THE_UNIT))


class CostCreateApi(APIView):
    """Add a deduction from the gross income (条例 Art. 12), with its evidence (PDF, multipart) if any."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    @extend_schema(operation_id="reward_plans_costs_create", request=CostInputSerializer,
                   responses={201: PlanOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        plan = selectors.plan_get(user=request.user, pk=pk)
        _require_unit(request, plan)
        serializer = CostInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.cost_add(plan=plan, by=request.user, kind=data["kind"], description=data["description"],
                          amount=data["amount"], evidence=data.get("evidence"))
        return Response(_detail(request, pk), status=status.HTTP_201_CREATED)


class CostDeleteApi(APIView):
    """Remove a deduction of a draft plan."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="reward_plans_costs_destroy", responses={200: PlanOutputSerializer, **WRITE_ERRORS},
                   tags=TAGS)
    def delete(self, request: Request, pk: int, cost_pk: int) -> Response:
        plan = selectors.plan_get(user=request.user, pk=pk)
        item = _get_or_404(plan.costs.all(), cost_pk)
        services.cost_remove(item=item, by=request.user)
        return Response(_detail(request, pk))


def _get_or_404(queryset: Any, pk: Any) -> Any:
    from django.http import Http404

    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


class AllocationCreateApi(APIView):
    """Add one person's reward to a draft plan (cash; or equity for 作价投资, never to a unit head)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="reward_plans_allocations_create", request=AllocationCreateSerializer,
                   responses={201: PlanOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        plan = selectors.plan_get(user=request.user, pk=pk)
        _require_unit(request, plan)
        serializer = AllocationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.allocation_add(plan=plan, by=request.user, data=dict(serializer.validated_data))
        return Response(_detail(request, pk), status=status.HTTP_201_CREATED)


class AllocationUpdateApi(APIView):
    """Change an allocation of a draft plan."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="reward_plans_allocations_partial_update", request=AllocationInputSerializer,
                   responses={200: PlanOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def patch(self, request: Request, pk: int, allocation_pk: int) -> Response:
        plan = selectors.plan_get(user=request.user, pk=pk)
        allocation: RewardAllocation = _get_or_404(plan.allocations.all(), allocation_pk)
        _require_unit(request, plan)
        serializer = AllocationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.allocation_update(allocation=allocation, by=request.user, data=dict(serializer.validated_data))
        return Response(_detail(request, pk))


class AllocationDeleteApi(APIView):
    """Remove an allocation of a draft plan."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="reward_plans_allocations_destroy",
                   responses={200: PlanOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def delete(self, request: Request, pk: int, allocation_pk: int) -> Response:
        plan = selectors.plan_get(user=request.user, pk=pk)
        allocation: RewardAllocation = _get_or_404(plan.allocations.all(), allocation_pk)
        services.allocation_remove(allocation=allocation, by=request.user)
        return Response(_detail(request, pk))


class PaymentCreateApi(APIView):
    """Record a payment (cash: amount; equity: shares) under an approved plan; never above the allocation."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="reward_plans_payments_create", request=PaymentInputSerializer,
                   responses={201: PlanOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int, allocation_pk: int) -> Response:
        plan = selectors.plan_get(user=request.user, pk=pk)
        allocation: RewardAllocation = _get_or_404(plan.allocations.all(), allocation_pk)
        _require_unit(request, plan)
        serializer = PaymentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.payment_add(allocation=allocation, by=request.user, paid_on=data["paid_on"],
                             amount=data.get("amount"), shares=data.get("shares"),
                             tax_withheld=data.get("tax_withheld"))
        return Response(_detail(request, pk), status=status.HTTP_201_CREATED)


def _step_detail(request: Request, pk: Any, result: Any) -> dict[str, Any]:
    return _detail(request, pk)


STEP_ROUTES = step_api_routes(
    PLAN_FLOW,
    detail=_step_detail,
    resource="reward-plans",
    operation_prefix="reward_plans",
    component_prefix="RewardPlan",
    response=PlanOutputSerializer,
    tags=TAGS,
)


# ---------------------------------------------------------------- mobility


@extend_schema_serializer(component_name="Mobility")
class MobilityOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = OrganisationRefSerializer()
    person_name = serializers.CharField()
    kind = serializers.CharField(help_text=", ".join(MobilityKind.values))
    kind_label = ChoiceLabelField("kind")
    enterprise = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)
    deal = serializers.IntegerField(source="deal_id", allow_null=True)
    note = serializers.CharField()


class MobilityInputSerializer(StrictInputMixin, serializers.Serializer):
    person_name = serializers.CharField(max_length=100, required=False)
    kind = serializers.CharField(max_length=16, required=False, help_text=", ".join(MobilityKind.values))
    enterprise = serializers.CharField(max_length=200, required=False)
    start = serializers.DateField(required=False, validators=[validate_sane_date])
    end = serializers.DateField(required=False, allow_null=True, validators=[validate_sane_date])
    deal = serializers.IntegerField(required=False, allow_null=True, help_text="A deal of the same unit.", **ID)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH)

    def validate_kind(self, value: str) -> str:
        return _choice(value, MobilityKind.values)

    def validate_deal(self, value: int | None) -> Deal | None:
        if value is None:
            return None
        deal = Deal.objects.filter(pk=value).first()
        if deal is None:
            raise serializers.ValidationError(services.DEAL_OF_ANOTHER_UNIT)
        return deal


@extend_schema_serializer(component_name="MobilityCreate")
class MobilityCreateSerializer(MobilityInputSerializer):
    organisation = serializers.IntegerField(required=False, help_text="Your unit's id (default: your first).", **ID)
    person_name = serializers.CharField(max_length=100)
    kind = serializers.CharField(max_length=16, help_text=", ".join(MobilityKind.values))
    enterprise = serializers.CharField(max_length=200)
    start = serializers.DateField(validators=[validate_sane_date])


def _mobility(request: Request, record: Mobility) -> dict[str, Any]:
    return dict(MobilityOutputSerializer(record, context={"request": request}).data)


class MobilityListApi(APIView):
    """Part-time work and leave (兼职、离岗创业) of your units' staff."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="mobility_list", responses={200: MobilityOutputSerializer(many=True)},
                   tags=MOBILITY_TAGS)
    def get(self, request: Request) -> Response:
        return paginated_response(queryset=selectors.mobility_list(user=request.user).order_by("-start", "-id"),
                                  serializer_class=MobilityOutputSerializer, request=request, view=self)


class MobilityCreateApi(APIView):
    """Record a staff member's part-time work or leave to start a business for your unit."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="mobility_create", request=MobilityCreateSerializer,
                   responses={201: MobilityOutputSerializer, **WRITE_ERRORS}, tags=MOBILITY_TAGS)
    def post(self, request: Request) -> Response:
        serializer = MobilityCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        from techtransfer.accounts.permissions import EDITOR_ROLES, org_ids

        allowed = org_ids(request.user, EDITOR_ROLES)
        organisation_id = data.pop("organisation", None) or (min(allowed) if allowed else None)
        if organisation_id is None or not can_edit_for(request.user, organisation_id):
            raise PermissionDenied(str(NOT_THE_UNIT))
        record = services.mobility_create(by=request.user, organisation=Organisation.objects.get(pk=organisation_id),
                                          data=data)
        return Response(_mobility(request, record), status=status.HTTP_201_CREATED)


class MobilityDetailApi(APIView):
    @extend_schema(operation_id="mobility_retrieve", responses={200: MobilityOutputSerializer, 404: NOT_FOUND},
                   tags=MOBILITY_TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_mobility(request, selectors.mobility_get(user=request.user, pk=pk)))


class MobilityUpdateApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="mobility_partial_update", request=MobilityInputSerializer,
                   responses={200: MobilityOutputSerializer, **WRITE_ERRORS}, tags=MOBILITY_TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        record = selectors.mobility_get(user=request.user, pk=pk)
        if not can_edit_for(request.user, record.organisation_id):
            raise PermissionDenied(str(NOT_THE_UNIT))
        serializer = MobilityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.mobility_update(mobility=record, by=request.user, data=dict(serializer.validated_data))
        return Response(_mobility(request, record))


class MobilityDeleteApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="mobility_destroy", responses={204: None, **WRITE_ERRORS}, tags=MOBILITY_TAGS)
    def delete(self, request: Request, pk: int) -> Response:
        record = selectors.mobility_get(user=request.user, pk=pk)
        services.mobility_delete(mobility=record, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
