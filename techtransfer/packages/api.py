"""Achievement packages API (/api/v1/packages/): one class per operation, each calling one selector or service.

Reads go through the selectors: a draft or withdrawn package is a 404 for everybody but the commission's
editors; an achievement no longer published is left out of every package, as on the page.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.api.fields import ChoiceLabelField, CodeField, CodeLabelField, StrictInputMixin
from techtransfer.api.pagination import LimitOffsetPagination, paginated_response
from techtransfer.api.schema import NOT_FOUND, READ_ERRORS, VALIDATION_ERROR, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, step_api_routes
from techtransfer.lib.validators import DB_ID_MAX, SUMMARY_MAX_LENGTH
from techtransfer.packages import permissions as perms
from techtransfer.packages import selectors, services
from techtransfer.packages.choices import MAX_ITEMS, PackageStatus
from techtransfer.packages.models import Package
from techtransfer.packages.workflows import PACKAGE_FLOW

TAGS = ["packages"]
KEY_FIELD = "key_field"


@extend_schema_serializer(component_name="PackageAchievement")
class ItemSerializer(serializers.Serializer):
    achievement = serializers.IntegerField(source="achievement_id")
    title = serializers.CharField(source="achievement.display_name")
    owner = OrganisationRefSerializer(source="achievement.owner")
    high_tech_field = CodeField("high_tech_field", source="achievement.high_tech_field", read_only=True,
                                allow_null=True)
    note = serializers.CharField()


@extend_schema_serializer(component_name="PackageSummary")
class PackageListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(PackageStatus.values))
    status_label = ChoiceLabelField("status")
    key_field = CodeField(KEY_FIELD, read_only=True)
    key_field_label = CodeLabelField(source="key_field")
    title = serializers.CharField()
    title_en = serializers.CharField()
    cover = serializers.CharField()
    cover_en = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    achievement_count = serializers.IntegerField(source="shown_count", help_text="Published achievements in it.")


@extend_schema_serializer(component_name="PackageDetail")
class PackageDetailOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(PackageStatus.values))
    status_label = ChoiceLabelField("status")
    key_field = CodeField(KEY_FIELD, read_only=True)
    key_field_label = CodeLabelField(source="key_field")
    title = serializers.CharField()
    title_en = serializers.CharField()
    cover = serializers.CharField()
    cover_en = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    achievements = ItemSerializer(many=True, source="shown_items",
                                  help_text="In their order; only published achievements.")
    allowed_actions = AllowedActionsField()


def _detail(request: Request, pk: int) -> dict[str, Any]:
    return PackageDetailOutputSerializer(selectors.package_get(user=request.user, pk=pk),
                                         context={"request": request}).data


class ItemInputSerializer(StrictInputMixin, serializers.Serializer):
    achievement = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX, help_text="A published achievement.")
    note = serializers.CharField(max_length=services.NOTE_MAX, required=False, allow_blank=True, default="")


class PackageFieldsInputSerializer(StrictInputMixin, serializers.Serializer):
    key_field = CodeField(KEY_FIELD, required=False)
    title = serializers.CharField(max_length=200, required=False)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    cover = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    cover_en = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    achievements = ItemInputSerializer(many=True, required=False, max_length=MAX_ITEMS,
                                       help_text="Replaces the package's achievements, in this order.")


def _split(validated: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[int, str]] | None]:
    data = dict(validated)
    items = data.pop("achievements", None)
    return data, None if items is None else [(i["achievement"], i.get("note", "")) for i in items]


def _require_editor(request: Request) -> None:
    if not perms.is_editor(request.user):
        raise PermissionDenied(perms.NOT_AN_EDITOR)


class PackageListApi(APIView):
    """Packages you may read (everybody: the published ones), newest first."""

    pagination_class = LimitOffsetPagination
    OutputSerializer = PackageListOutputSerializer

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                  help_text="Title or cover text contains.")
        key_field = CodeField(KEY_FIELD, required=False)
        status = serializers.ChoiceField(choices=PackageStatus.choices, required=False)

    @extend_schema(operation_id="packages_list", parameters=[FilterSerializer],
                   responses={200: OutputSerializer(many=True), 400: VALIDATION_ERROR}, tags=TAGS)
    def get(self, request: Request) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = {k: v.code if hasattr(v, "code") else v for k, v in serializer.validated_data.items()}
        packages = selectors.package_list(user=request.user, filters=filters)
        return paginated_response(queryset=packages, serializer_class=self.OutputSerializer, request=request,
                                  view=self)


class PackageCreateApi(APIView):
    """Create a draft package (the commission's editors)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="PackageCreate")
    class InputSerializer(PackageFieldsInputSerializer):
        key_field = CodeField(KEY_FIELD)
        title = serializers.CharField(max_length=200)

    @extend_schema(operation_id="packages_create", request=InputSerializer,
                   responses={201: PackageDetailOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request) -> Response:
        _require_editor(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, items = _split(serializer.validated_data)
        from django.db import transaction

        with transaction.atomic():
            package = services.package_create(by=request.user, data=data)
            if items is not None:
                services.package_items_set(package=package, by=request.user, items=items)
        return Response(_detail(request, package.pk), status=status.HTTP_201_CREATED)


class PackageDetailApi(APIView):
    """One package with its published achievements in their order."""

    @extend_schema(operation_id="packages_retrieve", responses={200: PackageDetailOutputSerializer, 404: NOT_FOUND},
                   tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class PackageUpdateApi(APIView):
    """Change a package; `achievements`, when sent, replaces its achievements in the order given."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="PackageUpdate")
    class InputSerializer(PackageFieldsInputSerializer):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError(services.NOTHING_TO_CHANGE)
            return attrs

    @extend_schema(operation_id="packages_partial_update", request=InputSerializer,
                   responses={200: PackageDetailOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        package = selectors.package_get(user=request.user, pk=pk)
        _require_editor(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, items = _split(serializer.validated_data)
        from django.db import transaction

        with transaction.atomic():
            if data:
                services.package_update(package=package, by=request.user, data=data)
            if items is not None:
                services.package_items_set(package=package, by=request.user, items=items)
        return Response(_detail(request, pk))


class PackageItemAddApi(APIView):
    """Add one published achievement at the end of the package (what a click on a suggestion does)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="packages_achievements_add", request=ItemInputSerializer,
                   responses={201: PackageDetailOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        package = selectors.package_get(user=request.user, pk=pk)
        _require_editor(request)
        serializer = ItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.package_item_add(package=package, by=request.user,
                                  achievement_id=serializer.validated_data["achievement"],
                                  note=serializer.validated_data.get("note", ""))
        return Response(_detail(request, pk), status=status.HTTP_201_CREATED)


@extend_schema_serializer(component_name="PackageSuggestionDemand")
class AnswerSerializer(serializers.Serializer):
    demand = serializers.IntegerField(source="demand.pk")
    title = serializers.CharField(source="demand.title")
    score = serializers.FloatField()
    reason_words = serializers.ListField(child=serializers.CharField())


@extend_schema_serializer(component_name="PackageSuggestion")
class SuggestionSerializer(serializers.Serializer):
    achievement = serializers.IntegerField(source="achievement.pk")
    title = serializers.CharField(source="achievement.display_name")
    owner = OrganisationRefSerializer(source="achievement.owner")
    demand_count = serializers.IntegerField()
    score = serializers.FloatField()
    reason_words = serializers.ListField(child=serializers.CharField())
    demands = AnswerSerializer(many=True, source="answers")


class PackageSuggestionsApi(APIView):
    """Published achievements that answer the published demands of the package's key field (editors only):
    those answering more demands, then with higher scores, first."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="packages_suggestions", responses={200: SuggestionSerializer(many=True),
                                                                   403: WRITE_ERRORS[403], **READ_ERRORS},
                   tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        package = selectors.package_get(user=request.user, pk=pk)
        _require_editor(request)
        return Response(SuggestionSerializer(selectors.package_suggestions(package=package), many=True).data)


@extend_schema_serializer(component_name="KeyFieldSubscription")
class KeyFieldSerializer(serializers.Serializer):
    key_field = serializers.CharField(source="code")
    label = serializers.CharField()
    subscribed = serializers.SerializerMethodField()

    @extend_schema_field(serializers.BooleanField())
    def get_subscribed(self, item: Any) -> bool:
        return item.pk in self.context["subscribed"]


def _key_fields(request: Request) -> list[dict[str, Any]]:
    subscribed = selectors.subscribed_fields(user=request.user)
    return list(KeyFieldSerializer(selectors.key_fields(), many=True, context={"subscribed": subscribed}).data)


class KeyFieldListApi(APIView):
    """The key fields of the packages, each with whether you hear of its new packages."""

    @extend_schema(operation_id="packages_key_fields", responses={200: KeyFieldSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response(_key_fields(request))


class KeyFieldSubscribeApi(APIView):
    """Hear (subscribed true) or stop hearing (false) when a package of the key field is published."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="KeyFieldSubscribe")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        key_field = CodeField(KEY_FIELD)
        subscribed = serializers.BooleanField(default=True)

    @extend_schema(operation_id="packages_key_fields_subscribe", request=InputSerializer,
                   responses={200: KeyFieldSerializer(many=True), **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = serializer.validated_data["key_field"]
        if serializer.validated_data["subscribed"]:
            services.key_field_subscribe(by=request.user, key_field=item)
        else:
            services.key_field_unsubscribe(by=request.user, key_field=item)
        return Response(_key_fields(request))


def _step_detail(request: Request, pk: int, result: Package) -> dict[str, Any]:
    return _detail(request, pk)


STEP_ROUTES = step_api_routes(
    PACKAGE_FLOW,
    detail=_step_detail,
    resource="packages",
    operation_prefix="packages",
    component_prefix="Package",
    response=PackageDetailOutputSerializer,
    tags=TAGS,
)
