"""The workflow tables of investment matching (investment.choices) bound to their models, histories and roles."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Workflow, register
from techtransfer.investment.choices import (
    INVESTOR_STEPS,
    PROJECT_STEPS,
    REQUEST_STEPS,
    InvestorStatus,
    ProjectStatus,
    RequestStatus,
)
from techtransfer.investment.models import (
    FundingProject,
    FundingRequest,
    Investor,
    InvestorStatusChange,
    ProjectStatusChange,
    RequestStatusChange,
)
from techtransfer.investment.permissions import INVESTOR_ADMIN, PROJECT_OWNER, REQUEST_INVESTOR, REQUEST_OWNER

SERVICES = "techtransfer.investment.services"

INVESTOR_FLOW = register(
    Workflow(
        kind="investor",
        label=_("Investor profile"),
        model=Investor,
        history=InvestorStatusChange,
        states=InvestorStatus,
        steps=INVESTOR_STEPS,
        roles={"manager": INVESTOR_ADMIN},
        record_name="investor",
        get_record="techtransfer.investment.selectors.investor_get",
        detail_url=lambda record: reverse("investment:investor", args=[record.pk]),
        services={"publish": f"{SERVICES}.investor_publish", "withdraw": f"{SERVICES}.investor_withdraw"},
    )
)

PROJECT_FLOW = register(
    Workflow(
        kind="funding_project",
        label=_("Funding project"),
        model=FundingProject,
        history=ProjectStatusChange,
        states=ProjectStatus,
        steps=PROJECT_STEPS,
        roles={"owner": PROJECT_OWNER},
        record_name="project",
        get_record="techtransfer.investment.selectors.project_get",
        detail_url=lambda record: reverse("investment:project", args=[record.pk]),
        services={"open": f"{SERVICES}.project_open", "close": f"{SERVICES}.project_close"},
    )
)

REQUEST_FLOW = register(
    Workflow(
        kind="funding_request",
        label=_("Funding request"),
        model=FundingRequest,
        history=RequestStatusChange,
        states=RequestStatus,
        steps=REQUEST_STEPS,
        roles={"investor": REQUEST_INVESTOR, "owner": REQUEST_OWNER},
        record_name="request",
        get_record="techtransfer.investment.selectors.request_get",
        detail_url=lambda record: reverse("investment:request", args=[record.pk]),
        services={
            "interest": f"{SERVICES}.request_interest",
            "decline": f"{SERVICES}.request_decline",
            "no_deal": f"{SERVICES}.request_no_deal",
        },
        insider="techtransfer.investment.permissions.reads_request",
    )
)
