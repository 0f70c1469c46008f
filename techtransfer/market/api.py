"""Technology demands API (/api/v1/demands/): one class per operation, each calling one selector or service.

Reads go through the selectors, so a demand the caller may not see is a 404 whatever the operation; writes
go through the services, which hold every rule (403 for who, 409 for when, 400 for what).
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
from techtransfer.accounts.permissions import memberships
from techtransfer.api.fields import ChoiceLabelField, CodeField, CodeLabelField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, Window, paginated_response
from techtransfer.api.schema import NOT_FOUND, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, step_api_routes
from techtransfer.lib.validators import DB_ID_MAX, TEXT_MAX_LENGTH, validate_deadline
from techtransfer.market import permissions as perms
from techtransfer.market import services
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.search import demand_search
from techtransfer.market.selectors import CONTACT_FIELDS, demand_get, demand_list
from techtransfer.market.workflows import DEMAND_FLOW

TAGS = ["demands"]
# List filters the search index can apply with q, and the index's name for each.
SEARCH_FACETS = {"field": "field", "region": "district", "cooperation_mode": "transfer_modes"}
SEARCH_FILTER_UNSUPPORTED = _("This filter cannot be combined with q; with q you can filter by %(facets)s.")
NOTHING_TO_CHANGE = _("Send at least one field to change.")
NO_ORGANISATION = _("You belong to no organisation that can post demands; ask your organisation's TTO officer.")
UNKNOWN_STATUS = _("Unknown status; the statuses are %(statuses)s.")
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal(0)}
# The pages take 万元; the API keeps amounts in yuan.
YUAN_HELP = "In yuan (元), not 万元: 500000 is 50万元."


# ---------------------------------------------------------------- output


@extend_schema_serializer(component_name="DemandHighlight")
class DemandHighlightSerializer(serializers.Serializer):
    title_html = serializers.CharField(help_text="The title with the matched words in <mark>.")
    snippet_html = serializers.CharField(help_text="A passage of the description with the matched words in <mark>.")


@extend_schema_serializer(component_name="DemandSummary")
class DemandListOutputSerializer(serializers.Serializer):
    """A demand in a list: what a results page shows (never the contact details)."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(DemandStatus.values))
    status_label = ChoiceLabelField("status")
    title = serializers.CharField()
    description = serializers.CharField()
    owner = OrganisationRefSerializer()
    field = CodeField("high_tech_field", read_only=True, allow_null=True)
    field_label = CodeLabelField(source="field", allow_null=True)
    region = CodeField("region", read_only=True, allow_null=True)
    region_label = CodeLabelField(source="region", allow_null=True)
    budget_min = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text=YUAN_HELP)
    budget_max = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text=YUAN_HELP)
    budget_display = serializers.CharField(help_text="The range as the pages show it (元 / 万元).")
    cooperation_modes = serializers.SerializerMethodField()
    cooperation_modes_labels = serializers.SerializerMethodField()
    deadline = serializers.DateField(allow_null=True, help_text="The last day the demand is open.")
    is_past_deadline = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    highlight = DemandHighlightSerializer(
        source="search_hit", allow_null=True, help_text="Only in search results (the list's `q` parameter)."
    )
    allowed_actions = AllowedActionsField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_cooperation_modes(self, demand: TechnologyDemand) -> list[str]:
        return [item.code for item in demand.cooperation_modes.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_cooperation_modes_labels(self, demand: TechnologyDemand) -> list[str]:
        return [item.label for item in demand.cooperation_modes.all()]


@extend_schema_serializer(component_name="DemandDetail")
class DemandDetailOutputSerializer(DemandListOutputSerializer):
    """A whole demand. Contact details are empty unless the caller may see them (`contact_visible`)."""

    highlight = None  # only search results carry one

    contact_public = serializers.BooleanField()
    contact_visible = serializers.BooleanField(help_text="Whether the contact fields are shown to you.")
    contact_name = serializers.CharField(source="shown_contact_name")
    contact_phone = serializers.CharField(source="shown_contact_phone")
    contact_email = serializers.CharField(source="shown_contact_email")
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_note = serializers.CharField(
        help_text="Why a moderator returned the demand; empty unless you work on it (its organisation, moderators)."
    )

    def to_representation(self, demand: TechnologyDemand) -> dict[str, Any]:
        data = super().to_representation(demand)
        request = self.context.get("request")
        if not perms.reads_review_note(getattr(request, "user", None), demand):
            data["review_note"] = ""
        return data


def _detail(request: Request, pk: int) -> dict[str, Any]:
    """The demand as the caller now sees it, through the selector."""
    return DemandDetailOutputSerializer(demand_get(user=request.user, pk=pk), context={"request": request}).data


# ---------------------------------------------------------------- input


class DemandFieldsInputSerializer(StrictInputMixin, serializers.Serializer):
    """The form's fields, all optional: PATCH sends only what changes. Codes, not ids."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    field = CodeField("high_tech_field", required=False, allow_null=True)
    region = CodeField("region", required=False, allow_null=True)
    budget_min = serializers.DecimalField(**MONEY, required=False, allow_null=True, help_text=YUAN_HELP)
    budget_max = serializers.DecimalField(**MONEY, required=False, allow_null=True, help_text=YUAN_HELP)
    cooperation_modes = serializers.ListField(
        child=CodeField("cooperation_mode"),
        required=False,
        help_text="Codes from /api/v1/code-tables/cooperation_mode/; replaces the stored ones.",
    )
    deadline = serializers.DateField(
        required=False, allow_null=True, help_text="The last day the demand is open.", validators=[validate_deadline]
    )
    contact_public = serializers.BooleanField(required=False)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)


def _split(validated: dict[str, Any]) -> tuple[dict[str, Any], list[Any] | None]:
    data = dict(validated)
    return data, data.pop("cooperation_modes", None)


# ---------------------------------------------------------------- operations


class DemandListApi(APIView):
    """Demands you may see (anonymous: the published ones), newest first; with `q`, the public search."""

    pagination_class = LimitOffsetPagination
    OutputSerializer = DemandListOutputSerializer

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            help_text=(
                "Full-text search (Chinese word segmentation) over published demands, best match first. "
                "Combines with field, region and cooperation_mode; the response then also has `facets` and "
                "`match_mode` (`all`, `any` or `semantic`, as for achievements)."
            ),
        )
        status = serializers.CharField(required=False, help_text=", ".join(DemandStatus.values))
        owner = serializers.IntegerField(
            required=False, min_value=1, max_value=DB_ID_MAX, help_text="Id of the owning organisation."
        )
        field = CodeField("high_tech_field", required=False)
        region = CodeField("region", required=False, help_text="A province or city code covers its districts.")
        cooperation_mode = CodeField("cooperation_mode", required=False)

        def validate_status(self, value: str) -> str:
            if value not in DemandStatus.values:
                raise serializers.ValidationError(UNKNOWN_STATUS % {"statuses": ", ".join(DemandStatus.values)})
            return value

    @extend_schema(
        operation_id="demands_list",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), 400: VALIDATION_ERROR},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = {
            name: value.code if hasattr(value, "code") else value
            for name, value in serializer.validated_data.items()
            if value not in (None, "")
        }
        query = str(filters.pop("q", "")).strip()
        if query:
            return self._search(request, query=query, filters=filters)
        demands = demand_list(user=request.user, filters=filters)
        return paginated_response(queryset=demands, serializer_class=self.OutputSerializer, request=request, view=self)

    def _search(self, request: Request, *, query: str, filters: dict[str, Any]) -> Response:
        unsupported = sorted(set(filters) - set(SEARCH_FACETS))
        if unsupported:
            message = SEARCH_FILTER_UNSUPPORTED % {"facets": ", ".join(SEARCH_FACETS)}
            raise serializers.ValidationError({name: [message] for name in unsupported})
        window = Window(request)
        result = demand_search(
            query=query,
            filters={SEARCH_FACETS[name]: [value] for name, value in filters.items()},
            limit=window.limit,
            offset=window.offset,
        )
        demands = []
        for hit in result.hits:
            hit.demand.search_hit = hit
            demands.append(hit.demand)
        results = self.OutputSerializer(demands, many=True, context={"request": request}).data
        facets = {
            name: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
            for name, values in result.facets.items()
        }
        return window.response(count=result.total, results=results, facets=facets, match_mode=result.mode)


class DemandCreateApi(APIView):
    """Create a draft for your organisation (or, if you can post for several, the one given as `owner`)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="DemandCreate")
    class InputSerializer(DemandFieldsInputSerializer):
        owner = serializers.PrimaryKeyRelatedField(
            queryset=Organisation.objects.all(), required=False, help_text="Default: your (first) organisation."
        )
        title = serializers.CharField(max_length=200)

    OutputSerializer = DemandDetailOutputSerializer

    @extend_schema(
        operation_id="demands_create",
        request=InputSerializer,
        responses={201: OutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, modes = _split(serializer.validated_data)
        owner = data.pop("owner", None) or self._default_owner(request.user)
        demand = services.demand_create(by=request.user, owner=owner, data=data, cooperation_modes=modes)
        return Response(_detail(request, demand.pk), status=status.HTTP_201_CREATED)

    @staticmethod
    def _default_owner(user: Any) -> Organisation:
        for membership in memberships(user):
            if perms.can_create_for(user, membership.organisation_id):
                return membership.organisation
        raise PermissionDenied(NO_ORGANISATION)


class DemandDetailApi(APIView):
    """One demand with all its fields (contact details only for those who may see them)."""

    OutputSerializer = DemandDetailOutputSerializer

    @extend_schema(operation_id="demands_retrieve", responses={200: OutputSerializer, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class DemandUpdateApi(APIView):
    """Change a draft; `cooperation_modes`, when sent, replaces the stored ones."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="DemandUpdate")
    class InputSerializer(DemandFieldsInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    OutputSerializer = DemandDetailOutputSerializer

    @extend_schema(
        operation_id="demands_partial_update",
        request=InputSerializer,
        responses={200: OutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        demand = demand_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, modes = _split(serializer.validated_data)
        services.demand_update(demand=demand, by=request.user, data=data, cooperation_modes=modes)
        return Response(_detail(request, pk))


def _step_detail(request: Request, pk: int, result: TechnologyDemand) -> dict[str, Any]:
    """The demand after a step, as the caller now sees it; a moderator who returned it no longer sees the
    draft, and gets the demand as they left it."""
    try:
        return _detail(request, pk)
    except Http404:
        return DemandDetailOutputSerializer(_as_left(request, result), context={"request": request}).data


def _as_left(request: Request, demand: TechnologyDemand) -> TechnologyDemand:
    """The demand a service returned, with the contact annotations the selector would have added."""
    visible = perms.demand_contact_visible(request.user, demand)
    demand.contact_visible = visible
    for name in CONTACT_FIELDS:
        setattr(demand, f"shown_{name}", getattr(demand, name) if visible else "")
    return demand


STEP_ROUTES = step_api_routes(
    DEMAND_FLOW,
    detail=_step_detail,
    resource="demands",
    operation_prefix="demands",
    component_prefix="Demand",
    response=DemandDetailOutputSerializer,
    tags=TAGS,
    input_help={"reject": "What the owner must fix; shown to the owner."},
)
