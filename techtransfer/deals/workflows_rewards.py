"""The reward plan's workflow: one irreversible step, "approve", taken by the unit's editors when the plan meets
the rules (the allocations reach the pool, the main contributors get their minimum share, no unit head holds
equity). Approval freezes the rule, the share and the pool (services_rewards.plan_approve)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Condition, Step, Workflow, register
from techtransfer.deals.choices import RewardPlanStatus
from techtransfer.deals.models import RewardPlan, RewardPlanStatusChange
from techtransfer.deals.permissions import UNIT

PLAN_STEPS = (
    Step(
        "approve",
        RewardPlanStatus.DRAFT,
        RewardPlanStatus.APPROVED,
        who=("owner",),
        when=("pool_allocated", "main_contributors", "no_unit_head_equity"),
        label=_("Approve the reward plan"),
        help=_("Fix the rule, the share and the pool; rewards can then be paid."),
        irreversible=True,
        confirm=_("Approve this reward plan? The rule, the share, the pool and the allocations are then fixed."),
        done=_("The reward plan is approved. Record the payments as they are made."),
        audit_label=_("approved the reward plan"),
        notify=("owner",),
        notice=_("%(actor)s approved the reward plan “%(title)s”."),
    ),
)


def _problem(name: str) -> Condition:
    """A condition that holds when services_rewards.approval_problems(plan) names no problem `name`."""

    def test(plan: RewardPlan) -> bool:
        from techtransfer.deals.services_rewards import approval_problems

        return name not in approval_problems(plan)

    def refusal(plan: RewardPlan) -> str:
        from techtransfer.deals.services_rewards import approval_problems

        return approval_problems(plan).get(name, "")

    return Condition(test=test, refusal=refusal)


def _title(plan: Any) -> str:
    return str(plan)


PLAN_FLOW = register(
    Workflow(
        kind="reward_plan",
        record_name="plan",
        label=_("reward plan"),
        model=RewardPlan,
        history=RewardPlanStatusChange,
        states=RewardPlanStatus,
        steps=PLAN_STEPS,
        roles={"owner": UNIT},
        conditions={
            "pool_allocated": _problem("pool_allocated"),
            "main_contributors": _problem("main_contributors"),
            "no_unit_head_equity": _problem("no_unit_head_equity"),
        },
        get_record="techtransfer.deals.selectors_rewards.plan_get",
        detail_url=lambda plan: reverse("deals:plan_detail", args=[plan.pk]),
        services={"approve": "techtransfer.deals.services_rewards.plan_approve"},
        title=_title,
    )
)
