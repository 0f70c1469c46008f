"""Challenges API (/api/v1/challenges/, /api/v1/challenge-proposals/): one class per operation, each calling
one selector or service.

Reads go through the selectors, so a challenge or proposal the caller may not see is a 404 whatever the
operation (another bidder's proposal included); writes go through the services, which hold every rule
(403 for who, 409 for when: the deadline, the award, the state; 400 for what).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import memberships
from techtransfer.api.fields import ChoiceLabelField, CodeField, CodeLabelField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, paginated_response
from techtransfer.api.schema import NOT_AUTHENTICATED, NOT_FOUND, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, step_api_routes
from techtransfer.challenges import permissions as perms
from techtransfer.challenges import selectors, services
from techtransfer.challenges.choices import ChallengeStatus
from techtransfer.challenges.models import Challenge, ChallengeQuestion, Proposal
from techtransfer.challenges.search import challenge_search_ids
from techtransfer.challenges.workflows import CHALLENGE_FLOW, PROPOSAL_FLOW
from techtransfer.lib.validators import (
    NOTE_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    validate_deadline,
    validate_id,
)

NOTHING_TO_CHANGE = _("Send at least one field to change.")
NO_ORGANISATION = _("You belong to no organisation that can post challenges.")
TAGS = ["challenges"]
PROPOSAL_TAGS = ["challenge proposals"]
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}
# The pages take 万元; the API keeps amounts in yuan.
YUAN_HELP = "In yuan (元), not 万元: 500000 is 50万元."


# ---------------------------------------------------------------- output shapes


@extend_schema_serializer(component_name="ChallengeWinner")
class WinnerOutputSerializer(serializers.Serializer):
    """A winning proposal as the published result shows it to everyone."""

    team_name = serializers.CharField()
    summary = serializers.CharField()


@extend_schema_serializer(component_name="Challenge")
class ChallengeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(
        source="effective_status", help_text="An open challenge past its deadline is closed (its proposals open)."
    )
    status_label = serializers.CharField()
    owner = OrganisationRefSerializer()
    title = serializers.CharField()
    problem = serializers.CharField()
    requirements = serializers.CharField()
    reward = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text=YUAN_HELP)
    reward_note = serializers.CharField()
    submission_deadline = serializers.DateTimeField(allow_null=True)
    qa_deadline = serializers.DateTimeField(allow_null=True)
    eligibility = serializers.CharField()
    max_winners = serializers.IntegerField()
    proposals_opened_at = serializers.DateTimeField(
        allow_null=True, help_text="Proposals are sealed until the deadline; when their opening was recorded."
    )
    moderation_note = serializers.CharField(
        help_text="Why a moderator returned the challenge; empty unless you work on it (its organisation, moderators)."
    )
    published_at = serializers.DateTimeField(allow_null=True)
    awarded_at = serializers.DateTimeField(allow_null=True)
    result_note = serializers.CharField()
    winners = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    allowed_actions = AllowedActionsField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name, table in services.CODE_FIELDS.items():
            fields[name] = CodeField(table, read_only=True, allow_null=True)
            fields[f"{name}_label"] = CodeLabelField(source=name, allow_null=True)
        return fields

    def to_representation(self, challenge: Challenge) -> dict[str, Any]:
        data = super().to_representation(challenge)
        request = self.context.get("request")
        if not perms.reads_moderation_note(getattr(request, "user", None), challenge):
            data["moderation_note"] = ""
        return data

    @extend_schema_field(WinnerOutputSerializer(many=True))
    def get_winners(self, challenge: Challenge) -> list[dict[str, Any]]:
        return WinnerOutputSerializer(selectors.challenge_winners(challenge=challenge), many=True).data


@extend_schema_serializer(component_name="ChallengeQuestion")
class QuestionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    is_public = serializers.BooleanField(help_text="Answered questions are public; open ones only the asker sees.")
    created = serializers.DateTimeField()


@extend_schema_serializer(component_name="ChallengeProposal")
class ProposalOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    challenge = serializers.IntegerField(source="challenge_id")
    challenge_title = serializers.CharField(source="challenge.title")
    status = serializers.CharField()
    status_label = ChoiceLabelField("status")
    team_org = OrganisationRefSerializer(allow_null=True)
    submitted_by = serializers.CharField(source="submitted_by.display_name")
    team_name = serializers.CharField()
    members = serializers.CharField()
    summary = serializers.CharField()
    approach = serializers.CharField()
    price_quote = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text=YUAN_HELP)
    attachment_name = serializers.CharField()
    attachment_url = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    allowed_actions = AllowedActionsField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_attachment_url(self, proposal: Proposal) -> str | None:
        if not proposal.attachment:
            return None
        from django.urls import reverse

        url = reverse("challenges:proposal_attachment", args=[proposal.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


# ---------------------------------------------------------------- input shapes


class ChallengeFieldsInputSerializer(StrictInputMixin, serializers.Serializer):
    """The challenge form's fields, all optional: PATCH sends only what changes."""

    title = serializers.CharField(max_length=200, required=False)
    problem = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    requirements = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    field = CodeField("high_tech_field", required=False, allow_null=True)
    region = CodeField("region", required=False, allow_null=True)
    reward = serializers.DecimalField(**MONEY, required=False, allow_null=True, help_text=YUAN_HELP)
    reward_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    submission_deadline = serializers.DateTimeField(required=False, allow_null=True, validators=[validate_deadline])
    qa_deadline = serializers.DateTimeField(required=False, allow_null=True, validators=[validate_deadline])
    eligibility = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    max_winners = serializers.IntegerField(min_value=1, max_value=100, required=False)


class ProposalFieldsInputSerializer(StrictInputMixin, serializers.Serializer):
    team_org = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="An organisation you belong to that bids with you (its members can read the proposal).",
    )
    team_name = serializers.CharField(max_length=200, required=False)
    members = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    approach = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    price_quote = serializers.DecimalField(**MONEY, required=False, allow_null=True, help_text=YUAN_HELP)


@extend_schema_serializer(component_name="ChallengeShortlist")
class ShortlistInputSerializer(StrictInputMixin, serializers.Serializer):
    proposals = serializers.ListField(child=serializers.IntegerField(), min_length=1, help_text="Proposal ids.")


@extend_schema_serializer(component_name="ChallengeAward")
class AwardInputSerializer(StrictInputMixin, serializers.Serializer):
    proposals = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, help_text="The winning proposals' ids (at most max_winners)."
    )
    result_note = serializers.CharField(
        max_length=SUMMARY_MAX_LENGTH, help_text="The result published with the award."
    )


def _challenge(request: Request, pk: int) -> dict[str, Any]:
    """The challenge as the caller now sees it."""
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    return ChallengeOutputSerializer(challenge, context={"request": request}).data


def _proposal(request: Request, pk: int) -> dict[str, Any]:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    return ProposalOutputSerializer(proposal, context={"request": request}).data


# ---------------------------------------------------------------- challenges


class ChallengeListApi(APIView):
    """Challenges you may see (anonymous: the published ones), newest published first."""

    pagination_class = LimitOffsetPagination

    @extend_schema(
        operation_id="challenges_list",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=ChallengeStatus.values, description="Status."),
            OpenApiParameter("field", OpenApiTypes.STR, description="Technical field (high_tech_field code)."),
            OpenApiParameter("region", OpenApiTypes.STR, description="Region code; a city covers its districts."),
            OpenApiParameter("owner", OpenApiTypes.INT, description="Posting organisation id."),
            OpenApiParameter("q", OpenApiTypes.STR, description="Words in the title, problem or requirements."),
        ],
        responses={200: ChallengeOutputSerializer(many=True), 400: VALIDATION_ERROR},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        filters: dict[str, Any] = {name: params.get(name, "").strip() for name in ("status", "field", "region", "q")}
        for name, value in filters.items():
            if "\x00" in value:  # PostgreSQL text cannot hold NUL; refused as DRF's CharField does
                raise serializers.ValidationError({name: [_("Null characters are not allowed.")]})
        if filters["status"] and filters["status"] not in ChallengeStatus.values:
            raise serializers.ValidationError({"status": [_("Unknown status.")]})
        owner = params.get("owner", "").strip()
        if owner:
            if not owner.isdigit():
                raise serializers.ValidationError({"owner": [_("Give the organisation's id.")]})
            try:
                validate_id(int(owner))
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"owner": exc.messages}) from exc
            filters["owner"] = int(owner)
        if filters["q"]:
            filters["search_ids"] = challenge_search_ids(query=filters["q"], field=filters["field"])
        challenges = selectors.challenge_list(user=request.user, filters=filters)
        return paginated_response(
            queryset=challenges, serializer_class=ChallengeOutputSerializer, request=request, view=self
        )


class ChallengeCreateApi(APIView):
    """Create a draft challenge for your organisation (or, if you belong to several, the one given as `owner`)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ChallengeCreate")
    class InputSerializer(ChallengeFieldsInputSerializer):
        owner = serializers.PrimaryKeyRelatedField(
            queryset=Organisation.objects.all(), required=False, help_text="Default: your (first) organisation."
        )
        title = serializers.CharField(max_length=200)

    @extend_schema(
        operation_id="challenges_create",
        request=InputSerializer,
        responses={201: ChallengeOutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        owner = data.pop("owner", None) or self._default_owner(request.user)
        challenge = services.challenge_create(by=request.user, owner=owner, data=data)
        return Response(_challenge(request, challenge.pk), status=status.HTTP_201_CREATED)

    @staticmethod
    def _default_owner(user: Any) -> Organisation:
        for membership in memberships(user):
            if perms.can_create_for(user, membership.organisation_id):
                return membership.organisation
        raise PermissionDenied(NO_ORGANISATION)


class ChallengeDetailApi(APIView):
    """One challenge, with the number of proposals and, once awarded, the published result."""

    @extend_schema(
        operation_id="challenges_retrieve", responses={200: ChallengeOutputSerializer, 404: NOT_FOUND}, tags=TAGS
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_challenge(request, pk))


class ChallengeUpdateApi(APIView):
    """Change a draft challenge."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ChallengeUpdate")
    class InputSerializer(ChallengeFieldsInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    @extend_schema(
        operation_id="challenges_partial_update",
        request=InputSerializer,
        responses={200: ChallengeOutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        challenge = selectors.challenge_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.challenge_update(challenge=challenge, by=request.user, data=dict(serializer.validated_data))
        return Response(_challenge(request, pk))


CHALLENGE_STEP_ROUTES = step_api_routes(
    CHALLENGE_FLOW,
    detail=lambda request, pk, result: _challenge(request, pk),
    resource="challenges",
    operation_prefix="challenges",
    component_prefix="Challenge",
    response=ChallengeOutputSerializer,
    tags=TAGS,
)


class _OwnerDecisionApi(APIView):
    """The owner's decisions after the deadline, which take more than a reason (which proposals)."""

    permission_classes = [permissions.IsAuthenticated]

    def _challenge_and_input(
        self, request: Request, pk: int, serializer_class: Any
    ) -> tuple[Challenge, dict[str, Any]]:
        challenge = selectors.challenge_get(user=request.user, pk=pk)
        if not perms.is_owner_member(request.user, challenge):
            raise PermissionDenied(services.NOT_A_MEMBER)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return challenge, dict(serializer.validated_data)


class ChallengeShortlistApi(_OwnerDecisionApi):
    """Owner, after the deadline: put submitted proposals on the shortlist."""

    @extend_schema(
        operation_id="challenges_shortlist",
        request=ShortlistInputSerializer,
        responses={200: ChallengeOutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        challenge, data = self._challenge_and_input(request, pk, ShortlistInputSerializer)
        services.proposals_shortlist(challenge=challenge, by=request.user, proposals=data["proposals"])
        return Response(_challenge(request, pk))


class ChallengeAwardApi(_OwnerDecisionApi):
    """Owner, after the deadline: award 1..max_winners proposals and publish the result; all proposals freeze."""

    @extend_schema(
        operation_id="challenges_award",
        request=AwardInputSerializer,
        responses={200: ChallengeOutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        challenge, data = self._challenge_and_input(request, pk, AwardInputSerializer)
        services.challenge_award(
            challenge=challenge, by=request.user, proposals=data["proposals"], result_note=data["result_note"]
        )
        return Response(_challenge(request, pk))


# ---------------------------------------------------------------- questions


class QuestionListApi(APIView):
    """The challenge's questions you may read: answered ones (public) and your own."""

    pagination_class = LimitOffsetPagination

    @extend_schema(
        operation_id="challenges_questions_list",
        responses={200: QuestionOutputSerializer(many=True), 404: NOT_FOUND},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        challenge = selectors.challenge_get(user=request.user, pk=pk)
        questions = selectors.question_list(user=request.user, challenge=challenge)
        return paginated_response(
            queryset=questions, serializer_class=QuestionOutputSerializer, request=request, view=self
        )


class QuestionAskApi(APIView):
    """Ask the owner a question before the question deadline; its answer will be public."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ChallengeQuestionAsk")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        text = serializers.CharField(max_length=services.TEXT_MAX)

    @extend_schema(
        operation_id="challenges_questions_create",
        request=InputSerializer,
        responses={201: QuestionOutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        challenge = selectors.challenge_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = services.question_ask(challenge=challenge, by=request.user, text=serializer.validated_data["text"])
        return Response(QuestionOutputSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionAnswerApi(APIView):
    """Owner: answer a question; question and answer become public."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ChallengeQuestionAnswer")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        answer = serializers.CharField(max_length=services.TEXT_MAX)

    @extend_schema(
        operation_id="challenges_questions_answer",
        request=InputSerializer,
        responses={200: QuestionOutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int, question_pk: int) -> Response:
        challenge = selectors.challenge_get(user=request.user, pk=pk)
        question: ChallengeQuestion = selectors.question_get(user=request.user, challenge=challenge, pk=question_pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = services.question_answer(
            question=question, by=request.user, answer=serializer.validated_data["answer"]
        )
        return Response(QuestionOutputSerializer(question).data)


# ---------------------------------------------------------------- proposals


class ProposalInboxApi(APIView):
    """Owner (and commission administrators): the proposals handed in for the challenge."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        operation_id="challenges_proposals_list",
        responses={
            200: ProposalOutputSerializer(many=True),
            401: NOT_AUTHENTICATED,
            403: WRITE_ERRORS[403],
            404: NOT_FOUND,
        },
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        challenge = selectors.challenge_get(user=request.user, pk=pk)
        proposals = selectors.proposal_inbox(user=request.user, challenge=challenge)
        return paginated_response(
            queryset=proposals, serializer_class=ProposalOutputSerializer, request=request, view=self
        )


class ProposalCreateApi(APIView):
    """Start your (draft) proposal for an open challenge, before its deadline; submit it to hand it in."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ChallengeProposalCreate")
    class InputSerializer(ProposalFieldsInputSerializer):
        team_name = serializers.CharField(max_length=200)

    @extend_schema(
        operation_id="challenges_proposals_create",
        request=InputSerializer,
        responses={201: ProposalOutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        challenge = selectors.challenge_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_create(challenge=challenge, by=request.user, data=dict(serializer.validated_data))
        return Response(_proposal(request, proposal.pk), status=status.HTTP_201_CREATED)


class ProposalMineApi(APIView):
    """The proposals you or your organisation's teams wrote."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        operation_id="challenge_proposals_list",
        responses={200: ProposalOutputSerializer(many=True), 401: NOT_AUTHENTICATED},
        tags=PROPOSAL_TAGS,
    )
    def get(self, request: Request) -> Response:
        proposals = selectors.proposal_list_mine(user=request.user)
        return paginated_response(
            queryset=proposals, serializer_class=ProposalOutputSerializer, request=request, view=self
        )


class ProposalDetailApi(APIView):
    """One proposal: for its team, and (once handed in) for the challenge's owner. Anyone else: 404."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="challenge_proposals_retrieve",
        responses={200: ProposalOutputSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
        tags=PROPOSAL_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_proposal(request, pk))


class ProposalUpdateApi(APIView):
    """Change your proposal (also once submitted) until the deadline."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ChallengeProposalUpdate")
    class InputSerializer(ProposalFieldsInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    @extend_schema(
        operation_id="challenge_proposals_partial_update",
        request=InputSerializer,
        responses={200: ProposalOutputSerializer, **WRITE_ERRORS},
        tags=PROPOSAL_TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        proposal = selectors.proposal_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.proposal_update(proposal=proposal, by=request.user, data=dict(serializer.validated_data))
        return Response(_proposal(request, pk))


PROPOSAL_STEP_ROUTES = step_api_routes(
    PROPOSAL_FLOW,
    detail=lambda request, pk, result: _proposal(request, pk),
    resource="challenge-proposals",
    operation_prefix="challenge_proposals",
    component_prefix="Proposal",
    response=ProposalOutputSerializer,
    tags=PROPOSAL_TAGS,
    url_name_prefix="challenge-proposal",
)


class ProposalAttachmentApi(APIView):
    """Attach (or replace) the proposal's PDF (multipart/form-data: `file`) before the deadline."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="ChallengeProposalAttachment")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        file = serializers.FileField(help_text="A PDF file.")

    @extend_schema(
        operation_id="challenge_proposals_attachment",
        request={"multipart/form-data": InputSerializer},
        responses={200: ProposalOutputSerializer, **WRITE_ERRORS},
        tags=PROPOSAL_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        proposal = selectors.proposal_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.proposal_update(proposal=proposal, by=request.user, data={}, upload=serializer.validated_data["file"])
        return Response(_proposal(request, pk))
