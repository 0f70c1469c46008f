"""IP records API (/api/v1/ip-records/): one class per operation, each calling one selector or service.

Reads go through the selectors, so a record the caller may not read is a 404 whatever the operation; the
internal note, the fees and the history are given to the owning unit and the commission only, as on the page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation
from techtransfer.api.fields import ChoiceLabelField, CodeField, CodeLabelField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, paginated_response
from techtransfer.api.schema import NOT_FOUND, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, step_api_routes
from techtransfer.ipr import permissions as perms
from techtransfer.ipr import selectors, services
from techtransfer.ipr.choices import FEE_WINDOW_DAYS, FEE_WINDOW_MAX_DAYS, IPStatus, IPType
from techtransfer.ipr.forms import YEAR_MAX, YEAR_MIN
from techtransfer.ipr.models import FeeEvent, IPRecord
from techtransfer.ipr.workflows import IP_FLOW
from techtransfer.lib.validators import DB_ID_MAX, NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH

TAGS = ["ip-records"]
YUAN_HELP = "In yuan (元)."
NOTHING_TO_CHANGE = _("Send at least one field to change.")
NO_UNIT = _("You are the TTO officer of no unit; only a unit's TTO officers record its IP rights.")
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal(0)}


# ---------------------------------------------------------------- output


@extend_schema_serializer(component_name="IPHolder")
class HolderSerializer(serializers.Serializer):
    name = serializers.CharField()
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True,
                                            help_text="The holder's organisation on the platform, if it is one.")


@extend_schema_serializer(component_name="IPFeeEvent")
class FeeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=FeeEvent.Kind.choices)
    kind_label = ChoiceLabelField("kind")
    due_date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=YUAN_HELP)
    paid_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()


@extend_schema_serializer(component_name="IPLinkRef")
class LinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


@extend_schema_serializer(component_name="IPLinks")
class LinksSerializer(serializers.Serializer):
    achievements = LinkSerializer(many=True)
    contracts = LinkSerializer(many=True)
    deals = LinkSerializer(many=True)


@extend_schema_serializer(component_name="IPRecordSummary")
class IPRecordListOutputSerializer(serializers.Serializer):
    """An IP record in a list: what the list page shows."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(IPStatus.values))
    status_label = ChoiceLabelField("status")
    ip_type = serializers.CharField(help_text=", ".join(IPType.values))
    ip_type_label = ChoiceLabelField("ip_type")
    number = serializers.CharField(help_text="As stored: a patent's application number with its check digit.")
    display_number = serializers.CharField(help_text="As cited: a granted patent with ZL in front.")
    title = serializers.CharField()
    owner = OrganisationRefSerializer()
    holders = HolderSerializer(many=True, source="holders.all")
    inventors = serializers.ListField(child=serializers.CharField())
    application_date = serializers.DateField()
    grant_date = serializers.DateField(allow_null=True)
    legal_status = CodeField("ip_legal_status", read_only=True)
    legal_status_label = CodeLabelField(source="legal_status")
    field = CodeField("high_tech_field", read_only=True, allow_null=True)
    field_label = CodeLabelField(source="field", allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    updated = serializers.DateTimeField()


@extend_schema_serializer(component_name="IPRecordDetail")
class IPRecordDetailOutputSerializer(IPRecordListOutputSerializer):
    """A whole record. The internal note, the fees and the next fee are empty unless you belong to the owning
    unit or the commission (`reads_private`)."""

    abstract = serializers.CharField()
    reads_private = serializers.SerializerMethodField()
    private_note = serializers.CharField(source="shown_private_note")
    next_fee_due = serializers.DateField(allow_null=True)
    next_fee_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text=YUAN_HELP)
    fees = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    allowed_actions = AllowedActionsField()

    def _user(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    @extend_schema_field(serializers.BooleanField())
    def get_reads_private(self, record: IPRecord) -> bool:
        return perms.reads_private(self._user(), record)

    @extend_schema_field(FeeSerializer(many=True))
    def get_fees(self, record: IPRecord) -> list[dict[str, Any]]:
        if not perms.reads_private(self._user(), record):
            return []
        return list(FeeSerializer(selectors.fee_events(record=record), many=True).data)

    @extend_schema_field(LinksSerializer)
    def get_links(self, record: IPRecord) -> dict[str, Any]:
        links = selectors.ip_links(user=self._user(), record=record)
        return {
            "achievements": [{"id": a.pk, "title": a.display_name} for a in links.achievements],
            "contracts": [{"id": c.pk, "title": c.project_name} for c in links.contracts],
            "deals": [{"id": d.pk, "title": str(d)} for d in links.deals],
        }

    def to_representation(self, record: IPRecord) -> dict[str, Any]:
        data = super().to_representation(record)
        if not data["reads_private"]:
            data["next_fee_due"] = data["next_fee_amount"] = None
        return data


def _detail(request: Request, pk: int) -> dict[str, Any]:
    return IPRecordDetailOutputSerializer(selectors.ip_get(user=request.user, pk=pk), context={"request": request}).data


# ---------------------------------------------------------------- input


class IPRecordFieldsInputSerializer(StrictInputMixin, serializers.Serializer):
    """The form's fields, all optional: PATCH sends only what changes. Codes, not ids."""

    ip_type = serializers.ChoiceField(choices=IPType.choices, required=False)
    number = serializers.CharField(max_length=40, required=False,
                                   help_text="Patents: 202310123456.6 (ZL and spaces are taken off).")
    title = serializers.CharField(max_length=300, required=False)
    abstract = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    application_date = serializers.DateField(required=False)
    grant_date = serializers.DateField(required=False, allow_null=True)
    legal_status = CodeField("ip_legal_status", required=False)
    field = CodeField("high_tech_field", required=False, allow_null=True)
    private_note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    holders = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=50,
        help_text="Names; a unit on the platform is linked by its exact name. Replaces the stored ones.",
    )
    inventors = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=50)
    achievements = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=DB_ID_MAX), required=False, max_length=200,
        help_text="Ids of achievements you can read; replaces the links you can see.",
    )
    contracts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=DB_ID_MAX), required=False, max_length=200,
    )
    deals = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=DB_ID_MAX), required=False, max_length=200,
    )


LINK_KINDS = ("achievements", "contracts", "deals")


def _split(validated: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    data = dict(validated)
    parts = {name: data.pop(name) for name in ("holders", "inventors") if name in data}
    links = {name: data.pop(name) for name in LINK_KINDS if name in data}
    return data, parts, links


# ---------------------------------------------------------------- operations


class IPRecordListApi(APIView):
    """IP records you may read (anonymous: the public ones), newest application first."""

    pagination_class = LimitOffsetPagination
    OutputSerializer = IPRecordListOutputSerializer

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                  help_text="Title, number, holder or abstract contains.")
        ip_type = serializers.ChoiceField(choices=IPType.choices, required=False)
        legal_status = CodeField("ip_legal_status", required=False)
        field = CodeField("high_tech_field", required=False)
        status = serializers.ChoiceField(choices=IPStatus.choices, required=False)
        owner = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX)
        year_from = serializers.IntegerField(required=False, min_value=YEAR_MIN, max_value=YEAR_MAX,
                                             help_text="Application year from.")
        year_to = serializers.IntegerField(required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)

    @extend_schema(operation_id="ip_records_list", parameters=[FilterSerializer],
                   responses={200: OutputSerializer(many=True), 400: VALIDATION_ERROR}, tags=TAGS)
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = {k: v.code if hasattr(v, "code") else v for k, v in serializer.validated_data.items()}
        records = selectors.ip_list(user=request.user, filters=filters)
        return paginated_response(queryset=records, serializer_class=self.OutputSerializer, request=request, view=self)


class IPRecordCreateApi(APIView):
    """Record an IP right for your unit (or, if you are the TTO officer of several, the one given as `owner`)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="IPRecordCreate")
    class InputSerializer(IPRecordFieldsInputSerializer):
        owner = serializers.PrimaryKeyRelatedField(
            queryset=Organisation.objects.all(), required=False, help_text="Default: your (first) unit."
        )
        ip_type = serializers.ChoiceField(choices=IPType.choices)
        number = serializers.CharField(max_length=40)
        title = serializers.CharField(max_length=300)
        application_date = serializers.DateField()
        legal_status = CodeField("ip_legal_status")

    OutputSerializer = IPRecordDetailOutputSerializer

    @extend_schema(operation_id="ip_records_create", request=InputSerializer,
                   responses={201: OutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, parts, links = _split(serializer.validated_data)
        owner = data.pop("owner", None) or self._default_owner(request.user)
        with transaction.atomic():
            record = services.ip_create(by=request.user, owner=owner, data=data, holders=parts.get("holders"),
                                        inventors=parts.get("inventors"))
            if links:
                services.ip_links_set(record=record, by=request.user, **links)
        return Response(_detail(request, record.pk), status=status.HTTP_201_CREATED)

    @staticmethod
    def _default_owner(user: Any) -> Organisation:
        units = sorted(perms.managed_units(user))
        if not units:
            raise PermissionDenied(NO_UNIT)
        return Organisation.objects.get(pk=units[0])


class IPRecordDetailApi(APIView):
    """One IP record with its holders, links and (for its unit and the commission) fees and internal note."""

    OutputSerializer = IPRecordDetailOutputSerializer

    @extend_schema(operation_id="ip_records_retrieve", responses={200: OutputSerializer, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class IPRecordUpdateApi(APIView):
    """Change a record; `holders`, `inventors` and each kind of link, when sent, replace the stored ones."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="IPRecordUpdate")
    class InputSerializer(IPRecordFieldsInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    OutputSerializer = IPRecordDetailOutputSerializer

    @extend_schema(operation_id="ip_records_partial_update", request=InputSerializer,
                   responses={200: OutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        record = selectors.ip_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, parts, links = _split(serializer.validated_data)
        with transaction.atomic():
            services.ip_update(record=record, by=request.user, data=data, holders=parts.get("holders"),
                               inventors=parts.get("inventors"))
            if links:
                services.ip_links_set(record=record, by=request.user, **links)
        return Response(_detail(request, pk))


class FeeCreateApi(APIView):
    """Record a fee that falls due; the record's next fee follows."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="IPFeeCreate")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        kind = serializers.ChoiceField(choices=FeeEvent.Kind.choices, default=FeeEvent.Kind.ANNUAL)
        due_date = serializers.DateField()
        amount = serializers.DecimalField(**MONEY, help_text=YUAN_HELP)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    OutputSerializer = IPRecordDetailOutputSerializer

    @extend_schema(operation_id="ip_records_fees_create", request=InputSerializer,
                   responses={201: OutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        record = selectors.ip_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.fee_add(record=record, by=request.user, data=dict(serializer.validated_data))
        return Response(_detail(request, pk), status=status.HTTP_201_CREATED)


class FeePayApi(APIView):
    """Record that a fee was paid (today unless `paid_on` says otherwise)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="IPFeePay")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        paid_on = serializers.DateField(required=False)

    OutputSerializer = IPRecordDetailOutputSerializer

    @extend_schema(operation_id="ip_records_fees_pay", request=InputSerializer,
                   responses={200: OutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int, fee_pk: int) -> Response:
        record = selectors.ip_get(user=request.user, pk=pk)
        fee = get_object_or_404(FeeEvent, pk=fee_pk, record=record)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.fee_pay(fee=fee, by=request.user, paid_on=serializer.validated_data.get("paid_on"))
        return Response(_detail(request, pk))


class FeesDueApi(APIView):
    """Your units' records whose next fee is due within `days` (default 90), overdue ones included, earliest
    first."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination
    OutputSerializer = IPRecordDetailOutputSerializer

    class FilterSerializer(serializers.Serializer):
        days = serializers.IntegerField(required=False, min_value=1, max_value=FEE_WINDOW_MAX_DAYS,
                                        default=FEE_WINDOW_DAYS)

    @extend_schema(operation_id="ip_records_fees_due", parameters=[FilterSerializer],
                   responses={200: OutputSerializer(many=True), 400: VALIDATION_ERROR}, tags=TAGS)
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        records = selectors.ip_fees_due(user=request.user, days=serializer.validated_data["days"])
        return paginated_response(queryset=records, serializer_class=self.OutputSerializer, request=request, view=self)


@extend_schema_serializer(component_name="IPBucket")
class BucketSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="A code, a year or a holder's name.")
    label = serializers.CharField()
    count = serializers.IntegerField()


@extend_schema_serializer(component_name="IPAnalysis")
class AnalysisSerializer(serializers.Serializer):
    """The figures of the IP analysis page: public records only; a record with several holders counts once for
    each in `top_holders` and `by_holder_type`."""

    total = serializers.IntegerField()
    granted = serializers.IntegerField()
    by_type = BucketSerializer(many=True)
    by_legal_status = BucketSerializer(many=True)
    by_field = BucketSerializer(many=True)
    by_application_year = BucketSerializer(many=True)
    by_grant_year = BucketSerializer(many=True)
    by_holder_type = BucketSerializer(many=True)
    top_holders = BucketSerializer(many=True)


class AnalysisApi(APIView):
    """The per-field IP analysis: counts of public records by type, legal status, field, application and grant
    year, holder type, and the top holders; filters restrict the records (years: application years)."""

    class FilterSerializer(serializers.Serializer):
        field = CodeField("high_tech_field", required=False)
        ip_type = serializers.ChoiceField(choices=IPType.choices, required=False)
        year_from = serializers.IntegerField(required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)
        year_to = serializers.IntegerField(required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)
        top = serializers.IntegerField(required=False, min_value=1, max_value=selectors.TOP_HOLDERS_MAX,
                                       default=selectors.TOP_HOLDERS, help_text="How many top holders.")

    @extend_schema(operation_id="ip_records_analysis", parameters=[FilterSerializer],
                   responses={200: AnalysisSerializer, 400: VALIDATION_ERROR}, tags=TAGS)
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = {k: v.code if hasattr(v, "code") else v for k, v in serializer.validated_data.items()}
        top = filters.pop("top")
        return Response(AnalysisSerializer(selectors.ip_analysis(filters=filters, top=top)).data)


def _step_detail(request: Request, pk: int, result: IPRecord) -> dict[str, Any]:
    """The record after a step, as its manager (who took the step and always reads it) now sees it."""
    return _detail(request, pk)


STEP_ROUTES = step_api_routes(
    IP_FLOW,
    detail=_step_detail,
    resource="ip-records",
    operation_prefix="ip_records",
    component_prefix="IPRecord",
    response=IPRecordDetailOutputSerializer,
    tags=TAGS,
)
