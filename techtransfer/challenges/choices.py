from django.db import models
from django.utils.translation import gettext_lazy as _


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
# The owner (or a moderator) may cancel a challenge until it is awarded.
CANCELLABLE_STATUSES = {
    ChallengeStatus.DRAFT,
    ChallengeStatus.UNDER_REVIEW,
    ChallengeStatus.OPEN,
    ChallengeStatus.CLOSED,
}
# Proposals that were handed in (and not taken back): the owner reads these, the public counts them.
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
