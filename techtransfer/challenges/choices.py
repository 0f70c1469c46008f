from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import SYSTEM, Reason, Step


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under review")
    OPEN = "open", _("Open for proposals")
    CLOSED = "closed", _("Closed for proposals")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    AWARDED = "awarded", _("Awarded")
    NOT_SELECTED = "not_selected", _("Not selected")


# The public sees a challenge once it has been published (cancelled ones only if they had been published).
PUBLIC_STATUSES = {ChallengeStatus.OPEN, ChallengeStatus.CLOSED, ChallengeStatus.AWARDED}
# Proposals that were handed in (and not taken back): they open at the deadline, all at once.
HANDED_IN_STATUSES = {
    ProposalStatus.SUBMITTED,
    ProposalStatus.SHORTLISTED,
    ProposalStatus.AWARDED,
    ProposalStatus.NOT_SELECTED,
}
# The bidder may still change these (before the deadline).
CHANGEABLE_PROPOSAL_STATUSES = {ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN}
# The owner picks winners from these.
AWARDABLE_PROPOSAL_STATUSES = {ProposalStatus.SUBMITTED, ProposalStatus.SHORTLISTED}

# The workflow of a challenge (揭榜挂帅). Roles: owner (members of the posting organisation), moderator
# (commission administrators and the region's registration-body reviewers, never of their own organisation),
# bidders (the teams that handed in a proposal; told of the opening and the award).
# A challenge whose submission deadline has passed is closed (computed: challenges.models.Challenge.
# effective_status); the scheduler's "close" step records it and the opening of the proposals.
CHALLENGE_STEPS = (
    Step(
        "submit",
        ChallengeStatus.DRAFT,
        ChallengeStatus.UNDER_REVIEW,
        who=("owner",),
        when=("verified",),
        label=_("Submit for moderation"),
        help=_("Send a complete draft to moderation (its deadline must be in the future)."),
        done=_("Submitted for moderation."),
        audit_label=_("submitted the challenge for moderation"),
        notify=("moderator",),
        notice=_("%(actor)s submitted the challenge “%(title)s” for moderation."),
    ),
    Step(
        "approve",
        ChallengeStatus.UNDER_REVIEW,
        ChallengeStatus.OPEN,
        who=("moderator",),
        label=_("Approve and publish"),
        help=_("Moderator: publish a challenge under review; it opens for questions and proposals."),
        done=_("Published: the challenge is open for questions and proposals."),
        audit_label=_("published the challenge"),
        notify=("owner",),
        notice=_("%(actor)s published your challenge “%(title)s”."),
    ),
    Step(
        "reject",
        ChallengeStatus.UNDER_REVIEW,
        ChallengeStatus.DRAFT,
        who=("moderator",),
        label=_("Return with reasons"),
        help=_("Moderator: return a challenge under review to its owner as a draft, saying why."),
        reason=Reason.REQUIRED,
        reason_label=_("What the owner must fix"),
        reason_missing=_("Say why the challenge is returned, so the owner can fix it."),
        done=_("Returned to the owner with your reasons."),
        audit_label=_("returned the challenge with reasons"),
        notify=("owner",),
        notice=_("%(actor)s returned your challenge “%(title)s” with reasons."),
        style="contrast",
    ),
    Step(
        "close",
        ChallengeStatus.OPEN,
        ChallengeStatus.CLOSED,
        who=(SYSTEM,),
        label=_("Close for proposals and open them"),
        audit_label=_("closed the challenge for proposals and opened them"),
        notify=("owner", "bidders"),
        notice=_("The submission deadline of “%(title)s” has passed: the proposals are open."),
    ),
    Step(
        "award",
        ChallengeStatus.CLOSED,
        ChallengeStatus.AWARDED,
        who=("owner",),
        label=_("Award"),
        help=_("The owner awards between one and the allowed number of proposals and publishes the result."),
        irreversible=True,
        confirm=_("Award the ticked proposals and publish the result? The award is final: no proposal can change "
                  "afterwards."),
        own_page=True,
        done=_("The challenge is awarded and the result is published."),
        audit_label=_("awarded the challenge"),
        notice=_("%(actor)s awarded the challenge “%(title)s”."),
    ),
    Step(
        "cancel",
        (ChallengeStatus.DRAFT, ChallengeStatus.UNDER_REVIEW, ChallengeStatus.OPEN, ChallengeStatus.CLOSED),
        ChallengeStatus.CANCELLED,
        who=("owner", "moderator"),
        label=_("Cancel the challenge"),
        help=_("The owner (or a moderator) calls the challenge off before the award; a published one needs a reason."),
        reason=Reason.OPTIONAL,
        reason_label=_("Why it is cancelled (the bidders will read it)"),
        irreversible=True,
        confirm=_("Cancel this challenge? Its proposals are frozen and it cannot be reopened."),
        done=_("The challenge is cancelled."),
        audit_label=_("cancelled the challenge"),
        notify=("owner", "bidders"),
        notice=_("The challenge “%(title)s” was cancelled."),
        style="secondary",
    ),
)

# The workflow of a sealed proposal. Roles: bidder (its author and the members of its team's organisation),
# challenge_owner (members of the organisation that posted the challenge). Conditions: open (the challenge
# is open and its deadline not passed), opened (the deadline has passed, the proposals are open), verified (the
# bidding organisation, or the bidder's, is verified: accounts.permissions.organisation_may_act).
PROPOSAL_STEPS = (
    Step(
        "submit",
        (ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN),
        ProposalStatus.SUBMITTED,
        who=("bidder",),
        when=("open", "verified"),
        label=_("Submit the proposal"),
        help=_("Hand the proposal in. It stays sealed until the deadline; you may change or withdraw it until then."),
        done=_("Your proposal is submitted. It stays sealed until the deadline: nobody else can read it before."),
        audit_label=_("submitted a proposal"),
    ),
    Step(
        "withdraw",
        ProposalStatus.SUBMITTED,
        ProposalStatus.WITHDRAWN,
        who=("bidder",),
        when=("open",),
        label=_("Withdraw the proposal"),
        help=_("Take a submitted proposal back before the deadline."),
        reason=Reason.OPTIONAL,
        done=_("Your proposal is withdrawn; you can submit it again before the deadline."),
        audit_label=_("withdrew a proposal"),
        style="secondary",
    ),
    Step(
        "shortlist",
        ProposalStatus.SUBMITTED,
        ProposalStatus.SHORTLISTED,
        who=("challenge_owner",),
        when=("opened",),
        own_page=True,
        label=_("Shortlist"),
        audit_label=_("shortlisted a proposal"),
        notify=("bidder",),
        notice=_("Your proposal for “%(title)s” is on the shortlist."),
    ),
    Step(
        "award",
        AWARDABLE_PROPOSAL_STATUSES,
        ProposalStatus.AWARDED,
        who=("challenge_owner",),
        when=("opened",),
        own_page=True,
        label=_("Award"),
        audit_label=_("awarded a proposal"),
        notify=("bidder",),
        notice=_("Your proposal for “%(title)s” won the challenge."),
    ),
    Step(
        "not_select",
        AWARDABLE_PROPOSAL_STATUSES,
        ProposalStatus.NOT_SELECTED,
        who=("challenge_owner",),
        when=("opened",),
        own_page=True,
        label=_("Not selected"),
        audit_label=_("did not select a proposal"),
        notify=("bidder",),
        notice=_("The challenge “%(title)s” was awarded; your proposal was not selected."),
    ),
)
