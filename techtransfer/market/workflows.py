"""The demand's workflow table (market.choices.DEMAND_STEPS) bound to its model, history, roles and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.permissions import MODERATOR, OWNER_EDITOR, OWNER_VERIFIED
from techtransfer.core.workflow import Workflow, register
from techtransfer.market.choices import DEMAND_STEPS, DemandStatus
from techtransfer.market.models import DemandStatusChange, TechnologyDemand

DEMAND_FLOW = register(
    Workflow(
        kind="demand",
        label=_("technology demand"),
        model=TechnologyDemand,
        history=DemandStatusChange,
        states=DemandStatus,
        steps=DEMAND_STEPS,
        roles={"owner": OWNER_EDITOR, "moderator": MODERATOR},
        conditions={"verified": OWNER_VERIFIED},
        get_record="techtransfer.market.selectors.demand_get",
        detail_url=lambda demand: reverse("market:detail", args=[demand.pk]),
        services={
            name: f"techtransfer.market.services.demand_{name}"
            for name in ("submit", "approve", "reject", "close", "mark_matched")
        },
        insider="techtransfer.market.permissions.is_insider",
        # Audit codes written before the workflow core named steps by the state they led to.
        legacy_audit_codes={
            "demand.under_review": "submit",
            "demand.published": "approve",
            "demand.draft": "reject",
            "demand.matched": "mark_matched",
            "demand.closed": "close",
            "demand.expired": "expire",
        },
    )
)
