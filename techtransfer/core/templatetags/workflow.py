"""Workflow steps on the pages: the buttons a user may press on a record, from its workflow table.

    {% load workflow %}
    {% allowed_steps demand as steps %}
    {% if steps %}<section class="actions">{% workflow_actions demand steps %}</section>{% endif %}

Each step posts to the one generic step view (techtransfer.core.views.workflow_step). A step that takes a
reason folds out a reason field; an irreversible one folds out its confirmation question first.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context

from techtransfer.core.workflow import Step, workflow_for

register = template.Library()

STEP_ERROR_SESSION_KEY = "workflow_step_error"


@register.simple_tag(takes_context=True)
def allowed_steps(context: Context, record: Any) -> list[Step]:
    """The steps the page's user may take on `record` now, in table order, without those with their own page."""
    user = context["request"].user
    return [step for step in workflow_for(record).allowed(user, record) if not step.own_page]


@register.inclusion_tag("workflow/_actions.html", takes_context=True)
def workflow_actions(context: Context, record: Any, steps: list[Step] | None = None) -> dict[str, Any]:
    """The forms of the allowed steps (pass `steps` from `allowed_steps` to avoid working them out twice)."""
    request = context["request"]
    flow = workflow_for(record)
    if steps is None:
        steps = [step for step in flow.allowed(request.user, record) if not step.own_page]
    # A step refused for its reason comes back here with the text and the message (see workflow_step).
    error = request.session.get(STEP_ERROR_SESSION_KEY) if hasattr(request, "session") else None
    target_prefix = f"{flow.kind}:{record.pk}:"
    if error and str(error.get("target", "")).startswith(target_prefix):
        request.session.pop(STEP_ERROR_SESSION_KEY, None)
    else:
        error = None
    items = []
    for step in steps:
        failed = error if error and error["target"] == f"{target_prefix}{step.name}" else None
        items.append(
            {
                "step": step,
                "open": failed is not None,
                "reason_text": failed["reason"] if failed else "",
                "errors": failed["errors"] if failed else [],
                "folds": step.takes_reason or step.irreversible,
            }
        )
    return {"items": items, "flow": flow, "record": record, "request": request, "next": request.get_full_path()}
