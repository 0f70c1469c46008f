"""Accounts API: who am I, the public list of organisations, and personal API tokens."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts import services
from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import ApiToken, Organisation
from techtransfer.accounts.permissions import is_commission_admin, memberships
from techtransfer.api.fields import ChoiceLabelField, StrictInputMixin, code_output_fields
from techtransfer.api.pagination import LimitOffsetPagination, paginated_response
from techtransfer.api.schema import FORBIDDEN, NOT_AUTHENTICATED, NOT_FOUND, VALIDATION_ERROR
from techtransfer.api.serializers import OrganisationRefSerializer


class SignedInWithPassword(permissions.BasePermission):
    """Only a session (a password login) may mint tokens: a leaked token must not be able to breed more."""

    message = _("Create API tokens while signed in with your password, not with another token.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.auth is None)


class OrganisationListApi(APIView):
    """Every organisation on the platform, with its type and region (public)."""

    pagination_class = LimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        org_type = serializers.ChoiceField(choices=OrgType.choices, required=False)
        region = serializers.CharField(required=False, help_text="Region code or prefix, e.g. 110108 or 1101.")

    @extend_schema_serializer(component_name="Organisation")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        name_en = serializers.CharField()
        org_type = serializers.CharField()
        org_type_label = ChoiceLabelField("org_type")
        uscc = serializers.CharField(allow_null=True, help_text="Unified social credit code (统一社会信用代码).")
        supervising_department = OrganisationRefSerializer(allow_null=True)
        website = serializers.URLField(allow_null=True, help_text="null when the organisation gave none.")
        is_verified = serializers.BooleanField()

        def get_fields(self) -> dict[str, serializers.Field]:
            return {**super().get_fields(), **code_output_fields("region")}

        def to_representation(self, instance: Organisation) -> dict[str, Any]:
            data = super().to_representation(instance)
            data["website"] = data["website"] or None  # "" is not a URI: the schema's format would be broken
            return data

    @extend_schema(
        operation_id="organisations_list",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), 400: VALIDATION_ERROR},
        tags=["organisations"],
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        organisations = Organisation.objects.select_related("region", "supervising_department").order_by("name")
        if org_type := filters.validated_data.get("org_type"):
            organisations = organisations.filter(org_type=org_type)
        if region := filters.validated_data.get("region"):
            organisations = organisations.filter(region__code__startswith=region.strip())
        return paginated_response(
            queryset=organisations, serializer_class=self.OutputSerializer, request=request, view=self
        )


class MeApi(APIView):
    """The signed-in user and the organisations they belong to, with their role in each."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="Me")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="Membership")
        class MembershipSerializer(serializers.Serializer):
            organisation = OrganisationRefSerializer()
            org_type = serializers.CharField(source="organisation.org_type")
            role = serializers.CharField()
            role_label = ChoiceLabelField("role")

        id = serializers.IntegerField()
        username = serializers.CharField()
        email = serializers.EmailField()
        full_name = serializers.CharField()
        email_confirmed = serializers.BooleanField()
        is_commission_admin = serializers.BooleanField()
        memberships = MembershipSerializer(many=True)

    @extend_schema(operation_id="me_retrieve", responses={200: OutputSerializer, 401: NOT_AUTHENTICATED}, tags=["me"])
    def get(self, request: Request) -> Response:
        user: Any = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "email": user.email,
            "full_name": user.full_name,
            "email_confirmed": user.email_confirmed,
            "is_commission_admin": is_commission_admin(user),
            "memberships": memberships(user),
        }
        return Response(self.OutputSerializer(data).data)


@extend_schema_serializer(component_name="ApiToken")
class TokenOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The first characters of the key, to tell tokens apart.")
    created = serializers.DateTimeField()
    last_used = serializers.DateTimeField(allow_null=True)
    revoked = serializers.BooleanField()


class TokenListApi(APIView):
    """Your own API tokens (never their keys)."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        operation_id="tokens_list",
        responses={200: TokenOutputSerializer(many=True), 401: NOT_AUTHENTICATED},
        tags=["tokens"],
    )
    def get(self, request: Request) -> Response:
        tokens = ApiToken.objects.filter(user=request.user).order_by("revoked", "-created", "-id")
        return paginated_response(queryset=tokens, serializer_class=TokenOutputSerializer, request=request, view=self)


class TokenCreateApi(APIView):
    """Create a token; its key is in this response only (only a hash of it is stored)."""

    permission_classes = [SignedInWithPassword]

    @extend_schema_serializer(component_name="ApiTokenCreate")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        name = serializers.CharField(max_length=100, help_text="What the token is for, e.g. 'nightly export'.")

    @extend_schema_serializer(component_name="ApiTokenCreated")
    class OutputSerializer(TokenOutputSerializer):
        key = serializers.CharField(help_text="Send as `Authorization: Token <key>`. Shown once: store it now.")

    @extend_schema(
        operation_id="tokens_create",
        request=InputSerializer,
        responses={201: OutputSerializer, 400: VALIDATION_ERROR, 401: NOT_AUTHENTICATED, 403: FORBIDDEN},
        tags=["tokens"],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_create(user=request.user, name=serializer.validated_data["name"])
        token.key = key
        return Response(self.OutputSerializer(token).data, status=status.HTTP_201_CREATED)


class TokenRevokeApi(APIView):
    """Revoke one of your tokens; it stops working at once."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="tokens_revoke",
        responses={204: None, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
        tags=["tokens"],
    )
    def delete(self, request: Request, pk: int) -> Response:
        # Someone else's token is "not found", not "forbidden": token ids reveal nothing.
        token = ApiToken.objects.filter(user=request.user, pk=pk).first()
        if token is None:
            raise Http404
        services.api_token_revoke(token=token, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganisationDecideApi(APIView):
    """Verify an organisation, or refuse to with a reason (the commission or its region's registration body).

    Until it is verified, its members may only draft (see accounts.permissions.organisation_may_act).
    """

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="OrganisationDecide")
    class InputSerializer(StrictInputMixin, serializers.Serializer):
        decision = serializers.ChoiceField(choices=["verify", "refuse"])
        reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    # Named: two nested "OutputSerializer"s would collide in the schema.
    @extend_schema_serializer(component_name="OrganisationDecision")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        is_verified = serializers.BooleanField()
        refusal_reason = serializers.CharField()

    @extend_schema(
        operation_id="organisations_decide",
        request=InputSerializer,
        responses={200: OutputSerializer, 400: VALIDATION_ERROR, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
        tags=["organisations"],
    )
    def post(self, request: Request, pk: int) -> Response:
        from techtransfer.accounts.selectors import organisation_verification_queue

        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Outside the caller's queue is "not found": as on the page.
        organisation = organisation_verification_queue(user=request.user).filter(pk=pk).first()
        if organisation is None:
            raise Http404
        data = serializer.validated_data
        if data["decision"] == "verify":
            organisation = services.organisation_verify(organisation=organisation, by=request.user)
        else:
            organisation = services.organisation_refuse(
                organisation=organisation, by=request.user, reason=data.get("reason", "")
            )
        return Response(self.OutputSerializer(organisation).data)
