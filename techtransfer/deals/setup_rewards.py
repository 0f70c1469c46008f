"""Registers the reward-plan workflow (workflows_rewards.py) and the audit labels of income distribution."""

from django.utils.translation import gettext_lazy as _

from techtransfer.core.audit import register_action_labels
from techtransfer.deals import workflows_rewards  # noqa: F401  (registers PLAN_FLOW)

register_action_labels(
    {
        "reward_plan.create": _("created the reward plan"),
        "reward_plan.update": _("edited the reward plan"),
        "reward_cost.add": _("added a net-income deduction"),
        "reward_cost.remove": _("removed a net-income deduction"),
        "reward_allocation.add": _("added a reward allocation"),
        "reward_allocation.update": _("changed a reward allocation"),
        "reward_allocation.remove": _("removed a reward allocation"),
        "reward_payment.add": _("recorded a reward payment"),
        "mobility.create": _("recorded part-time work or leave"),
        "mobility.update": _("changed a part-time work or leave record"),
        "mobility.delete": _("deleted a part-time work or leave record"),
        "unit_reward_rule.create": _("added the unit's reward rule"),
        "unit_reward_rule.update": _("changed the unit's reward rule"),
    }
)
