"""Innovation vouchers API (/api/v1/vouchers/...): programmes and their providers (public), vouchers (their
holder, their provider and the commission), the workflow steps, spending, redeeming, and the budget
(commission). One class per operation, each calling one selector or service; the fields each caller reads
are those the pages show them (the applicant's declarations: the holder and the commission only).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import parsers, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation
from techtransfer.api.fields import ChoiceLabelField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, paginated_response
from techtransfer.api.schema import NOT_FOUND, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, step_api_routes
from techtransfer.facilities import selectors as facility_selectors
from techtransfer.lib.validators import DB_ID_MAX, NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH
from techtransfer.vouchers import permissions as perms
from techtransfer.vouchers import selectors, services
from techtransfer.vouchers.choices import ApplicantType, ProgrammeKind, ProviderCategory, VoucherStatus
from techtransfer.vouchers.models import Provider, Voucher
from techtransfer.vouchers.workflows import VOUCHER_FLOW

TAGS = ["vouchers"]
MONEY = {"max_digits": 14, "decimal_places": 2}
POSITIVE = {**MONEY, "min_value": Decimal("0.01")}
NO_UNIT = _("You belong to no organisation that can apply; give `holder`, a unit you are a member of.")
APPLICATION_FIELDS = ("purpose", "employees", "annual_revenue", "team_members")


# ---------------------------------------------------------------- programmes and providers


@extend_schema_serializer(component_name="VoucherProgramme")
class ProgrammeSerializer(serializers.Serializer):
    """A programme year and its rules (the UNCONFIRMED values are data: `confirmed` says whether a published
    text confirms them)."""

    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=", ".join(ProgrammeKind.values))
    kind_label = ChoiceLabelField("kind")
    year = serializers.IntegerField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    issuer = serializers.CharField()
    description = serializers.CharField()
    budget = serializers.DecimalField(**MONEY, help_text="元.")
    max_amount = serializers.DecimalField(**MONEY, help_text="元, the most one voucher is worth.")
    co_payment_ratio = serializers.DecimalField(max_digits=5, decimal_places=4,
                                                help_text="The holder's share of each invoice (0.5 for 50%).")
    validity_days = serializers.IntegerField(allow_null=True)
    last_day = serializers.DateField(help_text="No voucher of the programme is valid after this day.")
    applications_open = serializers.BooleanField()
    small_micro_allowed = serializers.BooleanField()
    startup_team_allowed = serializers.BooleanField()
    max_employees = serializers.IntegerField(allow_null=True)
    max_revenue = serializers.DecimalField(**MONEY, allow_null=True, help_text="元.")
    max_vouchers_per_holder = serializers.IntegerField()
    applicant_regions = serializers.CharField(help_text="GB/T 2260 prefixes, comma-separated.")
    source = serializers.CharField()
    confirmed = serializers.BooleanField()


class ProgrammeListApi(APIView):
    """Every voucher programme, newest year first."""

    pagination_class = LimitOffsetPagination

    @extend_schema(operation_id="voucher_programmes_list", responses={200: ProgrammeSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        return paginated_response(queryset=selectors.programme_list(), serializer_class=ProgrammeSerializer,
                                  request=request, view=self)


class ProgrammeDetailApi(APIView):
    """One programme."""

    @extend_schema(operation_id="voucher_programmes_retrieve",
                   responses={200: ProgrammeSerializer, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ProgrammeSerializer(selectors.programme_get(pk=pk)).data)


@extend_schema_serializer(component_name="VoucherProvider")
class ProviderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = OrganisationRefSerializer()
    region = serializers.CharField(source="organisation.region.code")
    region_label = serializers.CharField(source="organisation.region.label")
    category = serializers.CharField(help_text=", ".join(ProviderCategory.values))
    category_label = ChoiceLabelField("category")
    services = serializers.CharField()
    technical_fields = serializers.SerializerMethodField(help_text="high_tech_field codes.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_technical_fields(self, provider: Provider) -> list[str]:
        return [item.code for item in provider.fields.all()]


@extend_schema_serializer(component_name="VoucherProviderFacet")
class FacetCountSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


@extend_schema_serializer(component_name="VoucherProviderList")
class ProviderListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ProviderSerializer(many=True)
    facets = serializers.DictField(child=FacetCountSerializer(many=True),
                                   help_text="category, field and province, each counted without its own filter.")


class ProviderListApi(APIView):
    """The programme's listed providers, searched (unit name or services) and filtered, with facet counts."""

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200)
        category = serializers.ChoiceField(choices=ProviderCategory.choices, required=False)
        field = serializers.CharField(required=False, max_length=32, help_text="A high_tech_field code.")
        province = serializers.RegexField(r"^\d{2}$", required=False, help_text="11 Beijing, 12 Tianjin, 13 Hebei.")

    @extend_schema(operation_id="voucher_programme_providers", parameters=[FilterSerializer],
                   responses={200: ProviderListSerializer, 400: VALIDATION_ERROR, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        programme = selectors.programme_get(pk=pk)
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        query = data.pop("q", "")
        result = selectors.provider_search(programme=programme, query=query, filters=data)
        return Response({
            "count": result.total,
            "results": ProviderSerializer(result.providers, many=True).data,
            "facets": {name: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
                       for name, values in result.facets.items()},
        })


@extend_schema_serializer(component_name="VoucherBudget")
class BudgetSerializer(serializers.Serializer):
    programme = serializers.IntegerField(source="programme.pk")
    budget = serializers.DecimalField(source="budget.budget", **MONEY)
    reserved = serializers.DecimalField(source="budget.reserved", **MONEY)
    spent = serializers.DecimalField(source="budget.spent", **MONEY, help_text="Redeemed: paid to providers.")
    remaining = serializers.DecimalField(source="budget.remaining", **MONEY)
    by_status = serializers.DictField(child=serializers.IntegerField())
    providers = serializers.SerializerMethodField()
    months = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_providers(self, page: selectors.BudgetPage) -> list[dict[str, Any]]:
        return [
            {"provider": row.provider.pk, "organisation": row.provider.organisation.name, "in_use": row.in_use,
             "reserved": str(row.reserved), "redeemed": row.redeemed, "invoiced": str(row.invoiced),
             "paid": str(row.paid)}
            for row in page.providers
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_months(self, page: selectors.BudgetPage) -> list[dict[str, Any]]:
        return [{"month": m.month, "approved": str(m.approved), "redemptions": m.redemptions, "paid": str(m.paid)}
                for m in page.months]


class BudgetApi(APIView):
    """The programme's budget: reserved, redeemed, remaining; by provider and by month (commission only)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="voucher_programme_budget",
                   responses={200: BudgetSerializer, 403: WRITE_ERRORS[403], 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        if not perms.sees_budget(request.user):
            raise PermissionDenied(perms.NOT_COMMISSION)
        return Response(BudgetSerializer(selectors.budget_page(programme=selectors.programme_get(pk=pk))).data)


# ---------------------------------------------------------------- vouchers


@extend_schema_serializer(component_name="VoucherUse")
class UseSerializer(serializers.Serializer):
    provider = OrganisationRefSerializer(source="provider.organisation")
    booking = serializers.IntegerField(source="booking_id", allow_null=True)
    contract_number = serializers.CharField()
    description = serializers.CharField()
    agreed_amount = serializers.DecimalField(**MONEY)
    released_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="VoucherRedemption")
class RedemptionSerializer(serializers.Serializer):
    invoice_number = serializers.CharField()
    invoice_amount = serializers.DecimalField(**MONEY)
    paid_amount = serializers.DecimalField(**MONEY)
    report_name = serializers.CharField(source="original_name")
    report_url = serializers.SerializerMethodField()
    created = serializers.DateTimeField()

    def get_report_url(self, redemption: Any) -> str:
        from django.urls import reverse

        request = self.context.get("request")
        path = reverse("vouchers:report", args=[redemption.voucher_id])
        return request.build_absolute_uri(path) if request is not None else path


@extend_schema_serializer(component_name="Voucher")
class VoucherSerializer(serializers.Serializer):
    """A voucher. `purpose`, `employees`, `annual_revenue` and `team_members` (the applicant's declarations)
    are empty (null) for the provider, as on the page."""

    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    status = serializers.CharField(help_text=", ".join(VoucherStatus.values))
    status_label = ChoiceLabelField("status")
    programme = serializers.IntegerField(source="programme_id")
    programme_name = serializers.CharField(source="programme.name")
    holder = OrganisationRefSerializer()
    applicant_type = serializers.CharField(help_text=", ".join(ApplicantType.values))
    requested_amount = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY, allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    redeemed_amount = serializers.DecimalField(**MONEY, allow_null=True)
    purpose = serializers.CharField(allow_null=True)
    employees = serializers.IntegerField(allow_null=True)
    annual_revenue = serializers.DecimalField(**MONEY, allow_null=True)
    team_members = serializers.CharField(allow_null=True)
    uses = serializers.SerializerMethodField()
    redemption = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    allowed_actions = AllowedActionsField()

    @extend_schema_field(UseSerializer(many=True))
    def get_uses(self, voucher: Voucher) -> Any:
        return UseSerializer(selectors.voucher_uses(voucher=voucher), many=True).data

    @extend_schema_field(RedemptionSerializer(allow_null=True))
    def get_redemption(self, voucher: Voucher) -> Any:
        redemption = getattr(voucher, "redemption", None) if voucher.status == VoucherStatus.REDEEMED else None
        return RedemptionSerializer(redemption, context=self.context).data if redemption is not None else None

    def to_representation(self, voucher: Voucher) -> dict[str, Any]:
        data = super().to_representation(voucher)
        request = self.context.get("request")
        if not perms.reads_application(getattr(request, "user", None), voucher):  # type: ignore[arg-type]
            for name in APPLICATION_FIELDS:
                data[name] = None
        return data


def _voucher(request: Request, pk: int, *_args: Any) -> dict[str, Any]:
    return VoucherSerializer(selectors.voucher_get(user=request.user, pk=pk), context={"request": request}).data


class VoucherListApi(APIView):
    """Vouchers you may see, newest first (your units', those spent with your provider unit; the commission
    all)."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        programme = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX)
        status = serializers.ChoiceField(choices=VoucherStatus.choices, required=False)
        side = serializers.ChoiceField(choices=["holder", "provider"], required=False)

    @extend_schema(operation_id="vouchers_list", parameters=[FilterSerializer],
                   responses={200: VoucherSerializer(many=True), 400: VALIDATION_ERROR}, tags=TAGS)
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        vouchers = selectors.voucher_list(user=request.user, filters=serializer.validated_data)
        return paginated_response(queryset=vouchers, serializer_class=VoucherSerializer, request=request, view=self)


class VoucherApplyApi(APIView):
    """Apply for a voucher of a programme for one of your units (the programme's rules decide: 400 naming
    each field that breaks one)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="VoucherApply")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        programme = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX)
        holder = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX,
                                          help_text="The applying unit (default: your first).")
        applicant_type = serializers.ChoiceField(choices=ApplicantType.choices)
        requested_amount = serializers.DecimalField(**POSITIVE, help_text="元.")
        purpose = serializers.CharField(max_length=SUMMARY_MAX_LENGTH)
        employees = serializers.IntegerField(min_value=0, max_value=10_000_000)
        annual_revenue = serializers.DecimalField(**MONEY, min_value=Decimal(0), help_text="元.")
        team_members = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True,
                                             default="", help_text="For a start-up team: names and roles.")

    @extend_schema(operation_id="vouchers_apply", request=InputSerializer,
                   responses={201: VoucherSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        programme = selectors.programme_get(pk=data.pop("programme"))
        holder_id = data.pop("holder", None)
        units = perms.may_apply_for(request.user)
        if not units:
            raise PermissionDenied(NO_UNIT)
        holder = (
            Organisation.objects.filter(pk=holder_id).first()
            if holder_id
            else Organisation.objects.filter(pk__in=_editable_ids(request)).order_by("name").first()
        )
        if holder is None:
            raise serializers.ValidationError({"holder": [_("No such organisation.")]})
        voucher = services.voucher_apply(by=request.user, programme=programme, holder=holder, data=data)
        return Response(_voucher(request, voucher.pk), status=status.HTTP_201_CREATED)


def _editable_ids(request: Request) -> set[int]:
    from techtransfer.accounts.permissions import EDITOR_ROLES, org_ids

    return org_ids(request.user, EDITOR_ROLES)


class VoucherDetailApi(APIView):
    """One voucher."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="vouchers_retrieve", responses={200: VoucherSerializer, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_voucher(request, pk))


class VoucherBookApi(APIView):
    """Spend the voucher on a booking of a facility of a listed provider (the booking is made for the holder;
    no overlap with another booking: 409; a voucher already spent: 409)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="VoucherBook")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        facility = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX)
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()
        purpose = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")

    @extend_schema(operation_id="vouchers_book", request=InputSerializer,
                   responses={200: VoucherSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        voucher = selectors.voucher_get(user=request.user, pk=pk)
        if not perms.holds(request.user, voucher):
            raise PermissionDenied(perms.NOT_THE_HOLDER)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        facility = facility_selectors.facility_get(user=request.user, pk=data["facility"])
        services.voucher_use_booking(voucher=voucher, by=request.user, facility=facility, start=data["start"],
                                     end=data["end"], purpose=data["purpose"])
        return Response(_voucher(request, pk))


class VoucherUseApi(APIView):
    """Spend the voucher on a service contract with a listed provider."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="VoucherContractUse")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        provider = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX, help_text="A listing's id.")
        contract_number = serializers.CharField(max_length=64)
        agreed_amount = serializers.DecimalField(**POSITIVE, help_text="元.")
        description = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True,
                                            default="")

    @extend_schema(operation_id="vouchers_use", request=InputSerializer,
                   responses={200: VoucherSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        voucher = selectors.voucher_get(user=request.user, pk=pk)
        if not perms.holds(request.user, voucher):
            raise PermissionDenied(perms.NOT_THE_HOLDER)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        provider = selectors.providers_for(programme=voucher.programme).filter(pk=data["provider"]).first()
        if provider is None:
            raise serializers.ValidationError({"provider": [_("Not a listed provider of this programme.")]})
        services.voucher_use_contract(voucher=voucher, by=request.user, provider=provider,
                                      contract_number=data["contract_number"], agreed_amount=data["agreed_amount"],
                                      description=data["description"])
        return Response(_voucher(request, pk))


class VoucherRedeemApi(APIView):
    """The provider redeems the voucher: invoice number and amount, and the service report as a PDF
    (multipart/form-data). A voucher already redeemed: 409."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    @extend_schema_serializer(component_name="VoucherRedeem")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        invoice_number = serializers.CharField(max_length=64)
        invoice_amount = serializers.DecimalField(**POSITIVE, help_text="元, the whole invoice.")
        report = serializers.FileField(help_text="The service report, a PDF.")

    @extend_schema(operation_id="vouchers_redeem", request={"multipart/form-data": InputSerializer},
                   responses={200: VoucherSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        voucher = selectors.voucher_get(user=request.user, pk=pk)
        if not perms.provides(request.user, voucher):
            raise PermissionDenied(perms.NOT_THE_PROVIDER)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.voucher_redeem(voucher=voucher, by=request.user, invoice_number=data["invoice_number"],
                                invoice_amount=data["invoice_amount"], report=data["report"])
        return Response(_voucher(request, pk))


def _step_detail(request: Request, pk: int, result: Any) -> dict[str, Any]:
    try:
        return _voucher(request, pk)
    except Http404:
        return VoucherSerializer(result, context={"request": request}).data


STEP_ROUTES = step_api_routes(
    VOUCHER_FLOW,
    detail=_step_detail,
    resource="vouchers",
    operation_prefix="vouchers",
    component_prefix="Voucher",
    response=VoucherSerializer,
    tags=TAGS,
    input_help={"reject": "Why the application is rejected; the applicant reads it."},
)
