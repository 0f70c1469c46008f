"""Workflow steps in the API: POST /<records>/<pk>/<step>/ runs one service on one record.

Every app's steps are handled the same way (find the record through the selector, so an invisible one is a 404;
validate the step's input; run the service, which holds the rules; answer with the record as it is afterwards),
so the handling lives here and each step class only names its service, input and schema.
"""

from __future__ import annotations

import abc
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.api.fields import StrictInputMixin
from techtransfer.api.schema import WRITE_ERRORS


class WorkflowStepApi(APIView, abc.ABC):
    """Base of an app's workflow steps. An app subclasses it once, saying how to find its record
    (`get_record`), which keyword its services take it by (`record_name`) and what to answer (`respond`);
    each step then sets `service` and, if the step takes input, `InputSerializer`."""

    permission_classes = [permissions.IsAuthenticated]
    InputSerializer: type[serializers.Serializer] | None = None
    service: Any = None
    record_name: str = ""

    @abc.abstractmethod
    def get_record(self, request: Request, pk: int) -> Any:
        """The record, through the app's selector (a 404 when the user may not see it)."""

    @abc.abstractmethod
    def respond(self, request: Request, pk: int, result: Any) -> Response:
        """The answer after the step; `result` is what the service returned."""

    def post(self, request: Request, pk: int) -> Response:
        record = self.get_record(request, pk)
        data: dict[str, Any] = {}
        if self.InputSerializer is not None:
            serializer = self.InputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        # type(self): the service is a plain function stored on the class, not a method to bind.
        result = type(self).service(**{self.record_name: record}, by=request.user, **data)
        return self.respond(request, pk, result)


def workflow_step_schema(operation_id: str, request: Any = None, *, response: Any, tags: list[str]) -> Any:
    """The schema of one step's POST; apps bind `response` and `tags` once (functools.partial)."""
    return extend_schema_view(
        post=extend_schema(
            operation_id=operation_id,
            request=request,
            responses={200: response, **WRITE_ERRORS},
            tags=tags,
        )
    )


def text_step_input(
    component_name: str,
    *,
    name: str = "reason",
    required: bool = False,
    help_text: str | None = None,
    max_length: int | None = None,
) -> type[serializers.Serializer]:
    """The input of a step that takes one text (a reason or a note): required, or optional and blank by default."""
    optional = {} if required else {"required": False, "allow_blank": True, "default": ""}
    field = serializers.CharField(help_text=help_text, max_length=max_length, **optional)
    bases = (StrictInputMixin, serializers.Serializer)
    serializer_class = type(f"{component_name}InputSerializer", bases, {name: field})
    return extend_schema_serializer(component_name=component_name)(serializer_class)
