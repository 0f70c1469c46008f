"""Workflow steps in the API, all from the apps' workflow tables (techtransfer.core.workflow).

- `AllowedActionsField`: the `allowed_actions` list on every workflow record the API returns, so a client
  knows what it may do next without guessing (the same list the page turns into buttons).
- `step_api_routes(flow, ...)`: one POST route per step of a table, /<records>/<pk>/<step>, generated; the
  step runs through the app's service, answering with the record as the app's serializer shows it.
- `WorkflowRecordApi` / `WorkflowRecordStepApi`: /workflows/<kind>/<pk> (state, allowed actions and history
  of any workflow record) and /workflows/<kind>/<pk>/<step>, for every registered workflow without other code.

A record the caller may not see is a 404 (the app's selector finds it); who may take a step is checked before
the input is read, so an outsider learns nothing from validation messages (403); a step in the wrong state
is 409; a missing reason is 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.api.fields import StrictInputMixin
from techtransfer.api.schema import NOT_FOUND, WRITE_ERRORS
from techtransfer.core.workflow import Reason, Step, Workflow, workflow, workflow_for


@extend_schema_serializer(component_name="AllowedAction")
class AllowedActionSerializer(serializers.Serializer):
    step = serializers.CharField(help_text="The step's name; POST to the record's /<step> route (dashes for _).")
    label = serializers.CharField(help_text="What the page's button says, in the request's language.")
    reason = serializers.ChoiceField(
        choices=[Reason.NONE, Reason.OPTIONAL, Reason.REQUIRED], help_text="Whether the step takes a reason."
    )
    reason_name = serializers.CharField(help_text="The input field that carries the reason (reason or note).")
    irreversible = serializers.BooleanField(help_text="The step cannot be undone (the page asks to confirm).")


def allowed_actions(user: Any, record: Any) -> list[dict[str, Any]]:
    flow = workflow_for(record)
    return [
        {
            "step": step.name,
            "label": str(step.label),
            "reason": step.reason,
            "reason_name": step.reason_name,
            "irreversible": step.irreversible,
        }
        for step in flow.allowed(user, record)
    ]


@extend_schema_field(AllowedActionSerializer(many=True))
class AllowedActionsField(serializers.Field):
    """What the requesting user may do next with the record (empty for the anonymous)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", "The workflow steps you may take on this record now.")
        super().__init__(**kwargs)

    def to_representation(self, record: Any) -> list[dict[str, Any]]:
        request = self.context.get("request")
        return allowed_actions(getattr(request, "user", None), record)


@extend_schema_serializer(component_name="StatusChange")
class StatusHistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    step = serializers.CharField()
    step_label = serializers.CharField()
    from_state = serializers.CharField(help_text="Empty for the first step.")
    from_label = serializers.CharField()
    to_state = serializers.CharField()
    to_label = serializers.CharField()
    by = serializers.SerializerMethodField()
    reason = serializers.CharField()

    def get_by(self, change: Any) -> str:
        return change.by.display_name if change.by else ""


def _step_input(component_name: str, step: Step, help_text: str = "") -> type[serializers.Serializer] | None:
    if not step.takes_reason:
        return None
    required = step.reason == Reason.REQUIRED
    optional = {} if required else {"required": False, "allow_blank": True, "default": ""}
    field = serializers.CharField(help_text=help_text or str(step.reason_label), **optional)
    serializer_class = type(
        f"{component_name}InputSerializer", (StrictInputMixin, serializers.Serializer), {step.reason_name: field}
    )
    return extend_schema_serializer(component_name=component_name)(serializer_class)


# What a step route answers: the record as the app's serializer shows it to the caller (request, pk, and what
# the service returned, for a record the step took out of the caller's sight).
Detail = Callable[[Request, Any, Any], Any]


class WorkflowStepApi(APIView):
    """POST one step of `flow` on one record (`step_api_routes` makes one class per step of a table). The
    record is found through the workflow's selector, so a record the caller may not see is a 404."""

    permission_classes = [permissions.IsAuthenticated]
    flow: Workflow
    step_name: str = ""
    InputSerializer: type[serializers.Serializer] | None = None
    detail: Detail

    def post(self, request: Request, pk: Any, **kwargs: Any) -> Response:
        step = self.flow.step(self.step_name)
        record = self.flow.get_record(request.user, pk)
        # Who first: someone who may not take the step learns nothing from the input's validation.
        if not self.flow.has_role(request.user, record, step):
            raise PermissionDenied(self.flow.role_refusal(request.user, record, step))
        reason = ""
        if self.InputSerializer is not None:
            serializer = self.InputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            reason = serializer.validated_data.get(step.reason_name, "")
        result = self.flow.run(step.name, record=record, by=request.user, reason=reason)
        # type(self): a plain function stored on the class, not a method to bind.
        return Response(type(self).detail(request, pk, result))


def step_api_routes(
    flow: Workflow,
    *,
    detail: Detail,
    resource: str,
    operation_prefix: str,
    component_prefix: str,
    response: Any,
    tags: list[str],
    input_help: dict[str, str] | None = None,
    url_name_prefix: str = "",
) -> list[URLPattern]:
    """Routes `<resource>/<int:pk>/<step>` for every step of the table a person takes through a plain form
    (steps with their own page and the scheduler's steps have their own routes or none)."""
    routes = []
    for step in flow.steps.values():
        if step.own_page or step.by_system_only:
            continue
        camel = "".join(part.title() for part in step.name.split("_"))
        input_serializer = _step_input(f"{component_prefix}{camel}", step, (input_help or {}).get(step.name, ""))
        view = type(
            f"{component_prefix}{camel}Api",
            (WorkflowStepApi,),
            {
                "flow": flow,
                "detail": detail,
                "step_name": step.name,
                "InputSerializer": input_serializer,
                "__doc__": _step_doc(flow, step),
            },
        )
        view = extend_schema_view(
            post=extend_schema(
                operation_id=f"{operation_prefix}_{step.name}",
                request=input_serializer,
                responses={200: response, **WRITE_ERRORS},
                tags=tags,
            )
        )(view)
        slug = step.name.replace("_", "-")
        name = f"{url_name_prefix or flow.kind.replace('_', '-')}-{slug}"
        routes.append(path(f"{resource}/<int:pk>/{slug}", view.as_view(), name=name))
    return routes


def _step_doc(flow: Workflow, step: Step) -> str:
    sources = ", ".join(sorted(step.source_set)) or "the start"
    who = ", ".join(step.who)
    text = str(step.help or step.label)
    return f"{text} ({flow.kind}: from {sources} to {step.target or 'the same state'}; who: {who}.)"


# ---------------------------------------------------------------- any workflow record


WorkflowStateSerializer = inline_serializer(
    "WorkflowState",
    fields={
        "kind": serializers.CharField(),
        "id": serializers.IntegerField(),
        "state": serializers.CharField(),
        "state_label": serializers.CharField(),
        "allowed_actions": AllowedActionSerializer(many=True),
        "history": StatusHistorySerializer(many=True, help_text="Only for those who work on the record."),
    },
)


def _flow_or_404(kind: str) -> Workflow:
    try:
        return workflow(kind)
    except LookupError:
        raise Http404("No such workflow") from None


def workflow_state(request: Request, flow: Workflow, record: Any) -> dict[str, Any]:
    state = flow.state_of(record)
    history = flow.history_of(record) if flow.is_insider(request.user, record) else []
    return {
        "kind": flow.kind,
        "id": record.pk,
        "state": state,
        "state_label": flow.state_label(state),
        "allowed_actions": allowed_actions(request.user, record),
        "history": StatusHistorySerializer(history, many=True).data,
    }


class WorkflowRecordApi(APIView):
    """The state of any workflow record (achievement, demand, challenge, proposal, contact request...): what
    you may do next, and its history if you work on it."""

    @extend_schema(
        operation_id="workflows_retrieve", responses={200: WorkflowStateSerializer, 404: NOT_FOUND}, tags=["workflows"]
    )
    def get(self, request: Request, kind: str, pk: int) -> Response:
        flow = _flow_or_404(kind)
        return Response(workflow_state(request, flow, flow.get_record(request.user, pk)))


class WorkflowRecordStepApi(APIView):
    """Take a step on any workflow record; send `reason` (or the step's reason_name) when it takes one."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="workflows_step",
        request=inline_serializer("WorkflowStepInput", fields={"reason": serializers.CharField(required=False)}),
        responses={200: WorkflowStateSerializer, **WRITE_ERRORS},
        tags=["workflows"],
    )
    def post(self, request: Request, kind: str, pk: int, step: str) -> Response:
        flow = _flow_or_404(kind)
        if step.replace("-", "_") not in flow.steps:
            raise Http404("No such step")
        the_step = flow.step(step.replace("-", "_"))
        if the_step.own_page or the_step.by_system_only:
            raise Http404("This step has its own route")
        record = flow.get_record(request.user, pk)
        if not flow.has_role(request.user, record, the_step):
            raise PermissionDenied(flow.role_refusal(request.user, record, the_step))
        serializer = _step_input("WorkflowStepReason", the_step)
        reason = ""
        if serializer is not None:
            data = serializer(data=request.data)
            data.is_valid(raise_exception=True)
            reason = data.validated_data.get(the_step.reason_name, "")
        flow.run(the_step.name, record=record, by=request.user, reason=reason)
        try:
            record = flow.get_record(request.user, pk)
        except Http404:
            # The step took the record out of the caller's sight (a moderator returning a draft).
            record.refresh_from_db()
        return Response(workflow_state(request, flow, record))
