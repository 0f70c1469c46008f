"""Service agencies API: /api/v1/agencies/ (institutions and brokers, their filings, requests for help) and
/api/v1/brokers/ (the brokers). One class per operation, each calling one selector or service.

Reads go through the selectors, so a profile or request the caller may not see is a 404 whatever the operation;
writes go through the services, which hold every rule (403 for who, 409 for when, 400 for what). A profile shows
the caller what its page shows them: the review note and the filings' figures only to those who work on it.
"""

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
from techtransfer.agencies import permissions as perms
from techtransfer.agencies import selectors, services
from techtransfer.agencies.choices import AgencyKind, AgencyStatus, BrokerLevel, HelpStatus
from techtransfer.agencies.models import Agency, AgencyFiling, HelpRequest
from techtransfer.agencies.search import FACETS, agency_directory
from techtransfer.agencies.workflows import AGENCY_FLOW, HELP_FLOW
from techtransfer.api.fields import ChoiceLabelField, CodeField, CodeLabelField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, Window, paginated_response
from techtransfer.api.schema import NOT_AUTHENTICATED, NOT_FOUND, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, step_api_routes
from techtransfer.lib.validators import DB_ID_MAX, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from techtransfer.market.selectors import demand_get

TAGS = ["agencies"]
NOTHING_TO_CHANGE = _("Send at least one field to change.")
NO_INSTITUTION = _("You belong to no technology-transfer institution without a profile; give `organisation`.")
NO_SUCH = {
    "organisation": _("No such organisation."),
    "agency": _("No such service agency."),
    "demand": _("No such technology demand."),
}
SCOPES = ("directory", "mine", "review")
NOT_A_CHOICE = _("“%(value)s” is not one of: %(values)s.")
MONEY_HELP = "In yuan (元), not 万元."


# ---------------------------------------------------------------- output


@extend_schema_serializer(component_name="AgencyTrackRecord")
class TrackRecordSerializer(serializers.Serializer):
    """Counted from the platform's records, never typed in."""

    contact_requests = serializers.IntegerField(help_text="Contact requests the agency brokered.")
    contact_requests_signed = serializers.IntegerField(help_text="Of those, signed.")
    help_requests_accepted = serializers.IntegerField(help_text="Enterprises' requests for help it accepted.")
    intermediary_contracts = serializers.IntegerField(
        help_text="Registered technology contracts with the institution as the intermediary (技术中介)."
    )
    intermediary_value = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Their approved technical value, in yuan."
    )
    brokered_contracts = serializers.IntegerField(help_text="Registered contracts from contact requests it brokered.")
    deals = serializers.IntegerField(help_text="Completed transformation deals whose contract came from those.")


@extend_schema_serializer(component_name="AgencyHighlight")
class HighlightSerializer(serializers.Serializer):
    title_html = serializers.CharField(help_text="The name with the matched words in <mark>.")
    snippet_html = serializers.CharField(help_text="A passage of the introduction with the matched words in <mark>.")


class _ListsMixin(serializers.Serializer):
    services = serializers.SerializerMethodField(help_text="Codes from /api/v1/code-tables/agency_service/.")
    services_labels = serializers.SerializerMethodField()
    # Not get_fields: that is the serializer's own method.
    fields = serializers.SerializerMethodField(
        method_name="get_field_codes", help_text="Codes from /api/v1/code-tables/high_tech_field/."
    )
    fields_labels = serializers.SerializerMethodField(method_name="get_field_labels")
    regions = serializers.SerializerMethodField(help_text="Codes from /api/v1/code-tables/region/ (regions served).")
    regions_labels = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_services(self, agency: Agency) -> list[str]:
        return [item.code for item in agency.services.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_services_labels(self, agency: Agency) -> list[str]:
        return [item.label for item in agency.services.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_field_codes(self, agency: Agency) -> list[str]:
        return [item.code for item in agency.fields.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_field_labels(self, agency: Agency) -> list[str]:
        return [item.label for item in agency.fields.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_regions(self, agency: Agency) -> list[str]:
        return [item.code for item in agency.regions.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_regions_labels(self, agency: Agency) -> list[str]:
        return [item.label for item in agency.regions.all()]


@extend_schema_serializer(component_name="AgencySummary")
class AgencyListOutputSerializer(_ListsMixin):
    """A profile as the directory shows it."""

    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=", ".join(AgencyKind.values))
    kind_label = ChoiceLabelField("kind")
    name = serializers.CharField(source="display_name")
    organisation = OrganisationRefSerializer(allow_null=True, help_text="For an institution: its organisation.")
    status = serializers.CharField(help_text=", ".join(AgencyStatus.values))
    status_label = ChoiceLabelField("status")
    region = CodeField("region", read_only=True, help_text="Where the agency is based (its seat).")
    region_label = CodeLabelField(source="region")
    level = serializers.CharField(help_text="A broker's level: " + ", ".join(BrokerLevel.values) + "; empty otherwise.")
    level_label = ChoiceLabelField("level")
    employer = OrganisationRefSerializer(allow_null=True, help_text="The institution a broker works for.")
    listed_since = serializers.DateField(allow_null=True, help_text="The day it was first listed.")
    track_record = TrackRecordSerializer()
    highlight = HighlightSerializer(
        source="search_hit", allow_null=True, help_text="Only in directory results with `q`."
    )
    allowed_actions = AllowedActionsField()


@extend_schema_serializer(component_name="AgencyFiling")
class FilingSerializer(serializers.Serializer):
    """A year's filing; the figures only for those who work on the profile (else null)."""

    year = serializers.IntegerField()
    filed_at = serializers.DateTimeField()
    deadline = serializers.DateField(allow_null=True, help_text="The deadline then in force.")
    late = serializers.BooleanField()
    contracts_brokered = serializers.IntegerField(allow_null=True)
    turnover = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, help_text=MONEY_HELP)
    staff = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()

    def to_representation(self, filing: AgencyFiling) -> dict[str, Any]:
        data = super().to_representation(filing)
        if not self.context.get("insider"):
            data.update(contracts_brokered=None, turnover=None, staff=None, note="")
        return data


@extend_schema_serializer(component_name="AgencyFilingStatus")
class FilingStatusSerializer(serializers.Serializer):
    period = serializers.IntegerField(allow_null=True, help_text="The year whose filing must be made by now.")
    period_deadline = serializers.DateField(allow_null=True)
    period_filed = serializers.BooleanField()
    overdue = serializers.BooleanField(help_text="That filing was missed: the profile lapses (or has lapsed).")
    open_years = serializers.ListField(child=serializers.IntegerField(), help_text="Years it may still file.")
    next_year = serializers.IntegerField(allow_null=True)
    next_deadline = serializers.DateField(allow_null=True)


@extend_schema_serializer(component_name="AgencyRef")
class AgencyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField(source="display_name")


@extend_schema_serializer(component_name="AgencyDetail")
class AgencyDetailOutputSerializer(AgencyListOutputSerializer):
    """A whole profile: its qualification, track record and filings."""

    highlight = None  # only directory results carry one

    description = serializers.CharField()
    certificate_number = serializers.CharField()
    certificate_issuer = serializers.CharField()
    certificate_issued_on = serializers.DateField(allow_null=True)
    listed_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_note = serializers.CharField(help_text="Why a reviewer returned it; empty unless you work on it.")
    website = serializers.SerializerMethodField(help_text="An institution's website (its organisation's).")
    employer_profile = serializers.SerializerMethodField(
        help_text="Id of the listed profile of the institution a broker works for, if it has one."
    )
    brokers = serializers.SerializerMethodField(help_text="An institution's listed brokers.")
    filing_status = serializers.SerializerMethodField()
    filings = serializers.SerializerMethodField()

    def get_website(self, agency: Agency) -> str:
        return agency.organisation.website if agency.organisation is not None else ""

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_employer_profile(self, agency: Agency) -> int | None:
        profile = selectors.employer_profile(agency) if agency.is_broker else None
        return profile.pk if profile is not None else None

    @extend_schema_field(AgencyRefSerializer(many=True))
    def get_brokers(self, agency: Agency) -> list[Any]:
        if agency.is_broker:
            return []
        return list(AgencyRefSerializer(selectors.brokers_of(agency), many=True).data)

    @extend_schema_field(FilingStatusSerializer)
    def get_filing_status(self, agency: Agency) -> dict[str, Any]:
        return dict(FilingStatusSerializer(selectors.filing_status(agency)).data)

    @extend_schema_field(FilingSerializer(many=True))
    def get_filings(self, agency: Agency) -> list[Any]:
        insider = perms.is_insider(self._user(), agency)
        return list(FilingSerializer(selectors.agency_filings(agency), many=True, context={"insider": insider}).data)

    def _user(self) -> Any:
        return getattr(self.context.get("request"), "user", None)

    def to_representation(self, agency: Agency) -> dict[str, Any]:
        data = super().to_representation(agency)
        if not perms.is_insider(self._user(), agency):
            data["review_note"] = ""
        return data


def _with_record(agencies: list[Agency]) -> list[Agency]:
    records = selectors.agency_track_records(agencies)
    for agency in agencies:
        agency.track_record = records[agency.pk]
    return agencies


def _detail(request: Request, pk: int, *, kind: str | None = None) -> dict[str, Any]:
    """The profile as the caller now sees it, through the selector."""
    agency = selectors.agency_get(user=request.user, pk=pk)
    if kind is not None and agency.kind != kind:
        raise Http404("No such broker")
    return dict(AgencyDetailOutputSerializer(_with_record([agency])[0], context={"request": request}).data)


# ---------------------------------------------------------------- input


def _choice(value: str, values: list[str], *, blank: bool = False) -> str:
    if (blank and value == "") or value in values:
        return value
    raise serializers.ValidationError(NOT_A_CHOICE % {"value": value, "values": ", ".join(values)})


class AgencyFieldsInputSerializer(StrictInputMixin, serializers.Serializer):
    """A profile's fields, all optional: PATCH sends only what changes. Codes, not ids; a list replaces the
    stored one."""

    region = CodeField("region", required=False, help_text="Where the agency is based (its seat).")
    description = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    services = serializers.ListField(child=CodeField("agency_service"), required=False, max_length=50)
    fields = serializers.ListField(child=CodeField("high_tech_field"), required=False, max_length=50)
    regions = serializers.ListField(
        child=CodeField("region"), required=False, max_length=100, help_text="Regions served (codes)."
    )


class BrokerFieldsInputSerializer(AgencyFieldsInputSerializer):
    certificate_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    # Plain strings checked against the choices (ChoiceFields would add enums whose names collide in the schema).
    level = serializers.CharField(
        max_length=16, required=False, allow_blank=True, help_text=", ".join(BrokerLevel.values) + " (brokers)."
    )
    certificate_issuer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    certificate_issued_on = serializers.DateField(required=False, allow_null=True)
    employer = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=DB_ID_MAX,
        help_text="Id of the technology-transfer institution you work for (one you are a member of).",
    )

    def validate_level(self, value: str) -> str:
        return _choice(value, BrokerLevel.values, blank=True)


def _split(validated: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    data = dict(validated)
    lists = {name: data.pop(name) for name in services.LISTS if name in data}
    if data.get("employer") is not None:
        employer = Organisation.objects.filter(pk=data["employer"]).first()
        if employer is None:
            raise serializers.ValidationError({"employer": [NO_SUCH["organisation"]]})
        data["employer"] = employer
    return data, lists


# ---------------------------------------------------------------- the directory and lists


class AgencyDirectoryFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text="Full-text search (Chinese word segmentation) over listed profiles, best match first.",
    )
    kind = serializers.CharField(required=False, help_text=", ".join(AgencyKind.values))
    service = CodeField("agency_service", required=False)
    field = CodeField("high_tech_field", required=False)
    region = CodeField(
        "region", required=False, help_text="Profiles serving this region, a region above it or one inside it."
    )
    level = serializers.CharField(required=False, help_text=", ".join(BrokerLevel.values))
    scope = serializers.ChoiceField(
        choices=[(s, s) for s in SCOPES], required=False,
        help_text="directory (default: listed profiles, with facets); mine (your profiles in every state); "
        "review (profiles waiting for your review).",
    )


    def validate_kind(self, value: str) -> str:
        return _choice(value, AgencyKind.values)

    def validate_level(self, value: str) -> str:
        return _choice(value, BrokerLevel.values)


def _directory_response(view: APIView, request: Request, *, kind: str | None = None) -> Response:
    serializer = AgencyDirectoryFilterSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    values = dict(serializer.validated_data)
    scope = values.pop("scope", "directory")
    if scope != "directory":
        if not request.user.is_authenticated:
            raise PermissionDenied(_("Sign in to list your profiles or your review queue."))
        queryset = selectors.agency_list(user=request.user, scope=scope)
        if kind is not None:
            queryset = queryset.filter(kind=kind)
        paginator = LimitOffsetPagination()
        page = _with_record(list(paginator.paginate_queryset(queryset, request, view=view) or []))
        data = AgencyListOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)
    query = str(values.pop("q", "") or "")
    filters = {name: getattr(value, "code", value) for name, value in values.items() if name in FACETS}
    if kind is not None:
        filters["kind"] = kind
    window = Window(request)
    result = agency_directory(query=query, filters=filters, limit=window.limit, offset=window.offset)
    agencies = []
    for hit in result.hits:
        hit.agency.track_record = hit.record
        hit.agency.search_hit = hit if query else None
        agencies.append(hit.agency)
    results = AgencyListOutputSerializer(agencies, many=True, context={"request": request}).data
    facets = {
        name: [{"value": f.value, "label": f.label, "count": f.count} for f in values_]
        for name, values_ in result.facets.items()
    }
    return window.response(count=result.total, results=results, facets=facets, match_mode=result.mode)


LIST_DOC = (
    "The response also has `facets` (kind, service, field, region, level: value, label, count) and, with `q`, "
    "`match_mode` (`all`, `any` or `semantic`)."
)


class AgencyListApi(APIView):
    """The public directory of listed institutions and brokers, with facets; or, signed in, your own profiles
    (`scope=mine`) or those waiting for your review (`scope=review`)."""

    pagination_class = LimitOffsetPagination

    @extend_schema(
        operation_id="agencies_list",
        description=LIST_DOC,
        parameters=[AgencyDirectoryFilterSerializer],
        responses={200: AgencyListOutputSerializer(many=True), 400: VALIDATION_ERROR},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return _directory_response(self, request)


class BrokerListApi(APIView):
    """The listed technology brokers (the directory with kind=broker)."""

    pagination_class = LimitOffsetPagination

    @extend_schema(
        operation_id="brokers_list",
        description=LIST_DOC,
        parameters=[AgencyDirectoryFilterSerializer],
        responses={200: AgencyListOutputSerializer(many=True), 400: VALIDATION_ERROR},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return _directory_response(self, request, kind=AgencyKind.BROKER)


# ---------------------------------------------------------------- one profile


class InstitutionCreateApi(APIView):
    """Register the draft profile of a technology-transfer institution you belong to."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="InstitutionProfileCreate")
    class InputSerializer(AgencyFieldsInputSerializer):
        organisation = serializers.IntegerField(
            required=False, min_value=1, max_value=DB_ID_MAX,
            help_text="Id of your technology-transfer institution (default: your first one without a profile).",
        )

    OutputSerializer = AgencyDetailOutputSerializer

    @extend_schema(
        operation_id="agencies_create", request=InputSerializer, responses={201: OutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, lists = _split(serializer.validated_data)
        organisation_id = data.pop("organisation", None)
        if organisation_id is not None:
            organisation = Organisation.objects.filter(pk=organisation_id).first()
            if organisation is None:
                raise serializers.ValidationError({"organisation": [NO_SUCH["organisation"]]})
        else:
            organisation = (
                Organisation.objects.filter(
                    pk__in=perms.transfer_institution_ids(request.user), agency_profile__isnull=True
                ).order_by("name").first()
            )
            if organisation is None:
                raise PermissionDenied(NO_INSTITUTION)
        agency = services.agency_create(
            by=request.user, kind=AgencyKind.INSTITUTION, organisation=organisation, data=data, **lists
        )
        return Response(_detail(request, agency.pk), status=status.HTTP_201_CREATED)


class BrokerCreateApi(APIView):
    """Register your own draft broker profile."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="BrokerProfileCreate")
    class InputSerializer(BrokerFieldsInputSerializer):
        region = CodeField("region", help_text="Where you are based; the reviewers of that region review you.")

    OutputSerializer = AgencyDetailOutputSerializer

    @extend_schema(
        operation_id="brokers_create", request=InputSerializer, responses={201: OutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, lists = _split(serializer.validated_data)
        agency = services.agency_create(by=request.user, kind=AgencyKind.BROKER, data=data, **lists)
        return Response(_detail(request, agency.pk), status=status.HTTP_201_CREATED)


class AgencyDetailApi(APIView):
    """One profile with its track record and filings (the review note and figures only for its insiders)."""

    OutputSerializer = AgencyDetailOutputSerializer

    @extend_schema(operation_id="agencies_retrieve", responses={200: OutputSerializer, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class BrokerDetailApi(APIView):
    """One broker's profile (404 for an institution's)."""

    OutputSerializer = AgencyDetailOutputSerializer

    @extend_schema(operation_id="brokers_retrieve", responses={200: OutputSerializer, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk, kind=AgencyKind.BROKER))


class AgencyUpdateApi(APIView):
    """Change a draft profile; a list, when sent, replaces the stored one. (Broker fields: brokers only.)"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="AgencyUpdate")
    class InputSerializer(BrokerFieldsInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    OutputSerializer = AgencyDetailOutputSerializer

    @extend_schema(
        operation_id="agencies_partial_update", request=InputSerializer,
        responses={200: OutputSerializer, **WRITE_ERRORS}, tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        agency = selectors.agency_get(user=request.user, pk=pk)
        if not perms.is_owner(request.user, agency):
            raise PermissionDenied(str(perms.NOT_THE_OWNER))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, lists = _split(serializer.validated_data)
        services.agency_update(agency=agency, by=request.user, data=data, **lists)
        return Response(_detail(request, pk))


# ---------------------------------------------------------------- filings


class FilingListApi(APIView):
    """The profile's annual filings, newest first (the figures only for those who work on it)."""

    @extend_schema(
        operation_id="agencies_filings_list", responses={200: FilingSerializer(many=True), 404: NOT_FOUND}, tags=TAGS
    )
    def get(self, request: Request, pk: int) -> Response:
        agency = selectors.agency_get(user=request.user, pk=pk)
        insider = perms.is_insider(request.user, agency)
        filings = selectors.agency_filings(agency)
        return Response(FilingSerializer(filings, many=True, context={"insider": insider}).data)


class FilingCreateApi(APIView):
    """File the figures of one year (once). A lapsed profile whose overdue filing this is is listed again."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="AgencyFilingCreate")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        year = serializers.IntegerField(min_value=1990, max_value=2100, help_text="The year of the figures.")
        contracts_brokered = serializers.IntegerField(min_value=0, max_value=1_000_000)
        turnover = serializers.DecimalField(
            max_digits=16, decimal_places=2, min_value=Decimal(0), help_text=MONEY_HELP
        )
        staff = serializers.IntegerField(
            min_value=0, max_value=1_000_000, required=False, allow_null=True, help_text="Required of institutions."
        )
        note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)

    @extend_schema(
        operation_id="agencies_filings_create", request=InputSerializer,
        responses={201: FilingSerializer, **WRITE_ERRORS}, tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        agency = selectors.agency_get(user=request.user, pk=pk)
        if not perms.is_owner(request.user, agency):  # who first: an outsider learns nothing from validation
            raise PermissionDenied(str(perms.NOT_THE_OWNER))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        year = data.pop("year")
        filing = services.filing_submit(agency=agency, by=request.user, year=year, data=data)
        return Response(FilingSerializer(filing, context={"insider": True}).data, status=status.HTTP_201_CREATED)


def _step_detail(request: Request, pk: int, result: Agency) -> dict[str, Any]:
    """The profile after a step, as the caller now sees it; a reviewer who returned it no longer sees the
    draft, and gets it as they left it."""
    try:
        return _detail(request, pk)
    except Http404:
        return dict(AgencyDetailOutputSerializer(_with_record([result])[0], context={"request": request}).data)


STEP_ROUTES = step_api_routes(
    AGENCY_FLOW,
    detail=_step_detail,
    resource="agencies",
    operation_prefix="agencies",
    component_prefix="Agency",
    response=AgencyDetailOutputSerializer,
    tags=TAGS,
    input_help={"return": "What the owner must fix; shown to the owner."},
)


# ---------------------------------------------------------------- requests for help


@extend_schema_serializer(component_name="DemandRef")
class DemandRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    owner = OrganisationRefSerializer()


@extend_schema_serializer(component_name="AgencyHelpRequest")
class HelpRequestOutputSerializer(serializers.Serializer):
    """An enterprise's request to an agency for help on its demand (only the two sides read it)."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(HelpStatus.values))
    status_label = ChoiceLabelField("status")
    agency = AgencyRefSerializer()
    demand = DemandRefSerializer()
    message = serializers.CharField()
    answer = serializers.CharField(help_text="The agency's note with its acceptance, or why it declined.")
    created = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    allowed_actions = AllowedActionsField()


def _help_detail(request: Request, pk: int, result: HelpRequest | None = None) -> dict[str, Any]:
    help_request = selectors.help_request_get(user=request.user, pk=pk)
    return dict(HelpRequestOutputSerializer(help_request, context={"request": request}).data)


class HelpRequestListApi(APIView):
    """Requests for help you take part in (as the enterprise or as the agency), newest first."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        waiting = serializers.BooleanField(
            required=False, default=False, help_text="Only those addressed to you still waiting for your answer."
        )

    @extend_schema(
        operation_id="agency_help_requests_list",
        parameters=[FilterSerializer],
        responses={200: HelpRequestOutputSerializer(many=True), 401: NOT_AUTHENTICATED, 400: VALIDATION_ERROR},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return paginated_response(
            queryset=selectors.help_request_list(user=request.user, waiting=serializer.validated_data["waiting"]),
            serializer_class=HelpRequestOutputSerializer,
            request=request,
            view=self,
        )


class HelpRequestOpenApi(APIView):
    """Ask a listed agency for help on a published demand of your enterprise."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="AgencyHelpRequestOpen")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        agency = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX, help_text="Id of a listed profile.")
        demand = serializers.IntegerField(
            min_value=1, max_value=DB_ID_MAX, help_text="Id of a published demand of your enterprise."
        )
        message = serializers.CharField(max_length=NOTE_MAX_LENGTH)

    @extend_schema(
        operation_id="agency_help_requests_create",
        request=InputSerializer,
        responses={201: HelpRequestOutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            agency = selectors.agency_get(user=request.user, pk=data["agency"])
        except Http404:
            raise serializers.ValidationError({"agency": [NO_SUCH["agency"]]}) from None
        try:
            demand = demand_get(user=request.user, pk=data["demand"])
        except Http404:
            raise serializers.ValidationError({"demand": [NO_SUCH["demand"]]}) from None
        help_request = services.help_request_open(
            by=request.user, agency=agency, demand=demand, message=data["message"]
        )
        return Response(_help_detail(request, help_request.pk), status=status.HTTP_201_CREATED)


class HelpRequestDetailApi(APIView):
    """One request for help."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="agency_help_requests_retrieve",
        responses={200: HelpRequestOutputSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_help_detail(request, pk))


HELP_STEP_ROUTES = step_api_routes(
    HELP_FLOW,
    detail=_help_detail,
    resource="agencies/help-requests",
    operation_prefix="agency_help_requests",
    component_prefix="AgencyHelp",
    response=HelpRequestOutputSerializer,
    tags=TAGS,
    input_help={"decline": "Why you decline; shown to the enterprise.", "accept": "A note to the enterprise."},
    url_name_prefix="agency-help",
)
