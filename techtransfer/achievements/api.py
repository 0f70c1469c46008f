"""Achievements API (/api/v1/achievements/): one class per operation, each calling one selector or service.

Reads go through the selectors, so a record the caller may not see is a 404 whatever the operation; writes
go through the services, which hold every rule (403 for who, 409 for when, 400 for what).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import memberships
from techtransfer.achievements import permissions as perms
from techtransfer.achievements import services
from techtransfer.achievements.choices import AchievementType, AttachmentKind
from techtransfer.achievements.filters import AchievementFilterSet
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.search import achievement_search
from techtransfer.achievements.selectors import achievement_get, achievement_list
from techtransfer.achievements.serializers import (
    AchievementDetailOutputSerializer,
    AchievementFieldsInputSerializer,
    AchievementListOutputSerializer,
    AchievementPartsInputSerializer,
    AttachmentOutputSerializer,
    split_parts,
)
from techtransfer.achievements.workflows import ACHIEVEMENT_FLOW
from techtransfer.api.fields import StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, Window, paginated_response
from techtransfer.api.schema import (
    FORBIDDEN,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    VALIDATION_ERROR,
    WRITE_ERRORS,
    filterset_parameters,
)
from techtransfer.api.workflow import StatusHistorySerializer, step_api_routes
from techtransfer.core.audit import audit_for

# FilterSet filters the search index can apply, and the index's name for each.
SEARCH_FACETS = {
    "field": "field",
    "achievement_type": "type",
    "stage": "stage",
    "district": "district",
    "transfer_mode": "transfer_modes",
}
SEARCH_FILTER_UNSUPPORTED = _("This filter cannot be combined with q; with q you can filter by %(facets)s.")
NOTHING_TO_CHANGE = _("Send at least one field to change.")
NO_ORGANISATION = _("You belong to no organisation that can register achievements; ask your unit's TTO officer.")
NOT_AN_INSIDER = _("The history of a record is shown to those who work on it: its unit and its reviewers.")
TAGS = ["achievements"]


def _detail(request: Request, pk: int) -> dict[str, Any]:
    """The record as the caller now sees it, with its parts loaded by the selector."""
    achievement = achievement_get(user=request.user, pk=pk)
    return AchievementDetailOutputSerializer(achievement, context={"request": request}).data


class AchievementListApi(APIView):
    """Achievements you may see (anonymous: the published ones), filtered like the list page."""

    pagination_class = LimitOffsetPagination
    OutputSerializer = AchievementListOutputSerializer

    @extend_schema(
        operation_id="achievements_list",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description=(
                    "Full-text search (Chinese word segmentation) over published records, best match first. "
                    "Combines with field, achievement_type, stage, district and transfer_mode; the response "
                    "then also has `facets`, each result a `highlight`, and `match_mode`: `all` (every word "
                    "found), `any` (no record had every word: records with some of them) or `semantic` (none "
                    "had any: records similar in meaning, without facets)."
                ),
            ),
            *filterset_parameters(AchievementFilterSet),
        ],
        responses={200: OutputSerializer(many=True), 400: VALIDATION_ERROR},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        # The selector applies the shared FilterSet; validating it here turns bad filters into 400s.
        filterset = AchievementFilterSet(request.query_params, queryset=Achievement.objects.none())
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        query = request.query_params.get("q", "").strip()
        if query:
            return self._search(request, query=query, filters=filterset.form.cleaned_data)
        achievements = achievement_list(user=request.user, filters=request.query_params)
        return paginated_response(
            queryset=achievements, serializer_class=self.OutputSerializer, request=request, view=self
        )

    def _search(self, request: Request, *, query: str, filters: dict[str, Any]) -> Response:
        """`q` runs the portal's Chinese full-text search: published records only, best match first."""
        given = {name for name, value in filters.items() if value not in (None, "", [])}
        unsupported = sorted(given - set(SEARCH_FACETS))
        if unsupported:
            raise serializers.ValidationError(
                {name: [SEARCH_FILTER_UNSUPPORTED % {"facets": ", ".join(SEARCH_FACETS)}] for name in unsupported}
            )
        facet_filters = {}
        for name in given:
            value = filters[name]
            facet_filters[SEARCH_FACETS[name]] = list(value) if isinstance(value, list | tuple) else [value]
        window = Window(request)
        result = achievement_search(query=query, filters=facet_filters, limit=window.limit, offset=window.offset)
        achievements = []
        for hit in result.hits:
            hit.achievement.search_hit = hit
            achievements.append(hit.achievement)
        prefetch_related_objects(achievements, "transfer_modes")
        results = self.OutputSerializer(achievements, many=True, context={"request": request}).data
        facets = {name: [asdict(value) for value in values] for name, values in result.facets.items()}
        return window.response(count=result.total, results=results, facets=facets, match_mode=result.mode)


class AchievementCreateApi(APIView):
    """Create a draft for your organisation (or, if you belong to several, the one given as `owner`)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="AchievementCreate")
    class InputSerializer(AchievementPartsInputSerializer):
        owner = serializers.PrimaryKeyRelatedField(
            queryset=Organisation.objects.all(), required=False, help_text="Default: your (first) unit."
        )
        achievement_type = serializers.ChoiceField(choices=AchievementType.choices)
        name = serializers.CharField(max_length=200)
        summary = serializers.CharField()

    OutputSerializer = AchievementDetailOutputSerializer

    @extend_schema(
        operation_id="achievements_create",
        request=InputSerializer,
        responses={201: OutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, parts = split_parts(serializer.validated_data)
        owner = data.pop("owner", None) or self._default_owner(request.user)
        achievement = services.achievement_create(by=request.user, owner=owner, data=data, **parts)
        return Response(_detail(request, achievement.pk), status=status.HTTP_201_CREATED)

    @staticmethod
    def _default_owner(user: Any) -> Organisation:
        for membership in memberships(user):
            if perms.can_create_for(user, membership.organisation_id):
                return membership.organisation
        raise PermissionDenied(NO_ORGANISATION)


class AchievementDetailApi(APIView):
    """One achievement with all its fields, lists and files."""

    OutputSerializer = AchievementDetailOutputSerializer

    @extend_schema(operation_id="achievements_retrieve", responses={200: OutputSerializer, 404: NOT_FOUND}, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class AchievementUpdateApi(APIView):
    """Change a draft or returned record; lists that are sent replace the stored ones."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="AchievementUpdate")
    class InputSerializer(AchievementPartsInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(NOTHING_TO_CHANGE)
            return attrs

    OutputSerializer = AchievementDetailOutputSerializer

    @extend_schema(
        operation_id="achievements_partial_update",
        request=InputSerializer,
        responses={200: OutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        achievement = achievement_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, parts = split_parts(serializer.validated_data)
        services.achievement_update(achievement=achievement, by=request.user, data=data, **parts)
        return Response(_detail(request, pk))


STEP_ROUTES = step_api_routes(
    ACHIEVEMENT_FLOW,
    detail=lambda request, pk, result: _detail(request, pk),
    resource="achievements",
    operation_prefix="achievements",
    component_prefix="Achievement",
    response=AchievementDetailOutputSerializer,
    tags=TAGS,
    input_help={"return": "What the unit must fix; shown to the unit."},
)


@extend_schema_serializer(component_name="Revision")
class RevisionOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    changes = serializers.DictField(help_text="{field: [old, new]}")
    reason = serializers.CharField()
    by = serializers.CharField(source="by.display_name", allow_null=True, default=None)
    at = serializers.DateTimeField()


class AchievementReviseApi(APIView):
    """Change a registered record through a recorded revision: the fields that change, and why."""

    @extend_schema_serializer(component_name="AchievementRevise")
    class InputSerializer(AchievementFieldsInputSerializer):
        reason = serializers.CharField(help_text="Why the registered record changes; kept with the revision.")

    permission_classes = [permissions.IsAuthenticated]
    OutputSerializer = RevisionOutputSerializer

    @extend_schema(
        operation_id="achievements_revise",
        request=InputSerializer,
        responses={201: OutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        achievement = achievement_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason")
        revision = services.achievement_revise(achievement=achievement, by=request.user, data=data, reason=reason)
        return Response(self.OutputSerializer(revision).data, status=status.HTTP_201_CREATED)


class AttachmentUploadApi(APIView):
    """Attach a PDF (multipart/form-data: `file`, `kind`) to a draft or returned record."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="AttachmentUpload")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        file = serializers.FileField(help_text="A PDF file.")
        kind = serializers.ChoiceField(choices=AttachmentKind.choices, default=AttachmentKind.OTHER)

    OutputSerializer = AttachmentOutputSerializer

    @extend_schema(
        operation_id="achievements_attachments_create",
        request={"multipart/form-data": InputSerializer},
        responses={201: OutputSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        achievement = achievement_get(user=request.user, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            achievement=achievement,
            by=request.user,
            upload=serializer.validated_data["file"],
            kind=serializer.validated_data["kind"],
        )
        return Response(
            self.OutputSerializer(attachment, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class AchievementHistoryApi(APIView):
    """The record's workflow steps, revisions and audit trail, for those who work on it (as on its page)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="AchievementHistory")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="AuditEvent")
        class EventSerializer(serializers.Serializer):
            at = serializers.DateTimeField()
            actor = serializers.CharField(source="actor_repr")
            action = serializers.CharField()
            changes = serializers.DictField()
            note = serializers.CharField()

        status_changes = StatusHistorySerializer(many=True)
        revisions = RevisionOutputSerializer(many=True)
        events = EventSerializer(many=True)

    @extend_schema(
        operation_id="achievements_history",
        responses={200: OutputSerializer, 401: NOT_AUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        achievement = achievement_get(user=request.user, pk=pk)
        if not perms.is_insider(request.user, achievement):
            raise PermissionDenied(NOT_AN_INSIDER)
        history = {
            "status_changes": ACHIEVEMENT_FLOW.history_of(achievement),
            "revisions": achievement.revisions.select_related("by").order_by("number"),
            "events": audit_for(achievement).order_by("at", "id"),
        }
        return Response(self.OutputSerializer(history).data)
