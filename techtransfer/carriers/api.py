"""Transformation carriers API (/api/v1/carriers/): one class per operation, each calling one selector or
service. Reads go through the selectors, so a carrier the caller may not read is a 404 whatever the operation
(its firms too); internal notes are given to the operator and its reviewers only, as on the page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import memberships
from techtransfer.api.fields import ChoiceLabelField, CodeField, CodeLabelField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, paginated_response
from techtransfer.api.schema import NOT_FOUND, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, step_api_routes
from techtransfer.carriers import permissions as perms
from techtransfer.carriers import selectors, services
from techtransfer.carriers.choices import CarrierStatus, FirmStatus, RecognitionLevel
from techtransfer.carriers.models import Carrier
from techtransfer.carriers.workflows import CARRIER_FLOW
from techtransfer.lib.validators import DB_ID_MAX, NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH, validate_sane_date

TAGS = ["carriers"]
NOTHING_TO_CHANGE = _("Send at least one field to change.")
NO_ORGANISATION = _("You belong to no organisation that can register a carrier.")


def _codes(items: Any) -> list[str]:
    return [item.code for item in items.all()]


# ---------------------------------------------------------------- output


@extend_schema_serializer(component_name="CarrierSummary")
class CarrierListOutputSerializer(serializers.Serializer):
    """A carrier in a list: what the registry shows."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(CarrierStatus.values))
    status_label = ChoiceLabelField("status")
    name = serializers.CharField()
    name_en = serializers.CharField()
    carrier_type = CodeField("carrier_type", read_only=True)
    carrier_type_label = CodeLabelField(source="carrier_type")
    level = serializers.CharField(help_text=", ".join(RecognitionLevel.values))
    level_label = ChoiceLabelField("level")
    recognition_year = serializers.IntegerField(allow_null=True)
    recognised_by = serializers.CharField()
    district = CodeField("region", read_only=True)
    district_label = CodeLabelField(source="district")
    address = serializers.CharField()
    area_m2 = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, help_text="Square metres.")
    technical_fields = serializers.SerializerMethodField(help_text="high_tech_field codes.")
    owner = OrganisationRefSerializer(help_text="The operating organisation.")
    firms_incubating = serializers.IntegerField(help_text="Firms it incubates now.")
    listed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_technical_fields(self, carrier: Carrier) -> list[str]:
        return _codes(carrier.fields)


@extend_schema_serializer(component_name="CarrierDetail")
class CarrierDetailOutputSerializer(CarrierListOutputSerializer):
    """A whole carrier; `private_note` and `review_note` are empty unless you are its operator or reviewer."""

    description = serializers.CharField()
    website = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    private_note = serializers.CharField(source="shown_private_note")
    review_note = serializers.CharField(source="shown_review_note")
    submitted_at = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    allowed_actions = AllowedActionsField()


@extend_schema_serializer(component_name="IncubatedFirm")
class FirmOutputSerializer(serializers.Serializer):
    """A firm of a carrier; `note` is empty unless you are the carrier's operator or reviewer."""

    id = serializers.IntegerField()
    carrier = serializers.IntegerField(source="carrier_id")
    name = serializers.CharField()
    uscc = serializers.CharField(help_text="Unified social credit code (18 characters).")
    entry_date = serializers.DateField()
    graduation_date = serializers.DateField(allow_null=True)
    status = serializers.CharField(help_text=", ".join(FirmStatus.values))
    status_label = ChoiceLabelField("status")
    field = CodeField("high_tech_field", read_only=True, allow_null=True)
    field_label = CodeLabelField(source="field", allow_null=True)
    note = serializers.CharField(source="shown_note")


def _detail(request: Request, pk: int) -> dict[str, Any]:
    return CarrierDetailOutputSerializer(selectors.carrier_get(user=request.user, pk=pk),
                                         context={"request": request}).data


# ---------------------------------------------------------------- input


class CarrierFieldsInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    name_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    carrier_type = CodeField("carrier_type", required=False)
    level = serializers.ChoiceField(choices=RecognitionLevel.choices, required=False)
    recognition_year = serializers.IntegerField(min_value=1985, max_value=2100, required=False, allow_null=True)
    recognised_by = serializers.CharField(max_length=200, required=False, allow_blank=True)
    district = CodeField("region", required=False, help_text="A district or county code (GB/T 2260).")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    area_m2 = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0), required=False,
                                       allow_null=True)
    description = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    private_note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    technical_fields = serializers.ListField(child=CodeField("high_tech_field"), required=False, max_length=20,
                                   help_text="high_tech_field codes; replaces the stored ones.")


def _split(validated: dict[str, Any]) -> tuple[dict[str, Any], list[Any] | None]:
    data = dict(validated)
    return data, data.pop("technical_fields", None)


class FirmFieldsInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    uscc = serializers.CharField(max_length=30, required=False)
    entry_date = serializers.DateField(required=False, validators=[validate_sane_date])
    graduation_date = serializers.DateField(required=False, allow_null=True, validators=[validate_sane_date])
    status = serializers.ChoiceField(choices=FirmStatus.choices, required=False)
    field = CodeField("high_tech_field", required=False, allow_null=True)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


# ---------------------------------------------------------------- operations


class CarrierListApi(APIView):
    """The carriers you may read (anonymous: the listed ones), by name."""

    pagination_class = LimitOffsetPagination
    OutputSerializer = CarrierListOutputSerializer

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                  help_text="Name, operator, address or description contains.")
        carrier_type = CodeField("carrier_type", required=False)
        level = serializers.ChoiceField(choices=RecognitionLevel.choices, required=False)
        district = CodeField("region", required=False)
        status = serializers.ChoiceField(choices=CarrierStatus.choices, required=False)
        owner = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX)

    @extend_schema(operation_id="carriers_list", parameters=[FilterSerializer],
                   responses={200: OutputSerializer(many=True), 400: VALIDATION_ERROR}, tags=TAGS)
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = {k: v.code if hasattr(v, "code") else v for k, v in serializer.validated_data.items()}
        carriers = selectors.carrier_list(user=request.user, filters=filters)
        return paginated_response(queryset=carriers, serializer_class=self.OutputSerializer, request=request, view=self)


class CarrierCreateApi(APIView):
    """Register a carrier your organisation operates (or the one given as `owner`), as a draft."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="CarrierCreate")
    class InputSerializer(CarrierFieldsInputSerializer):
        owner = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all(), required=False,
                                                   help_text="Default: your (first) organisation.")
        name = serializers.CharField(max_length=200)
        carrier_type = CodeField("carrier_type")
        level = serializers.ChoiceField(choices=RecognitionLevel.choices)
        district = CodeField("region", help_text="A district or county code (GB/T 2260).")

    OutputSerializer = CarrierDetailOutputSerializer

    @extend_schema(operation_id="carriers_create", request=InputSerializer,
                   responses={201: OutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, fields = _split(serializer.validated_data)
        owner = data.pop("owner", None) or self._default_owner(request.user)
        carrier = services.carrier_create(by=request.user, owner=owner, data=data, fields=fields)
        return Response(_detail(request, carrier.pk), status=status.HTTP_201_CREATED)

    @staticmethod
    def _default_owner(user: Any) -> Organisation:
        for membership in memberships(user):
            if perms.can_create_for(user, membership.organisation_id):
                return membership.organisation
        raise PermissionDenied(NO_ORGANISATION)


class CarrierDetailApi(APIView):
    OutputSerializer = CarrierDetailOutputSerializer

    @extend_schema(operation_id="carriers_retrieve", responses={200: OutputSerializer, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        """One carrier with all its fields (internal notes only for its operator and reviewers)."""
        return Response(_detail(request, pk))


class CarrierUpdateApi(APIView):
    """Change a draft, or the details of a listed carrier (not its recognition); `technical_fields` replaces
    the stored ones."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="CarrierUpdate")
    class InputSerializer(CarrierFieldsInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    OutputSerializer = CarrierDetailOutputSerializer

    @extend_schema(operation_id="carriers_partial_update", request=InputSerializer,
                   responses={200: OutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        carrier = selectors.carrier_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, fields = _split(serializer.validated_data)
        services.carrier_update(carrier=carrier, by=request.user, data=data, fields=fields)
        return Response(_detail(request, pk))


class FirmListApi(APIView):
    """The firms of a carrier you may read, newest entry first."""

    pagination_class = LimitOffsetPagination
    OutputSerializer = FirmOutputSerializer

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=FirmStatus.choices, required=False)
        q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Name or credit code.")

    @extend_schema(operation_id="carriers_firms_list", parameters=[FilterSerializer],
                   responses={200: OutputSerializer(many=True), 400: VALIDATION_ERROR, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        carrier = selectors.carrier_get(user=request.user, pk=pk)
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        firms = selectors.firm_list(user=request.user, carrier=carrier, filters=dict(serializer.validated_data))
        return paginated_response(queryset=firms, serializer_class=self.OutputSerializer, request=request, view=self)


class FirmCreateApi(APIView):
    """Add a firm the carrier incubates (or did)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="IncubatedFirmCreate")
    class InputSerializer(FirmFieldsInputSerializer):
        name = serializers.CharField(max_length=200)
        uscc = serializers.CharField(max_length=30)
        entry_date = serializers.DateField(validators=[validate_sane_date])

    OutputSerializer = FirmOutputSerializer

    @extend_schema(operation_id="carriers_firms_create", request=InputSerializer,
                   responses={201: OutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        carrier = selectors.carrier_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        firm = services.firm_create(carrier=carrier, by=request.user, data=dict(serializer.validated_data))
        shown = selectors.firm_get(user=request.user, pk=firm.pk)
        return Response(self.OutputSerializer(shown).data, status=status.HTTP_201_CREATED)


class FirmDetailApi(APIView):
    OutputSerializer = FirmOutputSerializer

    @extend_schema(operation_id="carriers_firms_retrieve", responses={200: OutputSerializer, 404: NOT_FOUND},
                   tags=TAGS)
    def get(self, request: Request, pk: int, firm_pk: int) -> Response:
        """One firm of a carrier you may read."""
        return Response(self.OutputSerializer(selectors.firm_get(user=request.user, pk=firm_pk, carrier_id=pk)).data)


class FirmUpdateApi(APIView):
    """Change a firm (e.g. it graduated: status and date)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="IncubatedFirmUpdate")
    class InputSerializer(FirmFieldsInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    OutputSerializer = FirmOutputSerializer

    @extend_schema(operation_id="carriers_firms_partial_update", request=InputSerializer,
                   responses={200: OutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def patch(self, request: Request, pk: int, firm_pk: int) -> Response:
        firm = selectors.firm_get(user=request.user, pk=firm_pk, carrier_id=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.firm_update(firm=firm, by=request.user, data=dict(serializer.validated_data))
        return Response(self.OutputSerializer(selectors.firm_get(user=request.user, pk=firm_pk)).data)


@extend_schema_serializer(component_name="IncubationBucket")
class BucketSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


@extend_schema_serializer(component_name="IncubationCount")
class IncubationSerializer(serializers.Serializer):
    """Firms in incubation on `on` in listed carriers. `total` counts a firm once (by its credit code) however
    many carriers hold it; each breakdown counts it once in each type, level, district or field it is in."""

    on = serializers.DateField()
    total = serializers.IntegerField()
    carriers = serializers.IntegerField(help_text="Listed carriers with at least one firm in incubation.")
    target = serializers.IntegerField(allow_null=True, help_text="The target in force on that day.")
    target_source = serializers.CharField()
    share = serializers.FloatField(allow_null=True, help_text="total / target.")
    by_type = BucketSerializer(many=True)
    by_level = BucketSerializer(many=True)
    by_district = BucketSerializer(many=True)
    by_field = BucketSerializer(many=True)


class IncubationApi(APIView):
    """How many firms were in incubation on a date (default today), against the plan's target."""

    class FilterSerializer(serializers.Serializer):
        on = serializers.DateField(required=False, validators=[validate_sane_date], help_text="Default: today.")

    @extend_schema(operation_id="carriers_incubation", parameters=[FilterSerializer],
                   responses={200: IncubationSerializer, 400: VALIDATION_ERROR}, tags=TAGS)
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return Response(IncubationSerializer(selectors.incubation_count(on=serializer.validated_data.get("on"))).data)


def _step_detail(request: Request, pk: int, result: Carrier) -> dict[str, Any]:
    """The carrier after a step as the caller now sees it; a regional reviewer who returned it to its operator
    no longer reads the draft, and gets the carrier as they left it (with the notes they may read)."""
    try:
        return _detail(request, pk)
    except Http404:
        insider = perms.is_insider(request.user, result)
        result.shown_private_note = result.private_note if insider else ""
        result.shown_review_note = result.review_note if insider else ""
        result.firms_incubating = result.firms.filter(status=FirmStatus.INCUBATING).count()
        return CarrierDetailOutputSerializer(result, context={"request": request}).data


STEP_ROUTES = step_api_routes(
    CARRIER_FLOW,
    detail=_step_detail,
    resource="carriers",
    operation_prefix="carriers",
    component_prefix="Carrier",
    response=CarrierDetailOutputSerializer,
    tags=TAGS,
    input_help={"return": "What the operator must correct; shown to the operator."},
)

