"""The workflow tables of agencies (agencies.choices) bound to their models, histories, roles and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.agencies.choices import AGENCY_STEPS, HELP_STEPS, AgencyStatus, HelpStatus
from techtransfer.agencies.models import Agency, AgencyStatusChange, HelpRequest, HelpRequestStatusChange
from techtransfer.agencies.permissions import AGENCY, MAY_ACT, OWNER, REQUESTER, REVIEWER
from techtransfer.core.workflow import Workflow, register

AGENCY_FLOW = register(
    Workflow(
        kind="agency",
        label=_("service agency profile"),
        model=Agency,
        history=AgencyStatusChange,
        states=AgencyStatus,
        steps=AGENCY_STEPS,
        roles={"owner": OWNER, "reviewer": REVIEWER},
        conditions={"may_act": MAY_ACT},
        get_record="techtransfer.agencies.selectors.agency_get",
        detail_url=lambda agency: reverse("agencies:detail", args=[agency.pk]),
        services={
            name: f"techtransfer.agencies.services.agency_{name}" for name in ("submit", "approve", "return", "revise")
        },
        insider="techtransfer.agencies.permissions.is_insider",
    )
)

HELP_FLOW = register(
    Workflow(
        kind="agency_help",
        label=_("request for help"),
        model=HelpRequest,
        history=HelpRequestStatusChange,
        states=HelpStatus,
        steps=HELP_STEPS,
        roles={"requester": REQUESTER, "agency": AGENCY},
        get_record="techtransfer.agencies.selectors.help_request_get",
        detail_url=lambda help_request: reverse("agencies:help_detail", args=[help_request.pk]),
        services={
            name: f"techtransfer.agencies.services.help_request_{name}" for name in ("accept", "decline", "withdraw")
        },
        record_name="help_request",
        insider="techtransfer.agencies.permissions.is_help_insider",
    )
)
