"""Investment matching API (/api/v1/investors/, /api/v1/funding-projects/): one class per operation, each
calling one selector or service. Reads go through the selectors, so a record the caller may not read is a 404
whatever the operation; each response holds the fields the page shows the same user."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.models import Achievement
from techtransfer.api.fields import ChoiceLabelField, CodeField, CodeLabelField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, paginated_response
from techtransfer.api.schema import NOT_FOUND, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, step_api_routes
from techtransfer.deals.models import Deal
from techtransfer.investment import permissions as perms
from techtransfer.investment import selectors, services
from techtransfer.investment.choices import InvestorKind, InvestorStatus, ProjectStatus, RequestStatus, Stage
from techtransfer.investment.models import MONEY, Investor
from techtransfer.investment.workflows import INVESTOR_FLOW, PROJECT_FLOW, REQUEST_FLOW
from techtransfer.lib.validators import DB_ID_MAX, NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH

INVESTOR_TAGS = ["investors"]
PROJECT_TAGS = ["funding-projects"]
YUAN_HELP = "In yuan (元)."
NOTHING_TO_CHANGE = _("Send at least one field to change.")
NO_INVESTOR_ORG = services.NO_INVESTOR_ORG
NO_UNIT = services.NO_UNIT
DECIMAL = {"max_digits": MONEY["max_digits"], "decimal_places": MONEY["decimal_places"]}


# ---------------------------------------------------------------- output


@extend_schema_serializer(component_name="InvestorProfile")
class InvestorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    organisation = OrganisationRefSerializer()
    kind = serializers.CharField(help_text=", ".join(InvestorKind.values))
    kind_label = ChoiceLabelField("kind")
    focus_fields = serializers.SerializerMethodField()
    stages = serializers.ListField(source="stage_list", child=serializers.CharField(),
                                   help_text=", ".join(Stage.values))
    stage_labels = serializers.ListField(child=serializers.CharField())
    ticket_min = serializers.DecimalField(**DECIMAL, help_text=YUAN_HELP)
    ticket_max = serializers.DecimalField(**DECIMAL, help_text=YUAN_HELP)
    regions = serializers.SerializerMethodField()
    description = serializers.CharField()
    status = serializers.CharField(help_text=", ".join(InvestorStatus.values))
    status_label = ChoiceLabelField("status")
    published_at = serializers.DateTimeField(allow_null=True)
    allowed_actions = AllowedActionsField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_focus_fields(self, investor: Investor) -> list[str]:
        return [f.code for f in investor.fields.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_regions(self, investor: Investor) -> list[str]:
        return [r.code for r in investor.regions.all()]


@extend_schema_serializer(component_name="FundingProject")
class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    owner = OrganisationRefSerializer()
    amount = serializers.DecimalField(**DECIMAL, help_text=YUAN_HELP)
    stage = serializers.CharField(help_text=", ".join(Stage.values))
    stage_label = ChoiceLabelField("stage")
    field = CodeField("high_tech_field", read_only=True)
    field_label = CodeLabelField(source="field")
    achievement = serializers.IntegerField(source="achievement_id", allow_null=True)
    deal = serializers.IntegerField(source="deal_id", allow_null=True)
    status = serializers.CharField(help_text=", ".join(ProjectStatus.values))
    status_label = ChoiceLabelField("status")
    updated = serializers.DateTimeField()
    allowed_actions = AllowedActionsField()


@extend_schema_serializer(component_name="FundingRequest")
class RequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    project_title = serializers.CharField(source="project.title")
    investor = serializers.IntegerField(source="investor_id")
    investor_name = serializers.CharField(source="investor.name")
    message = serializers.CharField()
    status = serializers.CharField(help_text=", ".join(RequestStatus.values))
    status_label = ChoiceLabelField("status")
    invested_amount = serializers.DecimalField(**DECIMAL, allow_null=True, help_text=YUAN_HELP)
    invested_on = serializers.DateField(allow_null=True)
    created = serializers.DateTimeField()
    allowed_actions = AllowedActionsField()


@extend_schema_serializer(component_name="InvestorMatch")
class MatchSerializer(serializers.Serializer):
    investor = InvestorSerializer()
    score = serializers.FloatField()
    fits = serializers.BooleanField(help_text="The ticket size holds the amount and the stages include the project's.")
    reason_words = serializers.ListField(child=serializers.CharField(), help_text="Shared keywords.")
    same_field = serializers.BooleanField()
    stage_fits = serializers.BooleanField()
    ticket_fits = serializers.BooleanField()
    region_fits = serializers.BooleanField()
    misfits = serializers.ListField(child=serializers.CharField(), help_text="Why the investor does not fit.")
    sent = serializers.BooleanField()


def _investor(request: Request, pk: int) -> dict[str, Any]:
    return InvestorSerializer(selectors.investor_get(user=request.user, pk=pk), context={"request": request}).data


def _project(request: Request, pk: int) -> dict[str, Any]:
    return ProjectSerializer(selectors.project_get(user=request.user, pk=pk), context={"request": request}).data


def _request(request: Request, pk: int) -> dict[str, Any]:
    return RequestSerializer(selectors.request_get(user=request.user, pk=pk), context={"request": request}).data


# ---------------------------------------------------------------- investors


def _investor_data(validated: dict[str, Any]) -> dict[str, Any]:
    data = dict(validated)
    if "focus_fields" in data:
        data["fields"] = data.pop("focus_fields")
    return data


class InvestorInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=InvestorKind.choices, required=False)
    focus_fields = serializers.ListField(child=CodeField("high_tech_field"), required=False, max_length=30)
    stages = serializers.ListField(child=serializers.ChoiceField(choices=Stage.choices), required=False, max_length=4)
    ticket_min = serializers.DecimalField(**DECIMAL, min_value=0, required=False, help_text=YUAN_HELP)
    ticket_max = serializers.DecimalField(**DECIMAL, min_value=0, required=False, help_text=YUAN_HELP)
    regions = serializers.ListField(child=CodeField("region"), required=False, max_length=50)
    description = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)


class InvestorListApi(APIView):
    """Published investor profiles (with status=draft: the drafts you may read), newest published first."""

    pagination_class = LimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200)
        kind = serializers.ChoiceField(choices=InvestorKind.choices, required=False)
        field = CodeField("high_tech_field", required=False)
        stage = serializers.ChoiceField(choices=Stage.choices, required=False)
        status = serializers.ChoiceField(choices=InvestorStatus.choices, required=False)

    @extend_schema(operation_id="investors_list", parameters=[FilterSerializer],
                   responses={200: InvestorSerializer(many=True), 400: VALIDATION_ERROR}, tags=INVESTOR_TAGS)
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = {k: v.code if hasattr(v, "code") else v for k, v in serializer.validated_data.items()}
        investors = selectors.investor_list(user=request.user, filters=filters)
        return paginated_response(queryset=investors, serializer_class=InvestorSerializer, request=request, view=self)


class InvestorCreateApi(APIView):
    """List a fund of your investor organisation (as its admin), as a draft."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="InvestorCreate")
    class InputSerializer(InvestorInputSerializer):
        name = serializers.CharField(max_length=200)
        kind = serializers.ChoiceField(choices=InvestorKind.choices)
        stages = serializers.ListField(child=serializers.ChoiceField(choices=Stage.choices), max_length=4)
        ticket_min = serializers.DecimalField(**DECIMAL, min_value=0, help_text=YUAN_HELP)
        ticket_max = serializers.DecimalField(**DECIMAL, min_value=0, help_text=YUAN_HELP)

    @extend_schema(operation_id="investors_create", request=InputSerializer,
                   responses={201: InvestorSerializer, **WRITE_ERRORS}, tags=INVESTOR_TAGS)
    def post(self, request: Request) -> Response:
        orgs = sorted(perms.managed_investor_orgs(request.user))
        if not orgs:
            raise PermissionDenied(NO_INVESTOR_ORG)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        investor = services.investor_create(by=request.user, organisation=Organisation.objects.get(pk=orgs[0]),
                                            data=_investor_data(serializer.validated_data))
        return Response(_investor(request, investor.pk), status=status.HTTP_201_CREATED)


class InvestorDetailApi(APIView):
    """One investor profile."""

    @extend_schema(operation_id="investors_retrieve", responses={200: InvestorSerializer, 404: NOT_FOUND},
                   tags=INVESTOR_TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_investor(request, pk))


class InvestorUpdateApi(APIView):
    """Change a profile; `fields`, `stages` and `regions`, when sent, replace the stored ones."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="InvestorUpdate")
    class InputSerializer(InvestorInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    @extend_schema(operation_id="investors_partial_update", request=InputSerializer,
                   responses={200: InvestorSerializer, **WRITE_ERRORS}, tags=INVESTOR_TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        investor = selectors.investor_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.investor_update(investor=investor, by=request.user, data=_investor_data(serializer.validated_data))
        return Response(_investor(request, pk))


# ---------------------------------------------------------------- projects


class ProjectInputSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False)
    amount = serializers.DecimalField(**DECIMAL, min_value=0, required=False, help_text=YUAN_HELP)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    field = CodeField("high_tech_field", required=False)
    achievement = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX, required=False, allow_null=True,
                                           help_text="An achievement of your unit.")
    deal = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX, required=False, allow_null=True,
                                    help_text="A transformation deal of your unit.")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if "achievement" in data:
            data["achievement"] = Achievement(pk=data["achievement"]) if data["achievement"] else None
        if "deal" in data:
            data["deal"] = Deal(pk=data["deal"]) if data["deal"] else None
        return data


class ProjectListApi(APIView):
    """Funding projects you may read: your unit's, those sent to your investor organisation, or (commission)
    all that are not drafts."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)

    @extend_schema(operation_id="funding_projects_list", parameters=[FilterSerializer],
                   responses={200: ProjectSerializer(many=True), 400: VALIDATION_ERROR}, tags=PROJECT_TAGS)
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        projects = selectors.project_list(user=request.user, status=serializer.validated_data.get("status", ""))
        return paginated_response(queryset=projects, serializer_class=ProjectSerializer, request=request, view=self)


class ProjectCreateApi(APIView):
    """Create a funding project of your unit (as its TTO officer), as a draft."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="FundingProjectCreate")
    class InputSerializer(ProjectInputSerializer):
        title = serializers.CharField(max_length=200)
        summary = serializers.CharField(max_length=SUMMARY_MAX_LENGTH)
        amount = serializers.DecimalField(**DECIMAL, min_value=0, help_text=YUAN_HELP)
        stage = serializers.ChoiceField(choices=Stage.choices)
        field = CodeField("high_tech_field")

    @extend_schema(operation_id="funding_projects_create", request=InputSerializer,
                   responses={201: ProjectSerializer, **WRITE_ERRORS}, tags=PROJECT_TAGS)
    def post(self, request: Request) -> Response:
        units = sorted(perms.project_managers(request.user))
        if not units:
            raise PermissionDenied(NO_UNIT)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.project_create(by=request.user, owner=Organisation.objects.get(pk=units[0]),
                                          data=serializer.service_data())
        return Response(_project(request, project.pk), status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    """One funding project."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="funding_projects_retrieve", responses={200: ProjectSerializer, 404: NOT_FOUND},
                   tags=PROJECT_TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_project(request, pk))


class ProjectUpdateApi(APIView):
    """Change a project (not once it is closed)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="FundingProjectUpdate")
    class InputSerializer(ProjectInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    @extend_schema(operation_id="funding_projects_partial_update", request=InputSerializer,
                   responses={200: ProjectSerializer, **WRITE_ERRORS}, tags=PROJECT_TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        project = selectors.project_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.project_update(project=project, by=request.user, data=serializer.service_data())
        return Response(_project(request, pk))


class ProjectMatchesApi(APIView):
    """The published investors ranked for the project, with the reasons (for the project's unit only, as on
    the page): first those whose ticket size and stages fit, then the misfits with why."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="funding_projects_matches", responses={200: MatchSerializer(many=True),
                                                                      403: NOT_FOUND, 404: NOT_FOUND},
                   tags=PROJECT_TAGS)
    def get(self, request: Request, pk: int) -> Response:
        project = selectors.project_get(user=request.user, pk=pk)
        if not perms.can_manage_project(request.user, project):
            raise PermissionDenied(perms.NOT_THE_OWNER)
        matches = selectors.investor_matches(project=project)
        return Response(MatchSerializer(matches, many=True, context={"request": request}).data)


class ProjectRequestsApi(APIView):
    """The project's funding requests you may read."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="funding_projects_requests_list",
                   responses={200: RequestSerializer(many=True), 404: NOT_FOUND}, tags=PROJECT_TAGS)
    def get(self, request: Request, pk: int) -> Response:
        project = selectors.project_get(user=request.user, pk=pk)
        rows = selectors.project_requests(user=request.user, project=project)
        return Response(RequestSerializer(rows, many=True, context={"request": request}).data)


class ProjectSendApi(APIView):
    """Send the project (seeking funding) to a published investor, with a message."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="FundingRequestCreate")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        investor = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX)
        message = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)

    @extend_schema(operation_id="funding_projects_send", request=InputSerializer,
                   responses={201: RequestSerializer, **WRITE_ERRORS}, tags=PROJECT_TAGS)
    def post(self, request: Request, pk: int) -> Response:
        project = selectors.project_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        investor = selectors.investor_get(user=request.user, pk=serializer.validated_data["investor"])
        row = services.request_send(project=project, investor=investor, by=request.user,
                                    message=serializer.validated_data.get("message", ""))
        return Response(_request(request, row.pk), status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- requests


class RequestListApi(APIView):
    """Funding requests you may read: sent by your unit, received by your investor organisation."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=RequestStatus.choices, required=False)

    @extend_schema(operation_id="funding_requests_list", parameters=[FilterSerializer],
                   responses={200: RequestSerializer(many=True), 400: VALIDATION_ERROR}, tags=PROJECT_TAGS)
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        rows = selectors.request_list(user=request.user, status=serializer.validated_data.get("status", ""))
        return paginated_response(queryset=rows, serializer_class=RequestSerializer, request=request, view=self)


class RequestDetailApi(APIView):
    """One funding request with its answer and outcome."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="funding_requests_retrieve", responses={200: RequestSerializer, 404: NOT_FOUND},
                   tags=PROJECT_TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_request(request, pk))


class RequestInvestApi(APIView):
    """The outcome of an interested request: invested, with the amount and the date."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="FundingRequestInvest")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        amount = serializers.DecimalField(**DECIMAL, min_value=0, help_text=YUAN_HELP)
        invested_on = serializers.DateField()

    @extend_schema(operation_id="funding_requests_invest", request=InputSerializer,
                   responses={200: RequestSerializer, **WRITE_ERRORS}, tags=PROJECT_TAGS)
    def post(self, request: Request, pk: int) -> Response:
        row = selectors.request_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.request_invest(request=row, by=request.user, amount=serializer.validated_data["amount"],
                                invested_on=serializer.validated_data["invested_on"])
        return Response(_request(request, pk))


def _investor_step(request: Request, pk: int, result: Any) -> dict[str, Any]:
    return _investor(request, pk)


def _project_step(request: Request, pk: int, result: Any) -> dict[str, Any]:
    return _project(request, pk)


def _request_step(request: Request, pk: int, result: Any) -> dict[str, Any]:
    return _request(request, pk)


STEP_ROUTES = [
    *step_api_routes(INVESTOR_FLOW, detail=_investor_step, resource="investors", operation_prefix="investors",
                     component_prefix="Investor", response=InvestorSerializer, tags=INVESTOR_TAGS),
    *step_api_routes(PROJECT_FLOW, detail=_project_step, resource="funding-projects",
                     operation_prefix="funding_projects", component_prefix="FundingProject",
                     response=ProjectSerializer, tags=PROJECT_TAGS),
    *step_api_routes(REQUEST_FLOW, detail=_request_step, resource="funding-projects/requests",
                     operation_prefix="funding_requests", component_prefix="FundingRequest",
                     response=RequestSerializer, tags=PROJECT_TAGS),
]
