"""Matching API (/api/v1/matching/...): ranked matches with the reasons, for records and for free text; and an
expert's public profile (/api/v1/experts/<id>), as its page shows it.

Reads only. The source record goes through its app's selector, so a record the caller may not see is a
404; results are public records only.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.achievements.selectors import achievement_get
from techtransfer.api.schema import FORBIDDEN, NOT_FOUND, VALIDATION_ERROR
from techtransfer.market.selectors import demand_get
from techtransfer.matching import selectors
from techtransfer.matching.indexing import index_progress

TAGS = ["matching"]
EXPERT_TAGS = ["experts"]
TEXT_KINDS = ["achievement", "demand", "challenge", "expert", "organisation"]
FILTER_PARAMETERS = [
    OpenApiParameter("field", OpenApiTypes.STR, description="High-tech field code (repeatable).", many=True),
    OpenApiParameter("district", OpenApiTypes.STR, description="Region code (repeatable).", many=True),
    OpenApiParameter("stage", OpenApiTypes.STR, description="Maturity stage code (achievements).", many=True),
    OpenApiParameter("transfer_modes", OpenApiTypes.STR, description="Transfer/cooperation mode code.", many=True),
    # The bounds in the schema too, so that clients (and schemathesis) know 0 or 51 is refused.
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
        description="Results per group, 1–50 (default 10).",
    ),
]


class MatchOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField(source="object_id")
    title = serializers.CharField(help_text="Plain text (JSON needs no HTML escaping).")
    url = serializers.CharField(help_text="Page of the matched record (empty when it has none).")
    subtitle = serializers.CharField(help_text="Owner, unit or organisation type.")
    field = serializers.CharField(source="field_label")
    region = serializers.CharField(source="region_label")
    score = serializers.FloatField(help_text="Fused score: lexical + semantic, plus field/region boosts.")
    keywords = serializers.ListField(
        source="reason_words",
        child=serializers.CharField(),
        help_text="Keywords shared with the source, as written (no numbers, units or word fragments).",
    )
    same_field = serializers.BooleanField()
    same_region = serializers.BooleanField()
    region_shared = serializers.ChoiceField(
        choices=["district", "city", "province", ""],
        help_text="What the two regions share exactly: the district, the city, the province, or nothing.",
    )
    weak = serializers.BooleanField(
        help_text="Under the relevance floor (no shared keyword, not close in meaning); pages fold these."
    )
    lexical_rank = serializers.IntegerField(allow_null=True, help_text="Rank on the word-match side (from 1).")
    semantic_score = serializers.FloatField(allow_null=True, help_text="Cosine similarity of the sentence vectors.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it matched, in words.")


class GroupsOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    results = MatchOutputSerializer(many=True)


def _filters(request: Request) -> dict[str, list[str]]:
    return {name: request.query_params.getlist(name) for name in selectors.FILTER_NAMES}


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "10")
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= 50:
        raise serializers.ValidationError({"limit": ["Give a whole number from 1 to 50."]})
    return limit


def _groups(groups: list[selectors.MatchGroup]) -> list[dict[str, Any]]:
    return GroupsOutputSerializer(
        [{"kind": g.kind, "title": g.title, "results": g.results} for g in groups], many=True
    ).data


class DemandMatchesApi(APIView):
    @extend_schema(
        operation_id="matching_demand",
        summary="Who could solve a demand: achievements, experts and organisations",
        parameters=FILTER_PARAMETERS,
        responses={200: GroupsOutputSerializer(many=True), 400: VALIDATION_ERROR, 404: NOT_FOUND},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        demand = demand_get(user=request.user, pk=pk)
        limit = _limit(request)
        return Response(_groups(selectors.demand_matches(demand=demand, filters=_filters(request), limit=limit)))


class AchievementMatchesApi(APIView):
    @extend_schema(
        operation_id="matching_achievement",
        summary="Who may want an achievement: published demands and enterprises",
        parameters=FILTER_PARAMETERS,
        responses={200: GroupsOutputSerializer(many=True), 400: VALIDATION_ERROR, 404: NOT_FOUND},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        achievement = achievement_get(user=request.user, pk=pk)
        limit = _limit(request)
        groups = selectors.achievement_matches(achievement=achievement, filters=_filters(request), limit=limit)
        return Response(_groups(groups))


class SimilarAchievementsApi(APIView):
    @extend_schema(
        operation_id="matching_similar_achievements",
        summary="Published achievements similar to this one",
        parameters=[FILTER_PARAMETERS[-1]],
        responses={200: MatchOutputSerializer(many=True), 400: VALIDATION_ERROR, 404: NOT_FOUND},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        achievement = achievement_get(user=request.user, pk=pk)
        results = selectors.similar_achievements(achievement=achievement, limit=_limit(request))
        return Response(MatchOutputSerializer(results, many=True).data)


class TextMatchesApi(APIView):
    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(max_length=2000, help_text="A problem statement or a description, any language.")
        kind = serializers.ChoiceField(choices=TEXT_KINDS, default="achievement")

    @extend_schema(
        operation_id="matching_text",
        summary="Rank public records of one kind against free text (Chinese or English)",
        parameters=[InputSerializer, *FILTER_PARAMETERS],
        responses={
            200: MatchOutputSerializer(many=True),
            400: VALIDATION_ERROR,
            # Answered by the HTTP server before the application: gunicorn takes request lines of 4,094 bytes.
            414: OpenApiResponse(
                description="URL too long for the server (about 4 KB: some 400 Chinese characters of q, encoded)."
            ),
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        given = self.InputSerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        kind = given.validated_data["kind"]
        results = selectors.text_matches(
            text=given.validated_data["q"], kind=kind, filters=_filters(request), limit=_limit(request)
        )
        return Response(MatchOutputSerializer(results, many=True).data)


class IsCommissionAdmin(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return is_commission_admin(request.user)


class IndexStatusApi(APIView):
    permission_classes = [permissions.IsAuthenticated, IsCommissionAdmin]

    class OutputSerializer(serializers.Serializer):
        total = serializers.IntegerField(help_text="Documents in the search index.")
        current = serializers.IntegerField(help_text="Documents whose vector is up to date.")
        pending = serializers.IntegerField()
        percent = serializers.IntegerField()
        jobs_pending = serializers.IntegerField(help_text="Background jobs waiting or running.")

    @extend_schema(
        operation_id="matching_status",
        summary="Indexing progress (commission administrators)",
        responses={200: OutputSerializer, 403: FORBIDDEN},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(index_progress()).data)


@extend_schema_serializer(component_name="ExpertAchievement")
class ExpertAchievementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    owner = serializers.CharField(source="owner.display_name")
    published_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="ExpertProject")
class ExpertProjectSerializer(serializers.Serializer):
    title = serializers.CharField()
    grant_number = serializers.CharField()
    start = serializers.DateField(allow_null=True)


class ExpertProfileApi(APIView):
    """An expert's public profile: what its page shows (the records that name the person, under every unit merged
    into the profile, and what the person wrote once they claimed it)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema_serializer(component_name="ExpertProfile")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="expert.id")
        name = serializers.CharField(source="expert.name")
        title = serializers.CharField(source="expert.display_title")
        unit_name = serializers.CharField(source="expert.unit_name")
        organisation = serializers.IntegerField(source="expert.organisation_id", allow_null=True)
        other_units = serializers.SerializerMethodField()
        claimed = serializers.SerializerMethodField(help_text="True: the person keeps this profile.")
        research_focus = serializers.CharField(source="expert.research_focus")
        expertise = serializers.ListField(child=serializers.CharField(), source="expert.expertise")
        accepts_consultations = serializers.BooleanField(source="expert.accepts_consultations")
        achievements = ExpertAchievementSerializer(many=True)
        projects = ExpertProjectSerializer(many=True)

        @extend_schema_field(serializers.ListField(child=serializers.CharField()))
        def get_other_units(self, profile: Any) -> list[str]:
            return profile.expert.other_units

        @extend_schema_field(serializers.BooleanField())
        def get_claimed(self, profile: Any) -> bool:
            return profile.expert.account_id is not None

    @extend_schema(operation_id="experts_retrieve", responses={200: OutputSerializer, 404: NOT_FOUND}, tags=EXPERT_TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.OutputSerializer(selectors.expert_profile(pk=pk)).data)
