"""The challenge's and the sealed proposal's workflow tables (challenges.choices) bound to their models,
roles, conditions and services."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.permissions import (
    MODERATOR,
    ORGANISATION_NOT_VERIFIED,
    OWNER_EDITOR,
    OWNER_VERIFIED,
    organisation_may_act,
    primary_organisation,
    user_may_act,
)
from techtransfer.challenges.choices import CHALLENGE_STEPS, PROPOSAL_STEPS, ChallengeStatus, ProposalStatus
from techtransfer.challenges.models import Challenge, ChallengeStatusChange, Proposal, ProposalStatusChange
from techtransfer.challenges.permissions import BIDDER, BIDDERS, CHALLENGE_OWNER
from techtransfer.core.workflow import Condition, Workflow, register

# Module constants are lazy: built at import time, translated per request. The services and tests reuse them.
DEADLINE_PASSED = _("The submission deadline has passed: proposals can no longer be submitted, changed or withdrawn.")
FROZEN_AFTER_AWARD = _("The challenge has been awarded: its proposals can no longer change.")
NOT_OPEN = _("This challenge is not open for proposals.")
NOT_YET_CLOSED = _("Proposals are sealed until the submission deadline; they are shortlisted and awarded after it.")


def proposals_closed_reason(challenge: Challenge) -> str | None:
    """Why proposals can no longer be written, submitted or withdrawn (None: the challenge is open for them)."""
    if challenge.effective_status == ChallengeStatus.OPEN:
        return None
    if challenge.status == ChallengeStatus.AWARDED:
        return str(FROZEN_AFTER_AWARD)
    if challenge.deadline_passed():
        return str(DEADLINE_PASSED)
    return str(NOT_OPEN)


def _not_opened_reason(proposal: Proposal) -> str:
    challenge = proposal.challenge
    if challenge.effective_status == ChallengeStatus.OPEN:
        return str(NOT_YET_CLOSED)
    return gettext("This challenge is %(status)s; its proposals can no longer change.") % {
        "status": challenge.status_label
    }


def _bidder_may_act(proposal: Proposal, user: Any) -> bool:
    """Bidding acts towards another organisation: the team's organisation is verified or, without one, the
    bidder may act (accounts.permissions)."""
    if user is None:
        return True
    if proposal.team_org_id is not None:
        return organisation_may_act(proposal.team_org)
    return user_may_act(user)


def _bidder_not_verified(proposal: Proposal, user: Any) -> str:
    organisation = proposal.team_org if proposal.team_org_id is not None else primary_organisation(user)
    return str(ORGANISATION_NOT_VERIFIED % {"name": organisation.name if organisation else ""})


def _effective(challenge: Any) -> str:
    return str(challenge.effective_status)


CHALLENGE_FLOW = register(
    Workflow(
        kind="challenge",
        label=_("challenge"),
        model=Challenge,
        history=ChallengeStatusChange,
        states=ChallengeStatus,
        steps=CHALLENGE_STEPS,
        roles={"owner": OWNER_EDITOR, "moderator": MODERATOR, "bidders": BIDDERS},
        conditions={"verified": OWNER_VERIFIED},
        state=_effective,
        get_record="techtransfer.challenges.selectors.challenge_get",
        detail_url=lambda challenge: reverse("challenges:detail", args=[challenge.pk]),
        services={
            name: f"techtransfer.challenges.services.challenge_{name}"
            for name in ("submit", "approve", "reject", "cancel", "award")
        },
        insider="techtransfer.challenges.permissions.is_insider",
        legacy_audit_codes={
            "challenge.submitted": "submit",
            "challenge.published": "approve",
            "challenge.returned": "reject",
            "challenge.closed": "close",
            "challenge.awarded": "award",
            "challenge.cancelled": "cancel",
        },
    )
)

PROPOSAL_FLOW = register(
    Workflow(
        kind="proposal",
        label=_("proposal"),
        model=Proposal,
        history=ProposalStatusChange,
        states=ProposalStatus,
        steps=PROPOSAL_STEPS,
        roles={"bidder": BIDDER, "challenge_owner": CHALLENGE_OWNER},
        conditions={
            "open": Condition(
                test=lambda proposal: proposals_closed_reason(proposal.challenge) is None,
                refusal=lambda proposal: proposals_closed_reason(proposal.challenge) or "",
            ),
            "opened": Condition(
                test=lambda proposal: proposal.challenge.effective_status == ChallengeStatus.CLOSED,
                refusal=_not_opened_reason,
            ),
            "verified": Condition(test=_bidder_may_act, refusal=_bidder_not_verified, per_user=True, denies=True),
        },
        get_record="techtransfer.challenges.selectors.proposal_get",
        detail_url=lambda proposal: reverse("challenges:proposal", args=[proposal.pk]),
        services={name: f"techtransfer.challenges.services.proposal_{name}" for name in ("submit", "withdraw")},
        insider=lambda user, proposal: BIDDER.check(user, proposal) or CHALLENGE_OWNER.check(user, proposal),
        title=lambda proposal: proposal.challenge.title,
        legacy_audit_codes={
            "proposal.submitted": "submit",
            "proposal.withdrawn": "withdraw",
            "proposal.shortlisted": "shortlist",
            "proposal.awarded": "award",
            "proposal.not_selected": "not_select",
        },
    )
)
