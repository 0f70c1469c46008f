"""OpenAPI helpers: the usual error responses, query parameters from a FilterSet, the token scheme."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from techtransfer.api.serializers import ErrorSerializer

ERROR = OpenApiResponse(ErrorSerializer)
VALIDATION_ERROR = OpenApiResponse(ErrorSerializer, description="Invalid input: extra.fields says which and why.")
NOT_AUTHENTICATED = OpenApiResponse(ErrorSerializer, description="Not authenticated.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not allowed.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such object, or not visible to you.")
CONFLICT = OpenApiResponse(ErrorSerializer, description="A business rule refuses it in the record's current state.")

READ_ERRORS = {404: NOT_FOUND}
WRITE_ERRORS = {400: VALIDATION_ERROR, 401: NOT_AUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}


def filterset_parameters(filterset_class: type[django_filters.FilterSet]) -> list[OpenApiParameter]:
    """Query parameters of a FilterSet, so the API list documents exactly what the shared FilterSet reads."""
    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        kind: Any = OpenApiTypes.STR
        if isinstance(filter_, django_filters.NumberFilter):
            kind = OpenApiTypes.INT
        elif isinstance(filter_, django_filters.DateFilter):
            kind = OpenApiTypes.DATE
        choices = filter_.extra.get("choices")
        parameters.append(
            OpenApiParameter(
                name,
                kind,
                description=str(filter_.label or ""),
                enum=[value for value, _label in choices] if choices else None,
                many=isinstance(filter_, django_filters.MultipleChoiceFilter),
                explode=True if isinstance(filter_, django_filters.MultipleChoiceFilter) else None,
            )
        )
    return parameters


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents `Authorization: Token <key>` (personal tokens from /api/v1/tokens/)."""

    target_class = "techtransfer.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Personal API token, sent as `Token <key>`; create one at /api/v1/tokens/.",
        }
