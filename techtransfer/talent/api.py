"""Commissioners, consultations and expert profiles API (/api/v1/commissioners/..., /api/v1/consultations/...,
/api/v1/expert-claims/..., /api/v1/experts/<id>/claims|profile|merge).

One class per operation, each calling one selector or service; reads go through the selectors, so what you may
not see is a 404, as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation, User
from techtransfer.api.fields import ChoiceLabelField, CodeField, CodeLabelField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, paginated_response
from techtransfer.api.schema import FORBIDDEN, NOT_AUTHENTICATED, NOT_FOUND, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, step_api_routes
from techtransfer.lib.validators import DB_ID_MAX
from techtransfer.market.models import TechnologyDemand
from techtransfer.matching.models import RESEARCH_FOCUS_MAX, Expert, ExpertAlias
from techtransfer.talent import permissions as perms
from techtransfer.talent import selectors, services
from techtransfer.talent.choices import ClaimStatus, Confirmation, ConsultationStatus, ServiceKind
from techtransfer.talent.models import Consultation
from techtransfer.talent.workflows import CLAIM_FLOW, CONSULTATION_FLOW

TAGS = ["commissioners"]
CONSULTATION_TAGS = ["consultations"]
EXPERT_TAGS = ["experts"]


# ---------------------------------------------------------------- output


@extend_schema_serializer(component_name="CommissionerAssignment")
class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    commissioner = serializers.IntegerField(source="commissioner_id")
    commissioner_name = serializers.CharField(source="commissioner.user.display_name")
    enterprise = OrganisationRefSerializer(allow_null=True)
    village_name = serializers.CharField()
    village_region = CodeField("region", read_only=True, allow_null=True)
    village_region_label = CodeLabelField(source="village_region", allow_null=True)
    place = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


@extend_schema_serializer(component_name="Commissioner")
class CommissionerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="user.display_name")
    year = serializers.IntegerField()
    dispatching_unit = OrganisationRefSerializer()
    service_region = CodeField("region", read_only=True)
    service_region_label = CodeLabelField(source="service_region")
    technical_fields = serializers.SerializerMethodField(help_text="Codes of the high_tech_field table.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_technical_fields(self, c: Any) -> list[str]:
        return [item.code for item in c.fields.all()]


@extend_schema_serializer(component_name="CommissionerDetail")
class CommissionerDetailSerializer(CommissionerSerializer):
    assignments = serializers.SerializerMethodField()

    @extend_schema_field(AssignmentSerializer(many=True))
    def get_assignments(self, c: Any) -> list[dict[str, Any]]:
        request = self.context["request"]
        return list(AssignmentSerializer(selectors.assignment_list(user=request.user, commissioner=c),
                                         many=True).data)


@extend_schema_serializer(component_name="CommissionerVisit")
class VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField(source="assignment_id")
    place = serializers.CharField(source="assignment.place")
    commissioner_name = serializers.CharField(source="assignment.commissioner.user.display_name")
    date = serializers.DateField()
    kind = serializers.CharField(help_text=", ".join(ServiceKind.values))
    kind_label = ChoiceLabelField("kind")
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    people_served = serializers.IntegerField()
    note = serializers.CharField()
    achievement = serializers.IntegerField(source="achievement_id", allow_null=True)
    demand = serializers.IntegerField(source="demand_id", allow_null=True)
    confirmation = serializers.CharField(help_text=", ".join(Confirmation.values))
    confirmation_label = ChoiceLabelField("confirmation")
    confirmation_note = serializers.CharField()
    confirmed_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="Consultation")
class ConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    expert = serializers.IntegerField(source="expert_id")
    expert_name = serializers.CharField(source="expert.name")
    enterprise = OrganisationRefSerializer()
    demand = serializers.IntegerField(source="demand_id", allow_null=True)
    message = serializers.CharField()
    status = serializers.CharField(help_text=", ".join(ConsultationStatus.values))
    status_label = ChoiceLabelField("status")
    answered_on_behalf = serializers.SerializerMethodField(
        help_text="True: the expert has no account; the commission answers on the expert's behalf.")
    created = serializers.DateTimeField()
    allowed_actions = AllowedActionsField()

    @extend_schema_field(serializers.BooleanField())
    def get_answered_on_behalf(self, c: Consultation) -> bool:
        return perms.expert_account(c.expert) is None


# ---------------------------------------------------------------- commissioners


class CommissionerListApi(APIView):
    """Commissioners you may see: all for the commission, your own terms for a commissioner."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)

    @extend_schema(operation_id="commissioners_list", parameters=[FilterSerializer],
                   responses={200: CommissionerSerializer(many=True), 400: VALIDATION_ERROR}, tags=TAGS)
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        rows = selectors.commissioner_list(user=request.user, year=f.validated_data.get("year"))
        return paginated_response(queryset=rows, serializer_class=CommissionerSerializer, request=request, view=self)


class CommissionerAppointApi(APIView):
    """Appoint a user S&T commissioner for a year (commission administrators)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="CommissionerAppoint")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
        year = serializers.IntegerField(min_value=2000, max_value=2100)
        dispatching_unit = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
        service_region = CodeField("region")
        fields = serializers.ListField(child=CodeField("high_tech_field"), required=False, max_length=20)

    @extend_schema(operation_id="commissioners_create", request=InputSerializer,
                   responses={201: CommissionerDetailSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        c = services.commissioner_appoint(by=request.user, **s.validated_data)
        return Response(CommissionerDetailSerializer(c, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class CommissionerDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="commissioners_retrieve",
                   responses={200: CommissionerDetailSerializer, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        c = selectors.commissioner_get(user=request.user, pk=pk)
        return Response(CommissionerDetailSerializer(c, context={"request": request}).data)


class AssignmentCreateApi(APIView):
    """Assign a commissioner to an enterprise (its id) or to a village or community (name and region code)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="CommissionerAssign")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        enterprise = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all(), required=False,
                                                        allow_null=True)
        village_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
        village_region = CodeField("region", required=False, allow_null=True)
        start = serializers.DateField()
        end = serializers.DateField()

    @extend_schema(operation_id="commissioners_assignments_create", request=InputSerializer,
                   responses={201: AssignmentSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        c = selectors.commissioner_get(user=request.user, pk=pk)
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        a = services.assignment_add(by=request.user, commissioner=c, **s.validated_data)
        return Response(AssignmentSerializer(a).data, status=status.HTTP_201_CREATED)


class VisitListApi(APIView):
    """Visit records you may see: the commission's all, a commissioner's own, an enterprise's visits."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        assignment = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX)
        confirmation = serializers.ChoiceField(choices=Confirmation.choices, required=False)

    @extend_schema(operation_id="commissioners_visits_list", parameters=[FilterSerializer],
                   responses={200: VisitSerializer(many=True), 400: VALIDATION_ERROR}, tags=TAGS)
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        assignment = f.validated_data.get("assignment")
        rows = selectors.visit_list(
            user=request.user, confirmation=f.validated_data.get("confirmation"),
            assignment=selectors.assignment_get(user=request.user, pk=assignment) if assignment else None,
        )
        return paginated_response(queryset=rows, serializer_class=VisitSerializer, request=request, view=self)


class VisitCreateApi(APIView):
    """Record a visit or service on one of your assignments (the commissioner)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="CommissionerVisitCreate")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        date = serializers.DateField()
        kind = serializers.ChoiceField(choices=ServiceKind.choices)
        hours = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, max_value=24)
        people_served = serializers.IntegerField(min_value=0, max_value=10000)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        achievement = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=DB_ID_MAX)
        demand = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=DB_ID_MAX)

    @extend_schema(operation_id="commissioners_visits_create", request=InputSerializer,
                   responses={201: VisitSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        a = selectors.assignment_get(user=request.user, pk=pk)
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = services.visit_record(by=request.user, assignment=a, data=dict(s.validated_data))
        return Response(VisitSerializer(selectors.visit_get(user=request.user, pk=v.pk)).data,
                        status=status.HTTP_201_CREATED)


class VisitDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="commissioners_visits_retrieve", responses={200: VisitSerializer, 404: NOT_FOUND},
                   tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(VisitSerializer(selectors.visit_get(user=request.user, pk=pk)).data)


class VisitConfirmApi(APIView):
    """The served enterprise confirms a visit record, or disputes it (a note is then required)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="CommissionerVisitConfirm")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        disputed = serializers.BooleanField(default=False)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(operation_id="commissioners_visits_confirm", request=InputSerializer,
                   responses={200: VisitSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        v = selectors.visit_get(user=request.user, pk=pk)
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        services.visit_confirm(visit=v, by=request.user, **s.validated_data)
        return Response(VisitSerializer(selectors.visit_get(user=request.user, pk=pk)).data)


@extend_schema_serializer(component_name="CommissionerActivityRow")
class ActivityRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Commissioner id or district code.")
    label = serializers.CharField()
    visits = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=9, decimal_places=1)
    people = serializers.IntegerField()
    places_served = serializers.IntegerField()
    confirmed_share = serializers.IntegerField(help_text="Per cent of visits the enterprise confirmed.")


@extend_schema_serializer(component_name="CommissionerActivity")
class ActivitySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    total = ActivityRowSerializer()
    by_commissioner = ActivityRowSerializer(many=True)
    by_district = ActivityRowSerializer(many=True)


class ActivityApi(APIView):
    """The commission's activity figures for a period (default: this calendar year); 403 for anyone else."""

    permission_classes = [permissions.IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        start = serializers.DateField(required=False)
        end = serializers.DateField(required=False)

    @extend_schema(operation_id="commissioners_activity", parameters=[FilterSerializer],
                   responses={200: ActivitySerializer, 400: VALIDATION_ERROR}, tags=TAGS)
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        year = timezone.localdate().year
        start = f.validated_data.get("start") or timezone.localdate().replace(year=year, month=1, day=1)
        end = f.validated_data.get("end") or timezone.localdate().replace(year=year, month=12, day=31)
        if not perms.is_commission(request.user):
            raise DjangoPermissionDenied(perms.NOT_COMMISSION)
        return Response(ActivitySerializer(selectors.activity(user=request.user, start=start, end=end)).data)


# ---------------------------------------------------------------- consultations


def _consultation(request: Request, pk: int) -> dict[str, Any]:
    return dict(ConsultationSerializer(selectors.consultation_get(user=request.user, pk=pk),
                                       context={"request": request}).data)


class ConsultationListApi(APIView):
    """Consultations you asked (your enterprise's), answer, or (the commission) oversee."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=ConsultationStatus.choices, required=False)

    @extend_schema(operation_id="consultations_list", parameters=[FilterSerializer],
                   responses={200: ConsultationSerializer(many=True), 400: VALIDATION_ERROR}, tags=CONSULTATION_TAGS)
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        rows = selectors.consultation_list(user=request.user, status=f.validated_data.get("status"))
        return paginated_response(queryset=rows, serializer_class=ConsultationSerializer, request=request, view=self)


class ConsultationCreateApi(APIView):
    """Ask an expert (from /api/v1/ matching results) for a consultation, as a member of an enterprise."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ConsultationCreate")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        expert = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX)
        enterprise = serializers.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX,
                                              help_text="Default: your (first) enterprise.")
        demand = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=DB_ID_MAX)
        message = serializers.CharField(max_length=2000)

    @extend_schema(operation_id="consultations_create", request=InputSerializer,
                   responses={201: ConsultationSerializer, **WRITE_ERRORS}, tags=CONSULTATION_TAGS)
    def post(self, request: Request) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        expert = get_object_or_404(Expert, pk=data["expert"])
        enterprise = get_object_or_404(Organisation, pk=data["enterprise"]) if data.get("enterprise") else None
        demand = get_object_or_404(TechnologyDemand, pk=data["demand"]) if data.get("demand") else None
        c = services.consultation_ask(by=request.user, expert=expert, enterprise=enterprise, demand=demand,
                                      message=data["message"])
        return Response(_consultation(request, c.pk), status=status.HTTP_201_CREATED)


class ConsultationDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="consultations_retrieve", responses={200: ConsultationSerializer, 404: NOT_FOUND},
                   tags=CONSULTATION_TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_consultation(request, pk))


STEP_ROUTES = step_api_routes(
    CONSULTATION_FLOW,
    detail=lambda request, pk, result: _consultation(request, pk),
    resource="consultations",
    operation_prefix="consultations",
    component_prefix="Consultation",
    response=ConsultationSerializer,
    tags=CONSULTATION_TAGS,
)


# ---------------------------------------------------------------- expert profiles: claims, editing, merging


@extend_schema_serializer(component_name="ExpertClaim")
class ClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    expert = serializers.IntegerField(source="expert_id")
    expert_name = serializers.CharField(source="expert.name")
    expert_unit = serializers.CharField(source="expert.unit_name")
    claimant = serializers.CharField(source="claimant.display_name")
    evidence = serializers.CharField()
    status = serializers.CharField(help_text=", ".join(ClaimStatus.values))
    status_label = ChoiceLabelField("status")
    created = serializers.DateTimeField()
    allowed_actions = AllowedActionsField()


@extend_schema_serializer(component_name="ExpertClaimCheck")
class ClaimCheckSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="name, member, email, history")
    label = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["agrees", "differs", "unknown"])
    detail = serializers.CharField()


@extend_schema_serializer(component_name="ExpertClaimDetail")
class ClaimDetailSerializer(ClaimSerializer):
    """A claim as its page shows it: with the claimant's e-mail and what the platform knows about the claim."""

    claimant_email = serializers.EmailField(source="claimant.email")
    checks = serializers.SerializerMethodField()

    @extend_schema_field(ClaimCheckSerializer(many=True))
    def get_checks(self, claim: Any) -> Any:
        return ClaimCheckSerializer(selectors.claim_checks(claim=claim), many=True).data


def _claim(request: Request, pk: int) -> dict[str, Any]:
    claim = selectors.claim_get(user=request.user, pk=pk)
    return dict(ClaimDetailSerializer(claim, context={"request": request}).data)


class ClaimListApi(APIView):
    """Claims to expert profiles you made or review (the commission, and the officers of the expert's unit)."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=ClaimStatus.choices, required=False)

    @extend_schema(operation_id="expert_claims_list", parameters=[FilterSerializer],
                   responses={200: ClaimSerializer(many=True), 400: VALIDATION_ERROR}, tags=EXPERT_TAGS)
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        rows = selectors.claim_list(user=request.user, status=f.validated_data.get("status"))
        return paginated_response(queryset=rows, serializer_class=ClaimSerializer, request=request, view=self)


class ClaimDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="expert_claims_retrieve", responses={200: ClaimDetailSerializer, 404: NOT_FOUND},
                   tags=EXPERT_TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_claim(request, pk))


class ClaimCreateApi(APIView):
    """Claim an expert profile as yours; the commission or the expert's unit reviews the claim."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ExpertClaimCreate")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        evidence = serializers.CharField(max_length=services.NOTE_MAX,
                                         help_text="How a reviewer can check the profile is yours.")

    @extend_schema(operation_id="expert_claims_create", request=InputSerializer,
                   responses={201: ClaimDetailSerializer, **WRITE_ERRORS}, tags=EXPERT_TAGS)
    def post(self, request: Request, pk: int) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        claim = services.expert_claim(by=request.user, expert=get_object_or_404(Expert, pk=pk),
                                      evidence=s.validated_data["evidence"])
        return Response(_claim(request, claim.pk), status=status.HTTP_201_CREATED)


class ExpertProfileUpdateApi(APIView):
    """Write the profile's own part, as the person who keeps it (or a commission administrator); the public profile
    is GET /api/v1/experts/<id>."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ExpertProfileUpdate")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        stated_title = serializers.CharField(max_length=services.STATED_TITLE_MAX, required=False, allow_blank=True)
        research_focus = serializers.CharField(max_length=RESEARCH_FOCUS_MAX, required=False, allow_blank=True)
        expertise = serializers.ListField(child=serializers.CharField(max_length=services.EXPERTISE_TERM_MAX),
                                          max_length=services.EXPERTISE_TERMS, required=False)
        accepts_consultations = serializers.BooleanField(required=False)

    @extend_schema_serializer(component_name="ExpertOwnProfile")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        stated_title = serializers.CharField()
        research_focus = serializers.CharField()
        expertise = serializers.ListField(child=serializers.CharField())
        accepts_consultations = serializers.BooleanField()

    @extend_schema(operation_id="experts_profile_update", request=InputSerializer,
                   responses={200: OutputSerializer, **WRITE_ERRORS}, tags=EXPERT_TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        expert = services.expert_profile_update(by=request.user, expert=get_object_or_404(Expert, pk=pk),
                                                data=dict(s.validated_data))
        return Response(self.OutputSerializer(expert).data)


class ExpertMergeApi(APIView):
    """Merge another profile of the same person into this one (commission administrators)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ExpertMerge")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        other = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX,
                                         help_text="The profile merged in and removed.")

    @extend_schema_serializer(component_name="ExpertMerged")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        unit_name = serializers.CharField()
        achievement_count = serializers.IntegerField()
        project_count = serializers.IntegerField()

    @extend_schema(operation_id="experts_merge", request=InputSerializer,
                   responses={200: OutputSerializer, **WRITE_ERRORS}, tags=EXPERT_TAGS)
    def post(self, request: Request, pk: int) -> Response:
        _merger(request)
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        into = get_object_or_404(Expert, pk=pk)
        merged = services.expert_merge(by=request.user, into=into,
                                       other=get_object_or_404(Expert, pk=s.validated_data["other"]))
        return Response(self.OutputSerializer(merged).data)


class MergeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit_name = serializers.CharField()
    merged_at = serializers.DateTimeField()
    merged_by = serializers.CharField(source="merged_by.display_name", default=None, allow_null=True)


def _merger(request: Request) -> None:
    if not perms.can_merge_experts(request.user):
        raise DjangoPermissionDenied(perms.NOT_A_MERGER)


class ExpertMergesApi(APIView):
    """The profiles merged into this one, as the merge page lists them (commission administrators)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="experts_merges_list", tags=EXPERT_TAGS, responses={
        200: MergeSerializer(many=True), 401: NOT_AUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        _merger(request)
        merges = selectors.merges_of(expert=get_object_or_404(Expert, pk=pk))
        return Response(MergeSerializer(merges, many=True).data)


class ExpertSplitApi(APIView):
    """Undo a merge: the profile merged in comes back with its records and the links the merge moved."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ExpertSplit")
    class OutputSerializer(serializers.Serializer):
        kept = ExpertMergeApi.OutputSerializer()
        restored = ExpertMergeApi.OutputSerializer(allow_null=True,
                                                   help_text="Null when no record names that profile any more.")

    @extend_schema(operation_id="experts_merges_split", request=None,
                   responses={200: OutputSerializer, **WRITE_ERRORS}, tags=EXPERT_TAGS)
    def post(self, request: Request, pk: int, merge_pk: int) -> Response:
        _merger(request)
        merge = get_object_or_404(ExpertAlias, pk=merge_pk, expert_id=pk)
        restored = services.expert_split(by=request.user, merge=merge)
        return Response(self.OutputSerializer({"kept": Expert.objects.get(pk=pk), "restored": restored}).data)


CLAIM_STEP_ROUTES = step_api_routes(
    CLAIM_FLOW,
    detail=lambda request, pk, result: _claim(request, pk),
    resource="expert-claims",
    operation_prefix="expert_claims",
    component_prefix="ExpertClaim",
    response=ClaimDetailSerializer,
    tags=EXPERT_TAGS,
)
